// The real-time event stream (a revocation or scope change reaches an online device within
// seconds, not at the next poll): GET /v1/events over SSE with the same
// signed + token headers as every call, parsed with eventsource-parser from a streaming fetch.
// Revocations arrive within seconds; scope/data changes trigger a (debounced) sync. The stream
// is also the client's notion of "online": connected = online.

import { createParser } from 'eventsource-parser';
import { serverEventSchema, type ServerEvent } from '../../../shared/protocol/sync';
import { ROUTES } from '../../../shared/protocol/routes';
import { RevokedError, ServerError, ServerUnreachableError } from './errors';
import type { ServerClient } from './server-client';

export interface EventStreamOptions {
  client: ServerClient;
  /** A VERIFIED revocation (the server client's directive check): crypto-shred now. */
  onRevoked(err: RevokedError): void;
  /** Scope or data changed on the server: pull (debounced here). */
  onChange(event: ServerEvent): void;
  onOnline(online: boolean): void;
  /** Errors that are not connectivity (for the sync status line). */
  onError?(err: Error): void;
  debounceMs?: number;
  /** Reconnect backoff bounds. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** No bytes for this long (the server pings every 15 s) = a dead connection: reconnect. */
  idleTimeoutMs?: number;
}

export class EventStream {
  private stopped = true;
  private abort: AbortController | null = null;
  private backoffMs: number;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private debounceTimer: NodeJS.Timeout | null = null;
  private pendingChange: ServerEvent | null = null;
  private loop: Promise<void> | null = null;

  constructor(private readonly opts: EventStreamOptions) {
    this.backoffMs = opts.minBackoffMs ?? 500;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.connectLoop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.reconnectTimer = null;
    this.debounceTimer = null;
    this.wake?.(); // end a backoff wait now, or the loop would wait for a timer that is gone
    await this.loop?.catch(() => undefined);
    this.loop = null;
  }

  /** Reconnect now (e.g. after a successful sync showed the server is back). */
  kick(): void {
    if (this.stopped) return;
    if (this.reconnectTimer) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
      this.wake?.();
    }
  }

  private wake: (() => void) | null = null;

  private async connectLoop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.connectOnce();
        // The server closed a healthy stream: reconnect promptly.
        this.backoffMs = this.opts.minBackoffMs ?? 500;
      } catch (err) {
        if (this.stopped) break;
        if (err instanceof RevokedError) {
          this.stopped = true;
          this.opts.onOnline(false);
          this.opts.onRevoked(err);
          return;
        }
        if (err instanceof ServerUnreachableError) this.opts.onOnline(false);
        else if (!(err instanceof Error && err.name === 'AbortError')) {
          // The server answered but refused (or the stream broke): still reachable.
          if (err instanceof ServerError) this.opts.onOnline(true);
          else this.opts.onOnline(false);
          this.opts.onError?.(err as Error);
        }
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.reconnectTimer = setTimeout(resolve, this.backoffMs);
      });
      this.wake = null;
      this.reconnectTimer = null;
      this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 30_000);
    }
  }

  private async connectOnce(): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    const res = await this.opts.client.openStream(ROUTES.events.path, abort.signal);
    if (!res.body) throw new ServerError('bad_response', res.status, 'the event stream has no body');
    this.opts.onOnline(true);
    this.backoffMs = this.opts.minBackoffMs ?? 500;
    // Anything that may have changed while we were disconnected: sync once on (re)connect.
    this.opts.onChange({ type: 'data-changed' });

    let revoked: RevokedError | null = null;
    const verifications: Promise<void>[] = [];
    const parser = createParser({
      maxBufferSize: 1024 * 1024,
      onEvent: (message) => {
        let data: unknown;
        try {
          data = JSON.parse(message.data);
        } catch {
          return;
        }
        const parsed = serverEventSchema.safeParse({ ...(data as object), type: message.event ?? (data as { type?: unknown }).type });
        if (!parsed.success) return;
        const event = parsed.data;
        if (event.type === 'revoked') {
          verifications.push(
            this.opts.client.verifiedRevocation(event.directive).then(
              (verified) => {
                // A forged or foreign directive (null) is ignored: it must never wipe.
                if (!verified) return;
                revoked = verified;
                abort.abort();
              },
              (err: unknown) => this.opts.onError?.(err as Error),
            ),
          );
        } else if (event.type === 'scope-changed' || event.type === 'data-changed') {
          this.scheduleChange(event);
        }
      },
    });

    const idleMs = this.opts.idleTimeoutMs ?? 45_000;
    let idleTimer = setTimeout(() => abort.abort(), idleMs);
    const decoder = new TextDecoder();
    try {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => abort.abort(), idleMs);
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch (err) {
      await Promise.all(verifications);
      if (revoked) throw revoked;
      if (abort.signal.aborted && !this.stopped) {
        // idle timeout: treat as a lost connection
        throw new ServerUnreachableError('the event stream went silent');
      }
      throw err;
    } finally {
      clearTimeout(idleTimer);
    }
    await Promise.all(verifications);
    if (revoked) throw revoked;
    // Stream ended by the server: the connection is gone until we reconnect.
    this.opts.onOnline(false);
  }

  private scheduleChange(event: ServerEvent): void {
    // scope-changed outranks data-changed when both arrive inside one debounce window
    if (!this.pendingChange || event.type === 'scope-changed') this.pendingChange = event;
    if (this.debounceTimer) return;
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null;
      const change = this.pendingChange;
      this.pendingChange = null;
      if (change && !this.stopped) this.opts.onChange(change);
    }, this.opts.debounceMs ?? 250);
  }
}
