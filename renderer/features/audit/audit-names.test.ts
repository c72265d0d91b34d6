import { describe, expect, it } from 'vitest';
import type { AuditEntryView } from '../../../shared/protocol/routes';
import { AUDIT_ACTION_TEXT, auditActionText, auditGroupText } from '../../i18n/audit-actions';
import { actorLabel, deviceLabel, entryDeviceLabel, targetLabel } from './audit-names';

const base: AuditEntryView = {
  seq: 1, at: 0, actorId: 'user-1', deviceId: 'dev-1', action: 'admin.device.revoke', target: 'dev-2', outcome: 'ok', details: {}, hash: 'h',
};
const person = { kind: 'user' as const, id: 'user-1', username: 'it.admin', displayName: '王建国' };
const laptop = { kind: 'device' as const, id: 'dev-2', name: 'SalesVault on linux (rep.li)', hostName: 'LAPTOP-7', platform: 'linux', userId: 'user-2', ownerName: '李雷' };

describe('audit names and words', () => {
  it('shows names where the server resolved them, the raw value where it did not', () => {
    const named: AuditEntryView = { ...base, names: { actor: person, target: laptop } };
    expect(actorLabel(named)).toBe('王建国 (it.admin)');
    expect(targetLabel(named)).toBe('LAPTOP-7 · SalesVault on linux (rep.li) (李雷)');
    expect(entryDeviceLabel(named)).toBe('dev-1');
    expect(actorLabel({ ...base, actorId: null })).toBeNull();
    expect(targetLabel({ ...base, target: 'customer:c-1' })).toBe('customer:c-1');
    // a label that already carries the host name is not repeated
    expect(deviceLabel({ ...laptop, name: 'LAPTOP-7 · SalesVault on linux' })).toBe('LAPTOP-7 · SalesVault on linux');
  });

  it('says an action in words in both languages, a refused request by its name, an unknown code as it is', () => {
    expect(auditActionText('admin.device.revoke', 'zh-CN')).toBe(AUDIT_ACTION_TEXT['admin.device.revoke']['zh-CN']);
    expect(auditActionText('admin.device.revoke', 'en')).toBe('Revoked a device');
    expect(auditActionText('admin.listUsers', 'en')).toBe('Administration request refused: listUsers');
    expect(auditGroupText('admin.listUsers', 'zh-CN')).toBe('管理');
    expect(auditActionText('something.new', 'en')).toBe('something.new');
    expect(auditGroupText('something.new', 'en')).toBeNull();
  });
});
