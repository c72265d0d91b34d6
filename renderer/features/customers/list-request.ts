import type { AppState } from '../../../shared/api/desktop-api';

/**
 * What the customer list's loaded rows depend on: the search (query and filters), the data
 * version and the outbox. A new key reloads the list from its first page; the same key keeps
 * every loaded row and the scroll position. lastSyncAt is deliberately not part of it: a
 * background sync that changed no record must change nothing on screen.
 */
export function customerListRequestKey(searchKey: string, state: Pick<AppState, 'dataVersion' | 'outboxCount'>): string {
  return JSON.stringify([searchKey, state.dataVersion, state.outboxCount]);
}
