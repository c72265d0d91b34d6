// Every audit action code the server can write has words in both languages. The codes are
// collected from the server source with the TypeScript compiler, not listed by hand: every
// `append({ action, ... })` call, its action evaluated as a literal, a template whose parts are
// literal-typed (`record.${op}` with op 'create' | 'update' | 'delete'), or a parameter traced
// back to the arguments at every call site of its function (`admin.${routeName}` from each
// requireAdmin(…, 'listUsers')).

import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, auditGroupOf, auditRefusal, isAuditActionCode } from '../shared/audit/actions';
import { AUDIT_ACTION_TEXT, AUDIT_GROUP_TEXT, auditActionText } from '../renderer/i18n/audit-actions';

const ROOT = join(__dirname, '..');

function serverFiles(dir = join(ROOT, 'server')): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'test') out.push(...serverFiles(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      out.push(path);
    }
  }
  return out;
}

interface Collected {
  codes: Map<string, string>; // code → where
  unresolved: string[];
  passThrough: string[];
}

function collectAuditCodes(): Collected {
  const files = serverFiles();
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  const program = ts.createProgram(files, { ...(config?.options ?? {}), noEmit: true });
  const checker = program.getTypeChecker();
  const sources = program.getSourceFiles().filter((f) => files.includes(f.fileName) || files.includes(join(f.fileName)));
  const where = (node: ts.Node) => {
    const sf = node.getSourceFile();
    return `${relative(ROOT, sf.fileName)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  };
  const out: Collected = { codes: new Map(), unresolved: [], passThrough: [] };

  /** Every call in the server source, for tracing a parameter to its arguments. */
  const calls: ts.CallExpression[] = [];
  const visitCalls = (node: ts.Node) => {
    if (ts.isCallExpression(node)) calls.push(node);
    ts.forEachChild(node, visitCalls);
  };
  for (const sf of sources) visitCalls(sf);

  function symbolOf(node: ts.Node): ts.Symbol | undefined {
    const symbol = checker.getSymbolAtLocation(node);
    return symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  }

  /** The string literal values of a type, or null when it is not a union of string literals. */
  function literalValues(type: ts.Type): string[] | null {
    if (type.isStringLiteral()) return [type.value];
    if (type.isUnion() && type.types.every((t) => t.isStringLiteral())) return type.types.map((t) => (t as ts.StringLiteralType).value);
    return null;
  }

  /** The values an expression can have, or null when they cannot be known from the source. */
  function evaluate(expr: ts.Expression, depth = 0): string[] | null {
    if (depth > 5) return null;
    if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) return [expr.text];
    if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr)) return evaluate(expr.expression, depth);
    if (ts.isTemplateExpression(expr)) {
      let results = [expr.head.text];
      for (const span of expr.templateSpans) {
        const values = evaluate(span.expression, depth + 1);
        if (!values) return null;
        results = results.flatMap((prefix) => values.map((v) => `${prefix}${v}${span.literal.text}`));
      }
      return results;
    }
    const fromType = literalValues(checker.getTypeAtLocation(expr));
    if (fromType) return fromType;
    if (ts.isIdentifier(expr)) {
      // a parameter: the arguments given to it at every call site of its function
      const shorthand = ts.isShorthandPropertyAssignment(expr.parent) ? checker.getShorthandAssignmentValueSymbol(expr.parent) : undefined;
      const declaration = (shorthand ?? symbolOf(expr))?.valueDeclaration;
      if (declaration && ts.isParameter(declaration)) {
        const fn = declaration.parent;
        const index = fn.parameters.indexOf(declaration);
        const fnSymbol = ts.isFunctionDeclaration(fn) && fn.name ? symbolOf(fn.name)
          : ts.isVariableDeclaration(fn.parent) ? symbolOf(fn.parent.name) : undefined;
        if (!fnSymbol) return null;
        const sites = calls.filter((c) => symbolOf(c.expression) === fnSymbol);
        if (sites.length === 0) return null;
        const values: string[] = [];
        for (const site of sites) {
          const arg = site.arguments[index];
          const v = arg ? evaluate(arg, depth + 1) : null;
          if (!v) return null;
          values.push(...v);
        }
        return values;
      }
    }
    return null;
  }

  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'append') {
      const [arg] = node.arguments;
      if (arg && ts.isObjectLiteralExpression(arg)) {
        const action = arg.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'action');
        const hasOutcome = arg.properties.some((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'outcome');
        if (action && hasOutcome) {
          const expr = ts.isPropertyAssignment(action) ? action.initializer : ts.isShorthandPropertyAssignment(action) ? action.name : null;
          const values = expr ? evaluate(expr) : null;
          if (values) for (const v of values) out.codes.set(v, where(node));
          else out.unresolved.push(where(node));
        }
      } else if (arg && /audit/i.test(node.expression.expression.getText())) {
        out.passThrough.push(where(node));
      }
    }
    ts.forEachChild(node, visit);
  };
  for (const sf of sources) visit(sf);
  return out;
}

describe('audit action codes', () => {
  const collected = collectAuditCodes();

  it('finds every append in the server source and knows each one’s codes', () => {
    expect(collected.unresolved).toEqual([]);
    // the metrics wrapper hands entries on unchanged
    expect(collected.passThrough.every((w) => w.startsWith('server/observability/metrics.ts'))).toBe(true);
    expect(collected.codes.size).toBeGreaterThan(60);
    // traced through parameters and literal-typed templates, not only literals
    for (const code of ['admin.listUsers', 'access.listAlerts', 'record.update', 'offline.export', 'admin.approval.reject', 'scim.group.delete', 'admin.share.create']) {
      expect([...collected.codes.keys()]).toContain(code);
    }
  });

  it('has a group and words in both languages for every code the server can write', () => {
    const missing = [...collected.codes].filter(([code]) => !isAuditActionCode(code) && !auditRefusal(code)).map(([code, at]) => `${code} (${at})`);
    expect(missing).toEqual([]);
    for (const code of collected.codes.keys()) {
      expect(auditGroupOf(code), code).not.toBeNull();
      for (const locale of ['zh-CN', 'en'] as const) {
        const text = auditActionText(code, locale);
        expect(text, `${code} ${locale}`).not.toBe(code);
        expect(text.trim().length, `${code} ${locale}`).toBeGreaterThan(1);
      }
    }
  });

  it('lists no code the server never writes, and its words differ between the languages', () => {
    const written = new Set(collected.codes.keys());
    expect(Object.keys(AUDIT_ACTIONS).filter((code) => !written.has(code))).toEqual([]);
    for (const [code, text] of Object.entries(AUDIT_ACTION_TEXT)) expect(text['zh-CN'], code).not.toBe(text.en);
    for (const text of Object.values(AUDIT_GROUP_TEXT)) expect(text['zh-CN']).not.toBe(text.en);
  });
});
