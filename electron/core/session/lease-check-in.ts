// The check-in the controller tries before it locks or wipes for the lease: when the server
// answers, the fresh grant (through the session's check-in listener) and the server's clock
// decide instead of the local clock. Concurrent verdicts share one attempt, and a client is not
// asked again within CHECK_IN_RETRY_MS — the grant a check-in brings reports a verdict of its
// own, and a locked app asked for data again and again must not hammer the server.

import { RevokedError, ServerUnreachableError } from '../sync/errors';
import type { ServerClient } from '../sync/server-client';

export const CHECK_IN_RETRY_MS = 10_000;

export class LeaseCheckIn {
  private inFlight: Promise<boolean> | null = null;
  private last: { client: ServerClient; at: number } | null = null;

  attempt(client: ServerClient, on: { revoked(err: RevokedError): Promise<void>; unreachable(): void }): Promise<boolean> {
    if (this.inFlight) return this.inFlight;
    if (this.last && this.last.client === client && performance.now() - this.last.at < CHECK_IN_RETRY_MS) return Promise.resolve(false);
    this.last = { client, at: performance.now() };
    this.inFlight = client
      .refresh()
      .then(() => true)
      .catch(async (err: unknown) => {
        if (err instanceof RevokedError) await on.revoked(err);
        else if (err instanceof ServerUnreachableError) on.unreachable();
        return false;
      })
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }
}
