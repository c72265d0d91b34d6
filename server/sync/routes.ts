// The sync side of the HTTP API: pull, push and the offline-audit upload. Every decision goes
// through the permission engine; every record change through server/records. Shares and owner
// reassignment are in ../ownership; the event stream is ../events/stream.ts.

import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context';
import { issueGrant } from '../devices/grant';
import { assertAppVersionAllowed } from '../devices/min-version';
import { route } from '../http/route';
import { acceptOfflineAudit } from './offline-audit';
import { pull } from './pull';
import { push } from './push';

export function registerSyncRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // A device below its platform's minimum app version neither pulls nor pushes (its version is
  // the one of its last check-in): devices/min-version.ts.
  route(app, ctx, 'pull', async ({ body, principal }) => {
    await assertAppVersionAllowed(ctx, principal.device.platform, principal.device.app_version);
    return pull(ctx, principal, body, { issueGrant: async (p, scope) => (await issueGrant(ctx, p.subject, p.device.id, scope)).grant });
  });

  route(app, ctx, 'push', async ({ body, principal }) => {
    await assertAppVersionAllowed(ctx, principal.device.platform, principal.device.app_version);
    return push(ctx, principal, body.mutations);
  });

  route(app, ctx, 'uploadAudit', async ({ body, principal }) => {
    await acceptOfflineAudit(ctx, principal, body.entries);
    return { accepted: body.entries.length };
  });
}
