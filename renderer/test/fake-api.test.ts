import { describe, expect, it } from 'vitest';
import { DESKTOP_METHODS } from '../../shared/api/desktop-api';
import { createFakeApi, FAKE_BAD_MFA_CODE, FAKE_PASSWORD } from './fake-api';

// The fake must behave like the contract says, or UI checks made with it mean nothing.

describe('fake desktop API', () => {
  it('implements every method of the contract', () => {
    const api = createFakeApi();
    for (const method of DESKTOP_METHODS) expect(typeof api[method], method).toBe('function');
  });

  it('signs in with MFA, runs the first sync and reaches ready', async () => {
    const api = createFakeApi({ firstSyncStepMs: 0 });
    const phases: string[] = [];
    api.onStateChange((s) => phases.push(s.phase));
    expect((await api.signIn({ serverUrl: 'http://127.0.0.1:8787', username: 'wang.wei', password: 'nope' })).ok).toBe(false);
    const first = await api.signIn({ serverUrl: 'http://127.0.0.1:8787', username: 'xu.new', password: FAKE_PASSWORD });
    expect(first.ok && first.value.mfaSetupRequired).toBe(true);
    expect(first.ok && first.value.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    const bad = await api.verifyMfa({ code: FAKE_BAD_MFA_CODE });
    expect(!bad.ok && bad.error.code).toBe('mfa_invalid');
    const invalid = await api.verifyMfa({ code: '12ab' as string });
    expect(!invalid.ok && invalid.error.code).toBe('validation_failed');
    const good = await api.verifyMfa({ code: '123456' });
    expect(good.ok).toBe(true);
    expect(api.currentState().phase).toBe('ready');
    expect(phases).toContain('first-sync');
  });

  it('projects records through the permission engine: above-clearance fields are absent', async () => {
    const rep = createFakeApi({ signedInAs: 'wang.wei' });
    const list = await rep.searchCustomers({ query: '' });
    if (!list.ok) throw new Error(list.error.message);
    expect(list.value.total).toBeGreaterThan(0);
    // Only the rep's own customers.
    expect(new Set(list.value.rows.map((r) => r.ownerId))).toEqual(new Set(['usr-wang']));
    const detail = await rep.getCustomer({ id: list.value.rows[0]!.id });
    if (!detail.ok) throw new Error(detail.error.message);
    expect('creditLimit' in detail.value.customer).toBe(false);
    expect('taxId' in detail.value.customer).toBe(true);
    expect(detail.value.canEdit).toBe(true);
    const denied = await rep.updateCustomer({ id: detail.value.customer.id, fields: { creditLimit: 1 } });
    expect(!denied.ok && denied.error.code).toBe('forbidden');

    const manager = createFakeApi({ signedInAs: 'chen.jing' });
    const full = await manager.getCustomer({ id: detail.value.customer.id });
    expect(full.ok && 'creditLimit' in full.value.customer).toBe(true);
  });

  it('gives customer service read-only master data but service notes', async () => {
    const api = createFakeApi({ signedInAs: 'zhao.min' });
    const list = await api.searchCustomers({ query: '' });
    if (!list.ok) throw new Error(list.error.message);
    const detail = await api.getCustomer({ id: list.value.rows[0]!.id });
    if (!detail.ok) throw new Error(detail.error.message);
    expect(detail.value.canEdit).toBe(false);
    expect(detail.value.access.customer.writable).toEqual([]);
    expect(detail.value.canLogActivity).toBe(true);
    const edit = await api.updateCustomer({ id: detail.value.customer.id, fields: { city: '苏州' } });
    expect(!edit.ok && edit.error.code).toBe('forbidden');
    const note = await api.logActivity({ customerId: detail.value.customer.id, kind: 'service_note', text: '客户来电咨询发票' });
    expect(note.ok).toBe(true);
    expect(api.currentState().outboxCount).toBe(1);
  });

  it('queues edits in the outbox and drains it on sync, refusing while offline', async () => {
    const api = createFakeApi({ signedInAs: 'wang.wei' });
    const list = await api.searchCustomers({ query: '' });
    if (!list.ok) throw new Error(list.error.message);
    const id = list.value.rows[0]!.id;
    await api.updateCustomer({ id, fields: { city: '苏州' } });
    const after = await api.searchCustomers({ query: '' });
    expect(after.ok && after.value.rows.find((r) => r.id === id)?.pending).toBe(true);
    api.patchState({ online: false });
    expect((await api.syncNow()).ok).toBe(false);
    expect(api.currentState().outboxCount).toBe(1);
    api.patchState({ online: true });
    expect((await api.syncNow()).ok).toBe(true);
    expect(api.currentState().outboxCount).toBe(0);
  });

  it('keeps admins and auditors away from customer data', async () => {
    for (const username of ['sun.lei', 'zhou.ting']) {
      const api = createFakeApi({ signedInAs: username });
      const r = await api.searchCustomers({ query: '' });
      expect(!r.ok && r.error.code, username).toBe('forbidden');
    }
    const auditor = createFakeApi({ signedInAs: 'zhou.ting' });
    expect((await auditor.auditVerify()).ok).toBe(true);
    expect((await auditor.adminListUsers()).ok).toBe(false);
  });
});
