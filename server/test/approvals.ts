// Four eyes in tests: a change that widens access answers 202 with a pending approval; a second
// administrator's device approves it. Used wherever a test needs such a change applied.

import { expect } from 'vitest';
import type { TestDevice } from './client';

/** Expects `res` to be a 202 pending approval, approves it with `approver`, returns the request id. */
export async function approveWith(approver: TestDevice, res: Response): Promise<string> {
  const body = (await res.json()) as { pendingApproval?: { id: string } };
  expect(res.status, JSON.stringify(body)).toBe(202);
  const id = body.pendingApproval!.id;
  const approved = await approver.signedFetch('POST', `/v1/admin/approvals/${id}/approve`);
  expect(approved.status, await approved.clone().text()).toBe(200);
  return id;
}

/** Makes a widening change as `requester` and has `approver` (a second administrator) approve it. */
export async function callWithApproval(requester: TestDevice, approver: TestDevice, method: string, path: string, body?: unknown): Promise<string> {
  return approveWith(approver, await requester.signedFetch(method, path, body));
}
