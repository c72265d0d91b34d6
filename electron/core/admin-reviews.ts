// Anomaly alerts and access reviews (PRODUCT §7) for the desktop API. Server-side data only:
// nothing here touches the vault. Every call goes through the app service's `callServer`, so
// an unreachable server is `server_unreachable`, a refusal is `forbidden` and a revocation seen
// here wipes like anywhere else. The server decides who may do what (the permission engine).

import type { z } from 'zod';
import type { DesktopMethod, DesktopOutputs, PendingApproval, desktopInputs } from '../../shared/api/desktop-api';
import type { ServerClient } from './sync/server-client';

type AlertAndReviewMethod =
  | 'alertsList'
  | 'alertAcknowledge'
  | 'reviewsList'
  | 'reviewCreate'
  | 'reviewGet'
  | 'reviewDecide'
  | 'reviewExport'
  | 'adminListApprovals'
  | 'adminApproveRequest'
  | 'adminRejectRequest';

type Handler<M extends DesktopMethod> = (input: z.output<(typeof desktopInputs)[M]>) => Promise<DesktopOutputs[M]>;

export interface AlertAndReviewDeps {
  callServer<T>(fn: (client: ServerClient) => Promise<T>): Promise<T>;
  /** The signed-in user's id (for "only the items assigned to me"). */
  currentUserId(): string;
}

/** Records in a CSV body: line breaks outside quoted fields, minus the header row. */
export function csvRecordCount(content: string): number {
  let records = 0;
  let quoted = false;
  let sawData = false;
  for (const ch of content) {
    if (ch === '"') quoted = !quoted;
    if (ch === '\n' && !quoted) {
      if (sawData) records++;
      sawData = false;
    } else if (ch !== '\r' && ch !== '\uFEFF') {
      sawData = true;
    }
  }
  if (sawData) records++;
  return Math.max(0, records - 1);
}

/** A change's result, or the pending approval it became (the server answered 202). */
export function resultOrPending<K extends string, T>(response: { [key in K]: T } | PendingApproval, key: K): T | PendingApproval {
  return 'pendingApproval' in response ? { pendingApproval: response.pendingApproval } : (response as { [key in K]: T })[key];
}

export function alertAndReviewHandlers(deps: AlertAndReviewDeps): { [M in AlertAndReviewMethod]: Handler<M> } {
  const { callServer } = deps;
  return {
    alertsList: async (query) => (await callServer((c) => c.call('listAlerts', undefined, { query }))).alerts,
    alertAcknowledge: async ({ id, note }) =>
      (await callServer((c) => c.call('acknowledgeAlert', note === undefined ? {} : { note }, { params: { id } }))).alert,

    reviewsList: async () => (await callServer((c) => c.call('listReviewCampaigns'))).campaigns,
    reviewCreate: async (input) => (await callServer((c) => c.call('createReviewCampaign', input))).campaign,
    reviewGet: async ({ id, mine }) =>
      callServer((c) => c.call('getReviewCampaign', undefined, { params: { id }, query: mine ? { reviewerId: deps.currentUserId() } : {} })),
    reviewDecide: async ({ campaignId, itemId, decision, note }) =>
      callServer((c) =>
        c.call('decideReviewItem', note === undefined ? { decision } : { decision, note }, { params: { id: campaignId, itemId } }),
      ),
    reviewExport: async ({ id, format }) => {
      const file = await callServer((c) => c.call('exportReviewCampaign', undefined, { params: { id }, query: { format } }));
      if (format === 'json') {
        const parsed = JSON.parse(file.content) as { items?: unknown[] };
        return { filename: file.filename, mime: 'application/json', content: file.content, count: parsed.items?.length ?? 0 };
      }
      // BOM so spreadsheet apps read the Chinese names as UTF-8 (as the other CSV exports do).
      const content = file.content.startsWith('\uFEFF') ? file.content : '\uFEFF' + file.content;
      return { filename: file.filename, mime: 'text/csv', content, count: csvRecordCount(file.content) };
    },

    adminListApprovals: async (query) => (await callServer((c) => c.call('listApprovals', undefined, { query }))).approvals,
    adminApproveRequest: async ({ id }) => (await callServer((c) => c.call('approveRequest', undefined, { params: { id } }))).approval,
    adminRejectRequest: async ({ id }) => (await callServer((c) => c.call('rejectRequest', undefined, { params: { id } }))).approval,
  };
}
