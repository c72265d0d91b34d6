// Small helpers shared by the sync attack files: mutations as a device would push them, and
// reads of what the server stored (held mutations, audit rows), so each attack states its
// expected outcome in the server's own terms.

import { randomUUID } from 'node:crypto';
import type { EntityType } from '../../shared/domain/model';
import type { Mutation } from '../../shared/protocol/sync';
import type { TestServer } from '../../server/test/server';

export function createOf(s: TestServer, entity: EntityType, recordId: string, fields: Record<string, unknown>): Mutation {
  return { mutationId: randomUUID(), entity, op: 'create', recordId, baseVersion: null, fields, baseValues: {}, createdAt: s.clock.now() };
}

export function updateOf(s: TestServer, entity: EntityType, recordId: string, fields: Record<string, unknown>, baseValues: Record<string, unknown> = {}): Mutation {
  return { mutationId: randomUUID(), entity, op: 'update', recordId, baseVersion: null, fields, baseValues, createdAt: s.clock.now() };
}

export function heldOf(s: TestServer, mutationId: string) {
  return s.ctx.db.selectFrom('held_mutations').selectAll().where('mutation_id', '=', mutationId).execute();
}

export async function auditOfMutation(s: TestServer, mutationId: string): Promise<{ outcome: string; details: Record<string, unknown> }[]> {
  const rows = await s.ctx.db.selectFrom('audit_log').selectAll().where('action', 'like', 'record.%').orderBy('seq').execute();
  return rows
    .map((r) => ({ outcome: r.outcome, details: JSON.parse(r.details) as Record<string, unknown> }))
    .filter((r) => r.details.mutationId === mutationId);
}

export function opportunityFields(customerId: string, ownerId: string, title = 'Deal'): Record<string, unknown> {
  return { customerId, title, stage: 'lead', amount: 1000, expectedCloseDate: '2027-03-31', probability: 10, ownerId };
}
