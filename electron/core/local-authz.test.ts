// The offline pre-check of edits carries the server's verdict for the record as it is: the
// engine answers for the role, the stored `writable` verdict for the record, the clearance for
// the fields. Nothing is reconstructed from an owner id or a stand-in share.
import { describe, expect, it } from 'vitest';
import { grantFor } from '../../test/support/vault';
import { authorizeLocalEdit } from './local-authz';
import { customerDetail } from './record-access';

const rep = grantFor({ writeClearance: 'internal', readClearance: 'sensitive' });

describe('authorizeLocalEdit', () => {
  it('an existing customer the server marked read-only cannot be written, whoever owns it', () => {
    for (const action of ['customer.update', 'contact.create', 'activity.create'] as const) {
      const entity = action.split('.')[0] as 'customer' | 'contact' | 'activity';
      expect(authorizeLocalEdit(rep, action, entity, { kind: 'existing', customerId: 'c1', writable: false }, [])).toEqual({
        allowed: false,
        reason: 'read_only_share',
      });
      expect(authorizeLocalEdit(rep, action, entity, { kind: 'existing', customerId: 'c1', writable: true }, []).allowed).toBe(true);
    }
  });

  it('reading needs no write verdict', () => {
    expect(authorizeLocalEdit(rep, 'customer.read', 'customer', { kind: 'existing', customerId: 'c1', writable: false }, []).allowed).toBe(true);
  });

  it('the role decides first: an action it lacks is refused even where the server would let it write', () => {
    const reader = grantFor({ actions: ['customer.read'] });
    expect(authorizeLocalEdit(reader, 'customer.update', 'customer', { kind: 'existing', customerId: 'c1', writable: true }, [])).toEqual({
      allowed: false,
      reason: 'no_action',
    });
    expect(authorizeLocalEdit(grantFor({ dataScope: 'none' }), 'customer.create', 'customer', { kind: 'new-customer' }, []).allowed).toBe(false);
  });

  it('fields above the write clearance are named in the refusal', () => {
    const decision = authorizeLocalEdit(rep, 'customer.update', 'customer', { kind: 'existing', customerId: 'c1', writable: true }, ['notes', 'taxId']);
    expect(decision).toEqual({ allowed: false, reason: 'above_clearance', fields: ['taxId'] });
  });
});

describe('customerDetail (per-record access for the UI)', () => {
  const stored = (writable: boolean) => ({
    customer: { id: 'c1', name: 'Northwind', ownerId: 'u-other' } as never,
    contacts: [],
    opportunities: [],
    activities: [],
    counts: { contacts: 0, opportunities: 0, activities: 0 },
    next: { contacts: null, opportunities: null, activities: null },
    writable,
    pending: false,
  });

  it("follows the stored verdict: writable fields and edit rights only where the server said write", () => {
    const writable = customerDetail(rep, stored(true));
    expect(writable.canEdit).toBe(true);
    expect(writable.canLogActivity).toBe(true);
    expect(writable.access.customer.writable).toContain('notes');
    const readOnly = customerDetail(rep, stored(false));
    expect(readOnly.canEdit).toBe(false);
    expect(readOnly.canLogActivity).toBe(false);
    expect(readOnly.access.customer.writable).toEqual([]);
    expect(readOnly.access.customer.readable).toEqual(writable.access.customer.readable);
  });
});
