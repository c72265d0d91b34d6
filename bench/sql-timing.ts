// Per-statement SQL time of the server, for profiling runs (--cpu-prof): a Kysely plugin that
// notes when each query is compiled and when its result comes back. The server's database
// driver runs queries synchronously (SQLite) or on the pool (PostgreSQL); either way the time
// between the two is the statement's cost as the server sees it. Statements are grouped by
// their SQL text with parameter lists folded, so `IN (?, ?, …)` of any length is one shape.

import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { SqliteQueryCompiler, type CompiledQuery } from 'kysely';

interface Shape {
  count: number;
  ms: number;
}

export class SqlTimingPlugin implements KyselyPlugin {
  private readonly started = new WeakMap<object, { at: number; node: RootOperationNode }>();
  private shapes = new Map<string, Shape>();
  private readonly compiler = new SqliteQueryCompiler();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.started.set(args.queryId, { at: performance.now(), node: args.node });
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const start = this.started.get(args.queryId);
    if (start) {
      const ms = performance.now() - start.at;
      let sql: string;
      try {
        sql = (this.compiler.compileQuery(start.node, args.queryId) as CompiledQuery).sql;
      } catch {
        sql = start.node.kind;
      }
      const key = sql.replace(/\?(, \?)+/g, '?…').replace(/\(\?…\)(, \(\?…\))+/g, '(?…)…');
      const shape = this.shapes.get(key) ?? { count: 0, ms: 0 };
      shape.count += 1;
      shape.ms += ms;
      this.shapes.set(key, shape);
    }
    return args.result;
  }

  /** The statements with the most total time since the last reset, as text; then resets. */
  report(top = 15): string {
    const rows = [...this.shapes.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, top);
    const total = [...this.shapes.values()].reduce((n, s) => n + s.ms, 0);
    this.shapes = new Map();
    return [
      `SQL total ${total.toFixed(0)} ms`,
      ...rows.map(([sql, s]) => `${s.ms.toFixed(0).padStart(8)} ms ${String(s.count).padStart(7)}×  ${sql.slice(0, 220)}`),
    ].join('\n');
  }
}
