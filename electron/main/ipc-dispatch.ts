// The IPC boundary between the renderer and the app service. Everything that arrives here is
// untrusted: the method name is checked against the DesktopApi's method list, the input is
// parsed with that method's schema, and every outcome — including a thrown error or a bug in
// the service — leaves as a Result value, never as an exception across the process boundary.

import type { ApiError, DesktopCalls, DesktopMethod, Result } from '../../shared/api/desktop-api';
import { DESKTOP_METHODS, desktopInputs, isResult } from '../../shared/api/desktop-api';
import { isTrustedSender } from './security';

export type IpcDispatch = (method: unknown, input: unknown) => Promise<Result<unknown>>;

/** Resolves the service lazily so calls made while it is still starting wait for it. */
export type ServiceProvider = () => DesktopCalls | Promise<DesktopCalls>;

const KNOWN_METHODS: ReadonlySet<string> = new Set(DESKTOP_METHODS);

export function failure(code: ApiError['code'], message: string): { ok: false; error: ApiError } {
  return { ok: false, error: { code, message } };
}

function isDesktopMethod(method: unknown): method is DesktopMethod {
  // A Set of own method names: 'constructor', '__proto__' and friends are not methods.
  return typeof method === 'string' && KNOWN_METHODS.has(method);
}

/** A short, path-free summary of zod issues (no input values are echoed back). */
function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(input)'}: ${issue.message}`)
    .join('; ');
}

export function createIpcDispatch(getService: ServiceProvider, onInternalError?: (method: string, error: unknown) => void): IpcDispatch {
  return async (method, input) => {
    if (!isDesktopMethod(method)) {
      return failure('validation_failed', `unknown method ${typeof method === 'string' ? JSON.stringify(method.slice(0, 64)) : `of type ${typeof method}`}`);
    }
    const parsed = desktopInputs[method].safeParse(input);
    if (!parsed.success) {
      return failure('validation_failed', `invalid input for ${method}: ${describeIssues(parsed.error.issues)}`);
    }
    try {
      const service = await getService();
      const call = service[method] as (input: unknown) => Promise<unknown>;
      const result = await call.call(service, parsed.data);
      if (!isResult(result)) {
        onInternalError?.(method, new TypeError('the service returned something that is not a Result'));
        return failure('internal', `${method} returned no result`);
      }
      return result;
    } catch (error) {
      // The detail goes to the main-process log only; the renderer gets a generic message
      // (an exception text can carry paths or data the page has no business seeing).
      onInternalError?.(method, error);
      return failure('internal', `${method} failed unexpectedly`);
    }
  };
}

/** The parts of Electron's IpcMainInvokeEvent the sender check needs (structural, so tests need no Electron). */
export interface IpcCallEvent {
  readonly senderFrame: { readonly url: string } | null;
  readonly sender: { readonly id: number };
}

/**
 * The `sv:call` handler: refuses any sender that is not our window showing app://salesvault/,
 * then dispatches. `mainWebContentsId` is read per call (the window can be re-created).
 */
export function createIpcCallHandler(
  dispatch: IpcDispatch,
  mainWebContentsId: () => number | null,
  onRefused?: (frameUrl: string | null) => void,
): (event: IpcCallEvent, method: unknown, input: unknown) => Promise<Result<unknown>> {
  return async (event, method, input) => {
    const frameUrl = event.senderFrame?.url ?? null;
    if (!isTrustedSender(frameUrl, event.sender.id, mainWebContentsId())) {
      onRefused?.(frameUrl);
      return failure('forbidden', 'untrusted sender');
    }
    return dispatch(method, input);
  };
}
