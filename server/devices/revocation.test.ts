// The revocation decision on its own: which reason a device gets refused with, in which order.
// (The HTTP refusal, the stream's `revoked` event and the directive's signature are covered by
// server/http/signed-requests.test.ts and server/events/events.test.ts.)

import { describe, expect, it } from 'vitest';
import { revocationReason } from './revocation';

describe('revocationReason', () => {
  it('lets an active device of an active user act', () => {
    expect(revocationReason({ status: 'active' }, { status: 'active' })).toBeNull();
  });

  it('refuses a revoked or missing device as device_revoked, even when its user is also inactive', () => {
    expect(revocationReason({ status: 'revoked' }, { status: 'active' })).toBe('device_revoked');
    expect(revocationReason({ status: 'revoked' }, { status: 'deactivated' })).toBe('device_revoked');
    expect(revocationReason(undefined, { status: 'active' })).toBe('device_revoked');
  });

  it('refuses an active device of a deactivated or missing user as user_deactivated', () => {
    expect(revocationReason({ status: 'active' }, { status: 'deactivated' })).toBe('user_deactivated');
    expect(revocationReason({ status: 'active' }, undefined)).toBe('user_deactivated');
  });
});
