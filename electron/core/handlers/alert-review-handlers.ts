// Anomaly alerts (what the server flagged as suspicious) and access reviews (periodic
// re-certification of who may see what) for the desktop API. Server-side data only:
// nothing here touches the vault. Every call goes through the controller's `callServer`, so
// an unreachable server is `server_unreachable`, a refusal is `forbidden` and a revocation seen
// here wipes like anywhere else. The server decides who may do what (the permission engine).

import type { ServerClient } from '../sync/server-client';
import { csvRecordCount } from './exports';
import type { HandlerGroup } from './types';

type AlertAndReviewMethod =
  | 'alertsList'
  | 'alertAcknowledge'
  | 'alertConfigGet'
  | 'alertConfigSet'
  | 'reviewsList'
  | 'reviewCreate'
  | 'reviewGet'
  | 'reviewDecide'
  | 'reviewExport';

export interface AlertAndReviewDeps {
  callServer<T>(fn: (client: ServerClient) => Promise<T>): Promise<T>;
  /** The signed-in user's id (for "only the items assigned to me"). */
  currentUserId(): string;
}

export function alertAndReviewHandlers(deps: AlertAndReviewDeps): HandlerGroup<AlertAndReviewMethod> {
  const { callServer } = deps;
  return {
    alertsList: async (query) => (await callServer((c) => c.call('listAlerts', undefined, { query }))).alerts,
    alertAcknowledge: async ({ id, note }) =>
      (await callServer((c) => c.call('acknowledgeAlert', note === undefined ? {} : { note }, { params: { id } }))).alert,

    alertConfigGet: async () => (await callServer((c) => c.call('getAlertConfig'))).config,
    alertConfigSet: async (config) => (await callServer((c) => c.call('updateAlertConfig', config))).config,

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
  };
}
