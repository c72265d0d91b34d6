// What the server holds, read straight from its SQLite file: the specs compare what the UI shows
// with this. Who may see which customer is decided by the shared permission engine (the same
// function the server uses), never re-derived here.

import type { Kysely } from 'kysely';
import { openDatabase, type OpenedDatabase } from '../../server/db/connection';
import { rowToRole, rowToShare, rowToUnit, rowToUser } from '../../server/db/mappers';
import type { Database } from '../../server/db/schema';
import { bulkInsertRecords } from '../../server/records/bulk';
import { buildOrgTree, recordAccess, type Subject } from '../../shared/permissions/engine';

export interface ServerCustomer {
  id: string;
  name: string;
  ownerId: string;
  notes: string;
  city: string;
}

export interface ServerActivity {
  id: string;
  customerId: string;
  kind: string;
  text: string;
  authorId: string | null;
  /** Follow-ups (epoch ms): due, done, when it happened; null for what is not set. */
  dueAt: number | null;
  doneAt: number | null;
  at: number;
}

export interface ServerOpportunity {
  id: string;
  customerId: string;
  title: string;
  stage: string;
  ownerId: string;
  amount: number | null;
  expectedCloseDate: string;
}

function toOpportunity(r: { id: string; customer_id: string; title: string; stage: string; owner_id: string; amount: number | null; expected_close_date: string }): ServerOpportunity {
  return { id: r.id, customerId: r.customer_id, title: r.title, stage: r.stage, ownerId: r.owner_id, amount: r.amount, expectedCloseDate: r.expected_close_date };
}

export class ServerDb {
  private constructor(private readonly opened: OpenedDatabase) {}

  static async open(dbPath: string): Promise<ServerDb> {
    // The server process migrated and seeded it; we only read (WAL: readers never block it).
    return new ServerDb(await openDatabase({ sqlitePath: dbPath }));
  }

  get db(): Kysely<Database> {
    return this.opened.db;
  }

  close(): Promise<void> {
    return this.opened.close();
  }

  /**
   * Test set-up, a write: an earlier machine of the user that was retired (signed out,
   * or revoked with its wipe confirmed), so a spec has several devices of one user to tell apart.
   * Retired devices do not count toward the role's device limit.
   */
  async addRetiredDevice(username: string, hostName: string, how: 'signed_out' | 'wipe_confirmed', now = Date.now()): Promise<string> {
    const user = await this.user(username);
    const id = `e2e-${hostName.toLowerCase()}-${now.toString(36)}`;
    await this.db.insertInto('devices').values({
      id, user_id: user.id, public_key: 'retired-test-device', name: 'SalesVault on linux', platform: 'linux', app_version: 'e2e',
      status: 'revoked', enrolled_at: now - 30 * 86_400_000, last_check_in_at: now - 7 * 86_400_000,
      revoked_at: now - 6 * 86_400_000, revoke_reason: how === 'signed_out' ? 'signed_out' : 'lost',
      wipe_confirmed_at: how === 'wipe_confirmed' ? now - 6 * 86_400_000 + 60_000 : null,
      synced_buckets: '[]', synced_read_clearance: null, synced_classification: null, synced_entities: null, audit_latest_at: null,
      install_id: null, host_name: hostName, os_version: 'Linux 6.1', last_ip: '10.20.0.9',
      signed_out_at: how === 'signed_out' ? now - 6 * 86_400_000 : null, check_in_due_at: null,
    }).execute();
    return id;
  }

  /**
   * Test set-up: `count` activities of one customer logged by `authorId`, an hour apart going back
   * from `newest`, written the way the server writes records (with change-log entries, so a
   * device's next pull delivers them). Text: `${prefix} #i` (i = 0 the newest).
   */
  async addActivities(customerId: string, authorId: string, count: number, prefix: string, newest = Date.now()): Promise<void> {
    const activities = Array.from({ length: count }, (_, i) => ({
      id: `e2e-act-${customerId}-${i}-${newest.toString(36)}`, customer_id: customerId, kind: i % 3 === 0 ? 'call' : 'visit',
      at: newest - i * 3_600_000, author_id: authorId, text: `${prefix} #${i}`, due_at: null, done_at: null, reminder_at: null,
      updated_at: newest, version: 1, deleted: 0,
    }));
    await bulkInsertRecords({ db: this.db, dialect: 'sqlite' }, { customers: [], contacts: [], opportunities: [], activities }, { actorId: authorId, now: newest });
  }

  /** Customers in a device's exposure ledger (what it acknowledged holding). */
  async ledgerCustomers(deviceId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('exposure_ledger').select('record_id')
      .where('device_id', '=', deviceId).where('entity', '=', 'customer').execute();
    return rows.map((r) => r.record_id).sort();
  }

  async user(username: string) {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    if (!row) throw new Error(`no user ${username} on the e2e server`);
    return row;
  }

  /** The user's id, display name and role, as the permission engine sees them. */
  async subject(username: string): Promise<Subject> {
    const userRow = await this.user(username);
    const roleRow = await this.db.selectFrom('roles').selectAll().where('id', '=', userRow.role_id).executeTakeFirstOrThrow();
    return { user: rowToUser(userRow), role: rowToRole(roleRow) };
  }

  /** Every live customer the user may read now: own/scope + active shares, by the engine. */
  async visibleCustomers(username: string, now = Date.now()): Promise<ServerCustomer[]> {
    const subject = await this.subject(username);
    const tree = buildOrgTree((await this.db.selectFrom('org_units').selectAll().execute()).map(rowToUnit));
    const shares = (await this.db.selectFrom('shares').selectAll().execute()).map(rowToShare);
    const unitOf = new Map((await this.db.selectFrom('users').select(['id', 'unit_id']).execute()).map((u) => [u.id, u.unit_id]));
    const customers = await this.db
      .selectFrom('customers')
      .select(['id', 'name', 'owner_id', 'notes', 'city'])
      .where('deleted', '=', 0)
      .orderBy('id')
      .execute();
    return customers
      .filter((c) => {
        const record = { customerId: c.id, ownerId: c.owner_id, ownerUnitId: unitOf.get(c.owner_id) ?? '' };
        return recordAccess(subject, tree, record, shares.filter((s) => s.customerId === c.id), now) !== 'none';
      })
      .map((c) => ({ id: c.id, name: c.name, ownerId: c.owner_id, notes: c.notes, city: c.city }));
  }

  async customer(id: string): Promise<ServerCustomer | undefined> {
    const c = await this.db.selectFrom('customers').select(['id', 'name', 'owner_id', 'notes', 'city']).where('id', '=', id).executeTakeFirst();
    return c && { id: c.id, name: c.name, ownerId: c.owner_id, notes: c.notes, city: c.city };
  }

  async activitiesOf(customerId: string): Promise<ServerActivity[]> {
    const rows = await this.db
      .selectFrom('activities')
      .select(['id', 'customer_id', 'kind', 'text', 'author_id', 'due_at', 'done_at', 'at'])
      .where('customer_id', '=', customerId)
      .where('deleted', '=', 0)
      .execute();
    const time = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    return rows.map((a) => ({
      id: a.id, customerId: a.customer_id, kind: a.kind, text: a.text, authorId: a.author_id,
      dueAt: time(a.due_at), doneAt: time(a.done_at), at: Number(a.at),
    }));
  }

  /** Opportunity stage counts over the customers the user may read (a manager's team pipeline). */
  async stageCounts(username: string): Promise<Record<string, number>> {
    const ids = new Set((await this.visibleCustomers(username)).map((c) => c.id));
    const rows = await this.db.selectFrom('opportunities').select(['customer_id', 'stage']).where('deleted', '=', 0).execute();
    const counts: Record<string, number> = {};
    for (const row of rows) if (ids.has(row.customer_id)) counts[row.stage] = (counts[row.stage] ?? 0) + 1;
    return counts;
  }

  /** Every live opportunity of the customers the user may read (what the user's vault holds). */
  async visibleOpportunities(username: string): Promise<ServerOpportunity[]> {
    const ids = new Set((await this.visibleCustomers(username)).map((c) => c.id));
    const rows = await this.db
      .selectFrom('opportunities')
      .select(['id', 'customer_id', 'title', 'stage', 'owner_id', 'amount', 'expected_close_date'])
      .where('deleted', '=', 0)
      .orderBy('id')
      .execute();
    return rows.filter((r) => ids.has(r.customer_id)).map(toOpportunity);
  }

  async opportunity(id: string): Promise<ServerOpportunity | undefined> {
    const row = await this.db
      .selectFrom('opportunities')
      .select(['id', 'customer_id', 'title', 'stage', 'owner_id', 'amount', 'expected_close_date'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toOpportunity(row);
  }

  async devicesOf(username: string) {
    const user = await this.user(username);
    return this.db
      .selectFrom('devices')
      .select(['id', 'name', 'status', 'revoked_at', 'wipe_confirmed_at'])
      .where('user_id', '=', user.id)
      .orderBy('enrolled_at')
      .execute();
  }

  /** The last TOTP time step the server accepted for this user (each step is usable once). */
  async lastTotpStep(username: string): Promise<number | null> {
    return (await this.user(username)).last_totp_step;
  }
}
