// SCIM 2.0 wire conventions (RFC 7643/7644) shared by the Users and Groups endpoints: schema
// URNs, the error body, list responses, filters (`attr eq "value"`), pagination, and PATCH
// operations normalised from the shapes identity providers actually send — Microsoft Entra ID
// capitalises op names ("Replace") and may send booleans as strings ("False"); Okta sends ops
// without a path whose value is an object of attributes, and removes a member with a
// `members[value eq "…"]` path.

export const SCIM = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  list: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patch: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

export type ScimType = 'invalidSyntax' | 'invalidValue' | 'invalidFilter' | 'invalidPath' | 'noTarget' | 'uniqueness' | 'mutability' | 'tooMany';

/** A refusal in SCIM's own error format. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly scimType?: ScimType,
  ) {
    super(message);
    this.name = 'ScimError';
  }
}

export function scimErrorBody(status: number, detail: string, scimType?: string): Record<string, unknown> {
  return { schemas: [SCIM.error], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

export const MAX_PAGE = 200;

export function pagination(query: Record<string, unknown>): { startIndex: number; count: number } {
  const num = (v: unknown, fallback: number) => {
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new ScimError(400, `startIndex and count must be integers`, 'invalidValue');
    return n;
  };
  // RFC 7644 §3.4.2.4: startIndex < 1 is 1; a negative count is 0.
  return { startIndex: Math.max(1, num(query.startIndex, 1)), count: Math.min(MAX_PAGE, Math.max(0, num(query.count, 100))) };
}

export function listResponse(resources: unknown[], total: number, startIndex: number): Record<string, unknown> {
  return { schemas: [SCIM.list], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources };
}

/** `attribute eq "value"` — the filters provisioning clients send. Anything else is invalidFilter. */
export function parseEqFilter(filter: unknown, attributes: readonly string[]): { attribute: string; value: string } | null {
  if (filter === undefined || filter === '') return null;
  if (typeof filter !== 'string') throw new ScimError(400, 'filter must be a string', 'invalidFilter');
  const match = /^\s*([A-Za-z][\w.:]*)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i.exec(filter);
  if (!match) throw new ScimError(400, `unsupported filter ${JSON.stringify(filter.slice(0, 200))}: use attribute eq "value"`, 'invalidFilter');
  const attribute = attributes.find((a) => a.toLowerCase() === match[1]!.toLowerCase());
  if (!attribute) throw new ScimError(400, `filtering on ${match[1]} is not supported (${attributes.join(', ')})`, 'invalidFilter');
  return { attribute, value: JSON.parse(`"${match[2]}"`) as string };
}

export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string | null;
  value: unknown;
}

/** Validates a PatchOp body and normalises op names; throws invalidSyntax on anything malformed. */
export function parsePatch(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw new ScimError(400, 'the body must be a PatchOp object', 'invalidSyntax');
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(SCIM.patch)) {
    throw new ScimError(400, `a PATCH body must list the schema ${SCIM.patch}`, 'invalidSyntax');
  }
  const ops = body.Operations ?? body.operations;
  if (!Array.isArray(ops) || ops.length === 0) throw new ScimError(400, 'Operations must be a non-empty array', 'invalidSyntax');
  if (ops.length > 1000) throw new ScimError(400, 'too many operations in one PATCH', 'tooMany');
  return ops.map((raw, i) => {
    if (!isObject(raw)) throw new ScimError(400, `Operations[${i}] must be an object`, 'invalidSyntax');
    const op = typeof raw.op === 'string' ? raw.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') {
      throw new ScimError(400, `Operations[${i}].op must be add, replace or remove`, 'invalidSyntax');
    }
    if (raw.path !== undefined && (typeof raw.path !== 'string' || raw.path.length === 0 || raw.path.length > 500)) {
      throw new ScimError(400, `Operations[${i}].path must be a non-empty string`, 'invalidPath');
    }
    const path = typeof raw.path === 'string' ? raw.path : null;
    if (op !== 'remove' && raw.value === undefined) throw new ScimError(400, `Operations[${i}] needs a value`, 'invalidSyntax');
    if (op === 'remove' && path === null) throw new ScimError(400, `Operations[${i}]: remove needs a path`, 'noTarget');
    if (path === null && !isObject(raw.value)) {
      throw new ScimError(400, `Operations[${i}]: without a path the value must be an object of attributes`, 'invalidSyntax');
    }
    return { op, path, value: raw.value };
  });
}

/** SCIM booleans as sent: true/false, or Entra's "True"/"False" strings. */
export function scimBoolean(value: unknown, field: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  throw new ScimError(400, `${field} must be a boolean`, 'invalidValue');
}

export function optionalString(value: unknown, field: string, max = 256): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max) throw new ScimError(400, `${field} must be a string of at most ${max} characters`, 'invalidValue');
  return value;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Attribute names are case-insensitive in SCIM: the value of `name` in `obj` whatever its case. */
export function attr(obj: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : obj[key];
}
