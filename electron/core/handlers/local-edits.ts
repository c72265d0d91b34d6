// Local edits as the customer handlers make them: find what the edit touches, ask the local
// authorization (local-authz.ts), write the record and its outbox entry in one transaction,
// then sync in the background. The server re-authorizes every pushed edit.

import { randomUUID } from 'node:crypto';
import type { Action, EntityType } from '../../../shared/domain/model';
import type { GrantClaims } from '../../../shared/protocol/grant';
import type { Mutation } from '../../../shared/protocol/sync';
import { AppError } from '../api-errors';
import { authorizeLocalEdit, writableFieldsFor, type EditTarget } from '../local-authz';
import { customerDetail, editTargetOf } from '../record-access';
import type { AppController, Unlocked } from '../session/controller';

export type ExistingTarget = EditTarget & { kind: 'existing' };

export class LocalEdits {
  constructor(private readonly app: AppController) {}

  /** The customer an edit touches, with the server's write verdict stored for it. */
  customerTarget(u: Unlocked, customerId: string): ExistingTarget {
    const stored = u.vault.getCustomer(customerId);
    if (!stored) throw new AppError('not_found', 'no such customer on this device');
    return editTargetOf(customerId, stored);
  }

  /** An existing record and the customer it belongs to. */
  editTarget(u: Unlocked, entity: EntityType, id: string): { target: ExistingTarget; base: Record<string, unknown> } {
    const base = u.vault.getRecord(entity, id);
    if (!base) throw new AppError('not_found', `no such ${entity} on this device`);
    const customerId = entity === 'customer' ? id : String(base.customerId ?? '');
    return { target: this.customerTarget(u, customerId), base };
  }

  check(u: Unlocked, action: Action, entity: EntityType, target: EditTarget, fields: Record<string, unknown>): void {
    const decision = authorizeLocalEdit(u.grant, action, entity, target, Object.keys(fields));
    if (decision.allowed) return;
    const message =
      decision.reason === 'above_clearance'
        ? `these fields are above your write clearance: ${(decision.fields ?? []).join(', ')}`
        : decision.reason === 'read_only_share'
          ? 'this customer is shared with you read-only'
          : decision.reason === 'no_action'
            ? `your role does not allow ${action}`
            : 'this record is outside your scope';
    throw new AppError('forbidden', message);
  }

  recordUpdate(u: Unlocked, entity: EntityType, id: string, base: Record<string, unknown>, fields: Record<string, unknown>): void {
    if (Object.keys(fields).length === 0) return;
    const baseValues: Record<string, unknown> = {};
    for (const field of Object.keys(fields)) baseValues[field] = base[field] ?? null;
    this.record(u, {
      entity,
      op: 'update',
      recordId: id,
      baseVersion: typeof base.version === 'number' ? base.version : null,
      fields,
      baseValues,
    });
  }

  record(u: Unlocked, m: Omit<Mutation, 'mutationId' | 'createdAt'>): void {
    this.write(u, m);
    this.app.emit();
    void this.app.runSync().catch(() => undefined);
  }

  private write(u: Unlocked, m: Omit<Mutation, 'mutationId' | 'createdAt'>): void {
    // Written optimistically with its outbox entry in one transaction: acknowledged = durable.
    u.vault.applyLocalMutation({ ...m, mutationId: randomUUID(), createdAt: u.now }, u.grant);
  }

  /**
   * Send again an edit the server refused (kept as a sync issue): a new edit with the same
   * values, checked and recorded like one the user just made. An update starts from the record as
   * the vault holds it now; a refused create is recorded as a new record (the server never took
   * the old one). The issue goes once the new edit is in the outbox.
   */
  resend(u: Unlocked, issueId: string): void {
    const issue = u.vault.issueMutation(issueId);
    if (!issue) throw new AppError('not_found', 'this sync issue is gone or holds no edit to send again');
    if (issue.kind !== 'rejected') throw new AppError('validation_failed', 'only a refused edit is sent again; a conflict is settled already');
    const m = issue.mutation;
    const fields = definedOnly(m.fields);
    if (m.op === 'update') {
      const { target, base } = this.editTarget(u, m.entity, m.recordId);
      this.check(u, `${m.entity}.update`, m.entity, target, fields);
      const baseValues: Record<string, unknown> = {};
      for (const field of Object.keys(fields)) baseValues[field] = base[field] ?? null;
      this.write(u, { entity: m.entity, op: 'update', recordId: m.recordId, baseVersion: typeof base.version === 'number' ? base.version : null, fields, baseValues });
    } else if (m.op === 'create') {
      const target: EditTarget = m.entity === 'customer' ? { kind: 'new-customer' } : this.customerTarget(u, String(fields.customerId ?? ''));
      this.check(u, `${m.entity}.create`, m.entity, target, fields);
      this.write(u, { entity: m.entity, op: 'create', recordId: randomUUID(), baseVersion: null, fields, baseValues: {} });
    } else {
      throw new AppError('validation_failed', 'a refused deletion is not sent again');
    }
    u.vault.dismissIssue(issueId);
    this.app.emit();
    void this.app.runSync().catch(() => undefined);
  }

  detailOf(u: Unlocked, customerId: string) {
    const stored = u.vault.getCustomer(customerId);
    if (!stored) throw new AppError('not_found', 'no such customer on this device');
    return customerDetail(u.grant, stored);
  }
}

export function definedOnly(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** Provided fields plus defaults for the writable fields the user left out (never above clearance). */
export function withDefaults(grant: GrantClaims, entity: EntityType, input: Record<string, unknown>, defaults: Record<string, unknown>): Record<string, unknown> {
  const writable = new Set(writableFieldsFor(grant, entity));
  const fields = definedOnly(input);
  for (const [field, value] of Object.entries(defaults)) {
    const structural = field === 'ownerId' || field === 'customerId';
    if (!(field in fields) && (structural || writable.has(field))) fields[field] = value;
  }
  return fields;
}
