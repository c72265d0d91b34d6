// Test kit for the sync suites: small record sets written through the repository, and a model
// client that applies pull responses exactly as the protocol says (drop buckets, purge fields,
// upsert, remove), so tests can compare "the vault" before and after a scope change.

import { expect } from 'vitest';
import type { EntityType } from '../../../shared/domain/model';
import { pullResponseSchema, pushResponseSchema, type Mutation, type PullResponse, type PushResponse } from '../../../shared/protocol/sync';
import type { TestDevice } from '../../../server/test/client';
import type { TestServer } from '../../../server/test/server';
import { createRecord, inRecordTransaction } from '../../../server/records/repository';

export interface ModelRecord {
  entity: EntityType;
  record: Record<string, unknown>;
  buckets: string[];
  writable: boolean;
}

/** The client-side effect of pull responses, per the protocol (what a vault would hold). */
export class ModelVault {
  readonly records = new Map<string, ModelRecord>();
  cursor: string | null = null;

  apply(page: PullResponse): void {
    const dropped = new Set(page.droppedBuckets);
    if (dropped.size > 0) {
      for (const [key, r] of this.records) {
        r.buckets = r.buckets.filter((b) => !dropped.has(b));
        if (r.buckets.length === 0) this.records.delete(key);
      }
    }
    for (const purge of page.fieldPurges) {
      for (const r of this.records.values()) if (r.entity === purge.entity) for (const f of purge.fields) delete r.record[f];
    }
    for (const u of page.upserts) {
      this.records.set(`${u.entity}:${u.record.id}`, { entity: u.entity, record: { ...u.record }, buckets: [...u.buckets], writable: u.writable });
    }
    for (const r of page.removals) this.records.delete(`${r.entity}:${r.id}`);
    this.cursor = page.cursor;
  }

  ids(entity: EntityType): string[] {
    return [...this.records.values()].filter((r) => r.entity === entity).map((r) => String(r.record.id)).sort();
  }

  get(entity: EntityType, id: string): Record<string, unknown> | undefined {
    return this.records.get(`${entity}:${id}`)?.record;
  }
}

export async function pullPage(device: TestDevice, cursor: string | null, limit?: number): Promise<{ status: number; page?: PullResponse; body: unknown; text: string }> {
  const res = await device.signedFetch('POST', '/v1/sync/pull', limit === undefined ? { cursor } : { cursor, limit });
  const text = await res.text();
  const body = JSON.parse(text) as unknown;
  if (res.status !== 200) return { status: res.status, body, text };
  return { status: 200, page: pullResponseSchema.parse(body), body, text };
}

/** Pulls until hasMore is false, applying every page to `vault`. Returns the pages' raw texts. */
export async function syncToEnd(device: TestDevice, vault: ModelVault, limit?: number): Promise<{ pages: PullResponse[]; texts: string[] }> {
  const pages: PullResponse[] = [];
  const texts: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    const { status, page, text } = await pullPage(device, vault.cursor, limit);
    expect(status, text).toBe(200);
    vault.apply(page as PullResponse);
    pages.push(page as PullResponse);
    texts.push(text);
    if (!(page as PullResponse).hasMore) return { pages, texts };
  }
  throw new Error('pull never finished');
}

export async function pushMutations(device: TestDevice, mutations: Mutation[]): Promise<PushResponse> {
  const res = await device.signedFetch('POST', '/v1/sync/push', { mutations });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return pushResponseSchema.parse(JSON.parse(text));
}

/** Distinctive confidential values, so a test can search raw response bytes for them. */
export const SECRET_CREDIT_BASE = 987_650;
export const SECRET_TERMS = 'SECRET-TERMS';

/** A customer with one contact, one opportunity and one activity, written through the repository. */
export async function addCustomer(s: TestServer, ownerId: string, id: string, extra: Record<string, unknown> = {}): Promise<void> {
  const now = s.ctx.now();
  const n = Number(id.replace(/\D/g, '')) || 1;
  await inRecordTransaction(s.ctx, async (trx) => {
    await createRecord(trx, {
      entity: 'customer', id, actorId: null, now,
      fields: {
        name: `Customer ${id}`, type: 'company', industry: '制造业', city: '上海', address: `${id} Road`, ownerId,
        tags: ['VIP'], creditLimit: SECRET_CREDIT_BASE + n, paymentTerms: `${SECRET_TERMS}-${id}`, taxId: `TAX-${id}`, notes: 'note',
        ...extra,
      },
    });
    await createRecord(trx, {
      entity: 'contact', id: `${id}-ct`, actorId: null, now,
      fields: { customerId: id, name: `Contact of ${id}`, title: 'CEO', phone: `1380000${n}`, email: `${id}@example.com`, wechat: `wx_${id}` },
    });
    await createRecord(trx, {
      entity: 'opportunity', id: `${id}-op`, actorId: null, now,
      fields: { customerId: id, title: `Deal ${id}`, stage: 'proposal', amount: 50_000, expectedCloseDate: '2027-01-31', probability: 50, ownerId },
    });
    await createRecord(trx, {
      entity: 'activity', id: `${id}-ac`, actorId: null, now,
      fields: { customerId: id, kind: 'visit', at: now, text: `Visited ${id}`, authorId: ownerId },
    });
  });
}

export function customerIdsOf(vault: ModelVault): string[] {
  return vault.ids('customer');
}

/** JSON request as an admin (or any device) expecting 200. */
export async function call(device: TestDevice, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await device.signedFetch(method, path, body);
  const text = await res.text();
  expect(res.status, `${method} ${path}: ${text}`).toBe(200);
  return JSON.parse(text) as Record<string, unknown>;
}
