import type {
  ApiError,
  AppState,
  DesktopApi,
  DesktopMethod,
  Result,
} from '../../shared/api/desktop-api';
import { DESKTOP_METHODS, isResult } from '../../shared/api/desktop-api';

// The desktop API over the browser harness's local HTTP transport (a development and test
// tool: the same main-side handlers run under Node). Calls are `POST /__harness/api/<method>`
// with `{ input }` → Result JSON; state changes arrive as SSE `event: state` on
// `/__harness/events`. Transport failures become Result errors, never exceptions.

export interface HarnessTransport {
  fetch: typeof fetch;
  /** Constructor of an EventSource-like object (the browser's by default). */
  EventSource: new (url: string) => Pick<EventSource, 'addEventListener' | 'close'>;
}

function transportError(message: string): { ok: false; error: ApiError } {
  return { ok: false, error: { code: 'internal', message } };
}

export function createHarnessClient(
  baseUrl: string,
  transport: HarnessTransport = { fetch: (...args) => fetch(...args), EventSource: window.EventSource },
): DesktopApi {
  const base = baseUrl.replace(/\/+$/, '');

  async function call(method: DesktopMethod, input: unknown): Promise<Result<unknown>> {
    let response: Response;
    try {
      response = await transport.fetch(`${base}/__harness/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input }),
      });
    } catch (err) {
      return transportError(`harness unreachable: ${err instanceof Error ? err.message : String(err)}`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      return transportError(`harness answered ${response.status} without JSON`);
    }
    // The harness answers errors as Results too (any status); anything else is a transport fault.
    if (!isResult(body)) return transportError(`harness answered ${response.status} with an unexpected body`);
    return body;
  }

  // One shared event stream, opened on the first listener and closed after the last.
  const listeners = new Set<(state: AppState) => void>();
  let source: Pick<EventSource, 'addEventListener' | 'close'> | null = null;

  function openStream(): void {
    source = new transport.EventSource(`${base}/__harness/events`);
    source.addEventListener('state', (event: Event) => {
      const data = (event as MessageEvent<string>).data;
      let state: AppState;
      try {
        state = JSON.parse(data) as AppState;
      } catch {
        return; // a malformed event is dropped; the next one carries the full state again
      }
      for (const listener of [...listeners]) listener(state);
    });
  }

  const calls = Object.fromEntries(
    DESKTOP_METHODS.map((method) => [method, (input?: unknown) => call(method, input)]),
  ) as unknown as Omit<DesktopApi, 'onStateChange'>;

  return {
    ...calls,
    onStateChange(listener) {
      listeners.add(listener);
      if (!source) openStream();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
  };
}
