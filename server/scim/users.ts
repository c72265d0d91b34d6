// SCIM Users for one provider. A provisioned user is an ordinary SalesVault user (no usable
// password: they sign in through the provider) plus a scim_users row naming the provider.
// `active: false` and DELETE both go through the admin deactivation, which revokes every device
// of the user and sends each a wipe directive; the provider is named in the audit trail.

import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import { createUser as adminCreateUser, deactivateUser } from '../admin/service';
import type { ServerContext } from '../context';
import type { UsersTable } from '../db/schema';
import { SSO_PENDING_ROLE_ID } from '../db/migrations/0008_identity_providers';
import { DomainError } from '../domain-error';
import { identityDb, type IdentityProvidersTable, type ScimUsersTable } from '../sso/tables';
import { attr, isObject, optionalString, ScimError, scimBoolean, SCIM, type PatchOperation } from './protocol';

type Provider = Selectable<IdentityProvidersTable>;
type Row = Selectable<UsersTable> & Pick<Selectable<ScimUsersTable>, 'external_id' | 'attributes' | 'provider_id'> & { scim_created_at: number; scim_updated_at: number };

interface KeptAttributes {
  name?: { givenName?: string; familyName?: string; formatted?: string };
  emails?: { value: string; type?: string; primary?: boolean }[];
}

/** The user-facing state a SCIM request can change. */
interface UserState {
  userName: string;
  displayName: string | undefined;
  externalId: string | null;
  active: boolean;
  kept: KeptAttributes;
}

function baseQuery(ctx: ServerContext, provider: Provider) {
  return identityDb(ctx.db).selectFrom('users').innerJoin('scim_users', 'scim_users.user_id', 'users.id')
    .selectAll('users')
    .select(['scim_users.external_id', 'scim_users.attributes', 'scim_users.provider_id',
      'scim_users.created_at as scim_created_at', 'scim_users.updated_at as scim_updated_at'])
    .where('scim_users.provider_id', '=', provider.id);
}

export async function findUser(ctx: ServerContext, provider: Provider, id: string): Promise<Row> {
  const row = await baseQuery(ctx, provider).where('users.id', '=', id).executeTakeFirst();
  if (!row) throw new ScimError(404, `no user ${id}`);
  return row;
}

export async function listUsers(
  ctx: ServerContext, provider: Provider, filter: { attribute: string; value: string } | null, page: { startIndex: number; count: number },
): Promise<{ rows: Row[]; total: number }> {
  let q = baseQuery(ctx, provider);
  if (filter?.attribute === 'userName') q = q.where((eb) => eb(eb.fn('lower', ['users.username']), '=', filter.value.toLowerCase()));
  if (filter?.attribute === 'externalId') q = q.where('scim_users.external_id', '=', filter.value);
  const all = await q.orderBy('scim_users.created_at').orderBy('users.id').execute();
  return { rows: all.slice(page.startIndex - 1, page.startIndex - 1 + page.count), total: all.length };
}

export async function userResource(ctx: ServerContext, row: Row, location: string): Promise<Record<string, unknown>> {
  const kept = JSON.parse(row.attributes) as KeptAttributes;
  const groups = await identityDb(ctx.db).selectFrom('scim_group_members').innerJoin('scim_groups', 'scim_groups.id', 'scim_group_members.group_id')
    .select(['scim_groups.id', 'scim_groups.display_name']).where('scim_group_members.user_id', '=', row.id).execute();
  return {
    schemas: [SCIM.user],
    id: row.id,
    ...(row.external_id !== null ? { externalId: row.external_id } : {}),
    userName: row.username,
    displayName: row.display_name,
    ...(kept.name ? { name: kept.name } : {}),
    ...(kept.emails ? { emails: kept.emails } : {}),
    active: row.status === 'active',
    groups: groups.map((g) => ({ value: g.id, display: g.display_name })),
    meta: {
      resourceType: 'User', created: new Date(row.scim_created_at).toISOString(),
      lastModified: new Date(row.scim_updated_at).toISOString(), location,
    },
  };
}

function parseName(value: unknown): KeptAttributes['name'] {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new ScimError(400, 'name must be an object', 'invalidValue');
  return {
    ...(optionalString(attr(value, 'givenName'), 'name.givenName') !== undefined ? { givenName: attr(value, 'givenName') as string } : {}),
    ...(optionalString(attr(value, 'familyName'), 'name.familyName') !== undefined ? { familyName: attr(value, 'familyName') as string } : {}),
    ...(optionalString(attr(value, 'formatted'), 'name.formatted') !== undefined ? { formatted: attr(value, 'formatted') as string } : {}),
  };
}

function parseEmails(value: unknown): KeptAttributes['emails'] {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length > 20) throw new ScimError(400, 'emails must be an array', 'invalidValue');
  return value.map((e, i) => {
    if (!isObject(e) || typeof attr(e, 'value') !== 'string') throw new ScimError(400, `emails[${i}].value must be a string`, 'invalidValue');
    const type = optionalString(attr(e, 'type'), `emails[${i}].type`, 40);
    const primary = attr(e, 'primary');
    return {
      value: optionalString(attr(e, 'value'), `emails[${i}].value`)!,
      ...(type ? { type } : {}),
      ...(primary !== undefined ? { primary: scimBoolean(primary, `emails[${i}].primary`) } : {}),
    };
  });
}

function userNameOf(value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > 256) {
    throw new ScimError(400, 'userName is required: a non-empty string of at most 256 characters', 'invalidValue');
  }
  return value.trim();
}

/** A full User body (POST, PUT) as a state. */
function stateFromBody(body: unknown): UserState {
  if (!isObject(body)) throw new ScimError(400, 'the body must be a User object', 'invalidSyntax');
  const active = attr(body, 'active');
  const name = parseName(attr(body, 'name'));
  const emails = parseEmails(attr(body, 'emails'));
  return {
    userName: userNameOf(attr(body, 'userName')),
    displayName: optionalString(attr(body, 'displayName'), 'displayName', 100),
    externalId: optionalString(attr(body, 'externalId'), 'externalId') ?? null,
    active: active === undefined ? true : scimBoolean(active, 'active'),
    kept: { ...(name ? { name } : {}), ...(emails ? { emails } : {}) },
  };
}

function displayNameOf(state: UserState): string {
  const n = state.kept.name;
  const composed = n?.formatted || [n?.givenName, n?.familyName].filter(Boolean).join(' ');
  return (state.displayName || composed || state.userName).slice(0, 100);
}

function stateOf(row: Row): UserState {
  return {
    userName: row.username, displayName: row.display_name, externalId: row.external_id,
    active: row.status === 'active', kept: JSON.parse(row.attributes) as KeptAttributes,
  };
}

/** One PATCH operation on a user state. Attributes SalesVault does not keep are accepted and ignored. */
function applyOperation(state: UserState, op: PatchOperation): void {
  if (op.path === null) {
    for (const [key, value] of Object.entries(op.value as Record<string, unknown>)) applyOperation(state, { op: op.op, path: key, value });
    return;
  }
  const path = op.path.replace(/^urn:ietf:params:scim:schemas:core:2\.0:User:/i, '');
  const lower = path.toLowerCase();
  const removing = op.op === 'remove';
  if (lower === 'active') {
    if (removing) throw new ScimError(400, 'active cannot be removed', 'mutability');
    state.active = scimBoolean(op.value, 'active');
  } else if (lower === 'username') {
    if (removing) throw new ScimError(400, 'userName cannot be removed', 'mutability');
    state.userName = userNameOf(op.value);
  } else if (lower === 'displayname') {
    state.displayName = removing ? undefined : optionalString(op.value, 'displayName', 100);
  } else if (lower === 'externalid') {
    state.externalId = removing ? null : (optionalString(op.value, 'externalId') ?? null);
  } else if (lower === 'name') {
    state.kept.name = removing ? undefined : parseName(op.value);
  } else if (lower.startsWith('name.')) {
    const key = ({ 'name.givenname': 'givenName', 'name.familyname': 'familyName', 'name.formatted': 'formatted' } as const)[lower as 'name.givenname'];
    if (!key) return;
    const name = { ...(state.kept.name ?? {}) };
    if (removing) delete name[key];
    else name[key] = optionalString(op.value, path)!;
    state.kept.name = name;
  } else if (lower === 'emails') {
    state.kept.emails = removing ? undefined : parseEmails(op.value);
  } else if (/^emails\[type eq "(\w+)"\]\.value$/i.test(path)) {
    const type = /^emails\[type eq "(\w+)"\]/i.exec(path)![1]!;
    const others = (state.kept.emails ?? []).filter((e) => e.type?.toLowerCase() !== type.toLowerCase());
    state.kept.emails = removing ? others : [...others, { value: optionalString(op.value, path)!, type, primary: others.length === 0 }];
  }
  // Anything else (phoneNumbers, addresses, the enterprise extension, …) is not kept.
}

async function persist(ctx: ServerContext, provider: Provider, row: Row, next: UserState): Promise<void> {
  const db = identityDb(ctx.db);
  if (next.userName.toLowerCase() !== row.username.toLowerCase()) {
    const taken = await ctx.db.selectFrom('users').select('id').where((eb) => eb(eb.fn('lower', ['username']), '=', next.userName.toLowerCase()))
      .where('id', '!=', row.id).executeTakeFirst();
    if (taken) throw new ScimError(409, `userName ${next.userName} is taken`, 'uniqueness');
  }
  await ctx.db.updateTable('users').set({ username: next.userName, display_name: displayNameOf(next) }).where('id', '=', row.id).execute();
  await db.updateTable('scim_users').set({ external_id: next.externalId, attributes: JSON.stringify(next.kept), updated_at: ctx.now() })
    .where('user_id', '=', row.id).execute();
  if (row.status === 'active' && !next.active) await deactivate(ctx, provider, row.id, 'active_false');
  if (row.status !== 'active' && next.active) {
    await ctx.db.updateTable('users').set({ status: 'active' }).where('id', '=', row.id).execute();
    await ctx.audit.append({
      actorId: null, deviceId: null, action: 'scim.user.reactivate', target: row.id, outcome: 'ok',
      details: { provider: provider.name, providerId: provider.id, username: next.userName },
    });
  }
}

/** The provider's deactivation: named in the audit trail, then the same path as IT's manual one. */
async function deactivate(ctx: ServerContext, provider: Provider, userId: string, reason: 'active_false' | 'deleted'): Promise<void> {
  await ctx.audit.append({
    actorId: null, deviceId: null, action: 'scim.user.deactivate', target: userId, outcome: 'ok',
    details: { provider: provider.name, providerId: provider.id, reason },
  });
  await deactivateUser(ctx, userId, { userId: null, deviceId: null });
}

export async function createScimUser(ctx: ServerContext, provider: Provider, body: unknown): Promise<string> {
  const state = stateFromBody(body);
  const taken = await ctx.db.selectFrom('users').select('id').where((eb) => eb(eb.fn('lower', ['username']), '=', state.userName.toLowerCase())).executeTakeFirst();
  if (taken) throw new ScimError(409, `userName ${state.userName} is taken`, 'uniqueness');
  let created;
  try {
    // No usable password: nobody knows it; the person signs in through the provider.
    created = await adminCreateUser(ctx, {
      username: state.userName, displayName: displayNameOf(state), password: randomBytes(32).toString('base64url'),
      unitId: provider.default_unit_id, roleId: SSO_PENDING_ROLE_ID, managedUnitIds: [],
    }, { userId: null, deviceId: null });
  } catch (err) {
    if (err instanceof DomainError && err.code === 'conflict') throw new ScimError(409, err.message, 'uniqueness');
    throw err;
  }
  const now = ctx.now();
  await identityDb(ctx.db).insertInto('scim_users').values({
    user_id: created.id, provider_id: provider.id, external_id: state.externalId, attributes: JSON.stringify(state.kept),
    created_at: now, updated_at: now,
  }).execute();
  await ctx.audit.append({
    actorId: null, deviceId: null, action: 'scim.user.create', target: created.id, outcome: 'ok',
    details: { provider: provider.name, providerId: provider.id, username: state.userName, externalId: state.externalId },
  });
  if (!state.active) await deactivate(ctx, provider, created.id, 'active_false');
  return created.id;
}

export async function replaceScimUser(ctx: ServerContext, provider: Provider, id: string, body: unknown): Promise<void> {
  const row = await findUser(ctx, provider, id);
  await persist(ctx, provider, row, stateFromBody(body));
}

export async function patchScimUser(ctx: ServerContext, provider: Provider, id: string, ops: PatchOperation[]): Promise<void> {
  const row = await findUser(ctx, provider, id);
  const state = stateOf(row);
  for (const op of ops) applyOperation(state, op);
  await persist(ctx, provider, row, state);
}

/** DELETE: deactivated (revoked, wiped) and no longer a resource of the provider; the audit trail keeps the user. */
export async function deleteScimUser(ctx: ServerContext, provider: Provider, id: string): Promise<void> {
  const row = await findUser(ctx, provider, id);
  if (row.status === 'active') await deactivate(ctx, provider, id, 'deleted');
  const db = identityDb(ctx.db);
  const groups = await db.selectFrom('scim_group_members').select('group_id').where('user_id', '=', id).execute();
  await db.deleteFrom('scim_group_members').where('user_id', '=', id).execute();
  await db.deleteFrom('user_identities').where('user_id', '=', id).where('provider_id', '=', provider.id).execute();
  await db.deleteFrom('scim_users').where('user_id', '=', id).execute();
  await ctx.audit.append({
    actorId: null, deviceId: null, action: 'scim.user.delete', target: id, outcome: 'ok',
    details: { provider: provider.name, providerId: provider.id, username: row.username, groups: groups.length },
  });
}
