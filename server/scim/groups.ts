// SCIM Groups for one provider: groups and their members as the provider pushes them. Every
// membership change, rename or deletion re-places the users concerned by IT's group rules
// (./placement.ts), which re-scopes their devices like an admin change.

import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { ServerContext } from '../context';
import { identityDb, type IdentityProvidersTable, type ScimGroupsTable } from '../sso/tables';
import { applyPlacement } from './placement';
import { attr, isObject, optionalString, ScimError, SCIM, type PatchOperation } from './protocol';

type Provider = Selectable<IdentityProvidersTable>;

export async function findGroup(ctx: ServerContext, provider: Provider, id: string): Promise<Selectable<ScimGroupsTable>> {
  const row = await identityDb(ctx.db).selectFrom('scim_groups').selectAll().where('id', '=', id).where('provider_id', '=', provider.id).executeTakeFirst();
  if (!row) throw new ScimError(404, `no group ${id}`);
  return row;
}

export async function listGroups(
  ctx: ServerContext, provider: Provider, filter: { attribute: string; value: string } | null, page: { startIndex: number; count: number },
): Promise<{ rows: Selectable<ScimGroupsTable>[]; total: number }> {
  let q = identityDb(ctx.db).selectFrom('scim_groups').selectAll().where('provider_id', '=', provider.id);
  if (filter?.attribute === 'displayName') q = q.where((eb) => eb(eb.fn('lower', ['display_name']), '=', filter.value.toLowerCase()));
  if (filter?.attribute === 'externalId') q = q.where('external_id', '=', filter.value);
  const all = await q.orderBy('created_at').orderBy('id').execute();
  return { rows: all.slice(page.startIndex - 1, page.startIndex - 1 + page.count), total: all.length };
}

export async function groupResource(
  ctx: ServerContext, row: Selectable<ScimGroupsTable>, location: string, withMembers: boolean,
): Promise<Record<string, unknown>> {
  const members = withMembers
    ? await identityDb(ctx.db).selectFrom('scim_group_members').innerJoin('users', 'users.id', 'scim_group_members.user_id')
      .select(['users.id', 'users.username']).where('scim_group_members.group_id', '=', row.id).orderBy('users.username').execute()
    : [];
  return {
    schemas: [SCIM.group],
    id: row.id,
    displayName: row.display_name,
    ...(row.external_id !== null ? { externalId: row.external_id } : {}),
    ...(withMembers ? { members: members.map((m) => ({ value: m.id, display: m.username })) } : {}),
    meta: { resourceType: 'Group', created: new Date(row.created_at).toISOString(), lastModified: new Date(row.updated_at).toISOString(), location },
  };
}

function displayNameOf(value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > 256) {
    throw new ScimError(400, 'displayName is required: a non-empty string of at most 256 characters', 'invalidValue');
  }
  return value.trim();
}

/** Member ids from `[{ value }]`; every one must be a user this provider provisioned. */
async function memberIds(ctx: ServerContext, provider: Provider, value: unknown): Promise<string[]> {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  if (list.length > 1000) throw new ScimError(400, 'too many members in one request', 'tooMany');
  const ids = list.map((m, i) => {
    const id = isObject(m) ? attr(m, 'value') : undefined;
    if (typeof id !== 'string' || id.length === 0 || id.length > 64) throw new ScimError(400, `members[${i}].value must be a user id`, 'invalidValue');
    return id;
  });
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const known = await identityDb(ctx.db).selectFrom('scim_users').select('user_id')
    .where('provider_id', '=', provider.id).where('user_id', 'in', unique).execute();
  const knownIds = new Set(known.map((k) => k.user_id));
  const missing = unique.filter((id) => !knownIds.has(id));
  if (missing.length) throw new ScimError(400, `unknown member ${missing.slice(0, 5).join(', ')}: provision the user first`, 'invalidValue');
  return unique;
}

async function currentMembers(ctx: ServerContext, groupId: string): Promise<Set<string>> {
  const rows = await identityDb(ctx.db).selectFrom('scim_group_members').select('user_id').where('group_id', '=', groupId).execute();
  return new Set(rows.map((r) => r.user_id));
}

async function writeMembers(ctx: ServerContext, groupId: string, before: Set<string>, after: Set<string>): Promise<string[]> {
  const db = identityDb(ctx.db);
  const added = [...after].filter((id) => !before.has(id));
  const removed = [...before].filter((id) => !after.has(id));
  if (removed.length) await db.deleteFrom('scim_group_members').where('group_id', '=', groupId).where('user_id', 'in', removed).execute();
  for (const userId of added) await db.insertInto('scim_group_members').values({ group_id: groupId, user_id: userId }).execute();
  return [...added, ...removed];
}

async function audit(ctx: ServerContext, provider: Provider, action: string, groupId: string, details: Record<string, unknown>): Promise<void> {
  await ctx.audit.append({
    actorId: null, deviceId: null, action, target: groupId, outcome: 'ok',
    details: { provider: provider.name, providerId: provider.id, ...details },
  });
}

export async function createScimGroup(ctx: ServerContext, provider: Provider, body: unknown): Promise<string> {
  if (!isObject(body)) throw new ScimError(400, 'the body must be a Group object', 'invalidSyntax');
  const displayName = displayNameOf(attr(body, 'displayName'));
  const externalId = optionalString(attr(body, 'externalId'), 'externalId') ?? null;
  const members = await memberIds(ctx, provider, attr(body, 'members'));
  const db = identityDb(ctx.db);
  const taken = await db.selectFrom('scim_groups').select('id').where('provider_id', '=', provider.id)
    .where((eb) => eb(eb.fn('lower', ['display_name']), '=', displayName.toLowerCase())).executeTakeFirst();
  if (taken) throw new ScimError(409, `a group named ${displayName} exists`, 'uniqueness');
  const now = ctx.now();
  const id = randomUUID();
  await db.insertInto('scim_groups').values({ id, provider_id: provider.id, display_name: displayName, external_id: externalId, created_at: now, updated_at: now }).execute();
  await writeMembers(ctx, id, new Set(), new Set(members));
  await audit(ctx, provider, 'scim.group.create', id, { displayName, members: members.length });
  await applyPlacement(ctx, provider, members);
  return id;
}

export async function replaceScimGroup(ctx: ServerContext, provider: Provider, id: string, body: unknown): Promise<void> {
  const group = await findGroup(ctx, provider, id);
  if (!isObject(body)) throw new ScimError(400, 'the body must be a Group object', 'invalidSyntax');
  const displayName = displayNameOf(attr(body, 'displayName'));
  const externalId = optionalString(attr(body, 'externalId'), 'externalId') ?? null;
  const members = new Set(await memberIds(ctx, provider, attr(body, 'members')));
  await saveGroup(ctx, provider, group, displayName, externalId, members);
}

const MEMBER_FILTER = /^members\[\s*value\s+eq\s+"([^"]+)"\s*\]$/i;

export async function patchScimGroup(ctx: ServerContext, provider: Provider, id: string, ops: PatchOperation[]): Promise<void> {
  const group = await findGroup(ctx, provider, id);
  let displayName = group.display_name;
  let externalId = group.external_id;
  const members = await currentMembers(ctx, id);
  for (const op of ops) {
    const path = op.path?.replace(/^urn:ietf:params:scim:schemas:core:2\.0:Group:/i, '') ?? null;
    if (path === null) {
      // Okta: { op: "replace", value: { id, displayName } }; also { members: [...] } from some clients.
      const value = op.value as Record<string, unknown>;
      if (attr(value, 'displayName') !== undefined) displayName = displayNameOf(attr(value, 'displayName'));
      if (attr(value, 'externalId') !== undefined) externalId = optionalString(attr(value, 'externalId'), 'externalId') ?? null;
      if (attr(value, 'members') !== undefined) {
        const ids = await memberIds(ctx, provider, attr(value, 'members'));
        if (op.op === 'replace') members.clear();
        for (const m of ids) members.add(m);
      }
      continue;
    }
    const lower = path.toLowerCase();
    const filtered = MEMBER_FILTER.exec(path);
    if (lower === 'members') {
      const ids = await memberIds(ctx, provider, op.value);
      if (op.op === 'replace') members.clear();
      if (op.op === 'remove') {
        // Entra: { op: "Remove", path: "members", value: [{ value }] }; no value removes everyone.
        if (op.value === undefined) members.clear();
        for (const m of ids) members.delete(m);
      } else {
        for (const m of ids) members.add(m);
      }
    } else if (filtered) {
      if (op.op !== 'remove') throw new ScimError(400, `${op.op} on a filtered members path is not supported`, 'invalidPath');
      members.delete(filtered[1]!);
    } else if (lower === 'displayname') {
      if (op.op === 'remove') throw new ScimError(400, 'displayName cannot be removed', 'mutability');
      displayName = displayNameOf(op.value);
    } else if (lower === 'externalid') {
      externalId = op.op === 'remove' ? null : (optionalString(op.value, 'externalId') ?? null);
    } else {
      throw new ScimError(400, `unsupported path ${path} on a group`, 'invalidPath');
    }
  }
  await saveGroup(ctx, provider, group, displayName, externalId, members);
}

async function saveGroup(
  ctx: ServerContext, provider: Provider, group: Selectable<ScimGroupsTable>, displayName: string, externalId: string | null, members: Set<string>,
): Promise<void> {
  const before = await currentMembers(ctx, group.id);
  await identityDb(ctx.db).updateTable('scim_groups').set({ display_name: displayName, external_id: externalId, updated_at: ctx.now() })
    .where('id', '=', group.id).execute();
  const changed = await writeMembers(ctx, group.id, before, members);
  const renamed = displayName !== group.display_name;
  await audit(ctx, provider, 'scim.group.update', group.id, {
    displayName, renamedFrom: renamed ? group.display_name : undefined,
    added: [...members].filter((m) => !before.has(m)).length, removed: [...before].filter((m) => !members.has(m)).length,
  });
  // A rename can change which rule matches every member; a membership change only the changed ones.
  await applyPlacement(ctx, provider, renamed ? [...new Set([...before, ...members])] : changed);
}

export async function deleteScimGroup(ctx: ServerContext, provider: Provider, id: string): Promise<void> {
  const group = await findGroup(ctx, provider, id);
  const members = [...(await currentMembers(ctx, id))];
  const db = identityDb(ctx.db);
  await db.deleteFrom('scim_group_members').where('group_id', '=', id).execute();
  await db.deleteFrom('scim_groups').where('id', '=', id).execute();
  await audit(ctx, provider, 'scim.group.delete', id, { displayName: group.display_name, members: members.length });
  await applyPlacement(ctx, provider, members);
}
