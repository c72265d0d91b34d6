// The fake DesktopApi's pending approvals (renderer tests and screenshots only). Same rules as
// the server: listed by admin.users or admin.roles holders; decided by another administrator
// holding the request's permission, never by the one who asked.

import type { ApiErrorCode, DesktopInput, DesktopOutputs, Result } from '../../shared/api/desktop-api';
import type { User } from '../../shared/domain/model';
import type { ApprovalView } from '../../shared/protocol/routes';

type Method = 'adminListApprovals' | 'adminApproveRequest' | 'adminRejectRequest';
type Handlers = { [M in Method]: (input: DesktopInput<M>) => Result<DesktopOutputs[M]> };

export interface FakeApprovalsContext {
  now(): number;
  users: User[];
  currentUserId(): string | null;
  needAnyAction(actions: string[]): Result<never> | null;
}

const ok = <T,>(value: T): Result<T> => ({ ok: true, value });
const fail = (code: ApiErrorCode, message: string): Result<never> => ({ ok: false, error: { code, message } });

export function fakeApprovalHandlers(ctx: FakeApprovalsContext): Handlers {
  const t0 = ctx.now();
  const id = (username: string) => ctx.users.find((u) => u.username === username)?.id ?? username;
  const base = { status: 'pending' as const, decidedBy: null, decidedAt: null };
  const approvals: ApprovalView[] = [
    {
      ...base, id: 'approval-1', kind: 'role.update', permission: 'admin.roles', target: 'role-rep', requestedBy: id('sun.lei'), requestedAt: t0 - 15 * 60_000,
      change: { kind: 'role.update', roleId: 'role-rep', patch: { readClearance: 'confidential' } }, reasons: ['read_clearance_raised'],
    },
    {
      ...base, id: 'approval-2', kind: 'user.update', permission: 'admin.users', target: id('zhang.qiang'), requestedBy: id('zhou.ting'), requestedAt: t0 - 2 * 3600_000,
      change: { kind: 'user.update', userId: id('zhang.qiang'), patch: { roleId: 'role-manager', managedUnitIds: ['u-sh-2'] } },
      reasons: ['actions_gained', 'read_clearance_raised', 'scope_widened'],
    },
  ];

  const decide = (input: { id: string }, status: 'approved' | 'rejected'): Result<ApprovalView> => {
    const denied = ctx.needAnyAction(['admin.users', 'admin.roles']);
    if (denied) return denied;
    const a = approvals.find((x) => x.id === input.id);
    if (!a) return fail('not_found', 'no such request');
    if (a.requestedBy === ctx.currentUserId()) return fail('own_request', 'a second administrator decides');
    if (a.status !== 'pending') return fail('validation_failed', 'already decided');
    Object.assign(a, { status, decidedBy: ctx.currentUserId(), decidedAt: ctx.now() });
    return ok({ ...a });
  };

  return {
    adminListApprovals: (input) =>
      ctx.needAnyAction(['admin.users', 'admin.roles']) ?? ok(approvals.filter((a) => !input?.status || a.status === input.status).map((a) => ({ ...a }))),
    adminApproveRequest: (input) => decide(input, 'approved'),
    adminRejectRequest: (input) => decide(input, 'rejected'),
  };
}
