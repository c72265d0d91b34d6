// What the renderer sees of the app at one instant (DesktopApi.getState and every
// onStateChange): the state machine's phase and progress, and the open session's user, lease
// and counts. Read-only: taking a snapshot changes nothing.

import type { AppState, SessionUser } from '../../../shared/api/desktop-api';
import type { GrantClaims } from '../../../shared/protocol/grant';
import type { AppStateMachine } from './app-state';
import type { ClientSession } from './session';

export function appSnapshot(s: AppStateMachine, session: ClientSession | null, fallback: { serverUrl: string | null }): AppState {
  const grant = session ? session.grant : null;
  const lastSync = session?.vault.getMeta('lastSyncAt');
  return {
    revision: s.revision,
    phase: s.phase,
    serverUrl: session?.identity.serverUrl ?? fallback.serverUrl,
    user: grant ? sessionUser(grant) : null,
    online: s.online,
    lastSyncAt: lastSync ? Number(lastSync) : null,
    dataVersion: session ? session.vault.dataVersion() : 0,
    outboxCount: session ? session.vault.outboxCount() : 0,
    issueCount: session ? session.vault.listIssues().length : 0,
    leaseUntil: grant?.leaseUntil ?? null,
    wipeAfter: grant?.wipeAfter ?? null,
    progress: s.progress,
    reason: s.reason,
    locale: s.locale,
    sync: { ...s.sync },
    recovery: s.recovery,
    updateRequired: s.updateRequired,
    update: { ...s.update },
  };
}

function sessionUser(grant: GrantClaims): SessionUser {
  return {
    id: grant.sub,
    username: grant.username,
    displayName: grant.displayName,
    roleKey: grant.role.key,
    roleName: grant.role.name,
    actions: [...grant.actions],
    dataScope: grant.dataScope,
    readClearance: grant.readClearance,
    writeClearance: grant.writeClearance,
    exportAllowed: grant.offline.exportAllowed,
  };
}
