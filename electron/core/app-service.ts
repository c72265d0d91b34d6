// The desktop API (shared/api/desktop-api.ts) as the client core implements it: one
// implementation used by Electron main over IPC and by the browser harness over local HTTP.
// Plain Node, never `electron`.
//
// Every method validates its input with desktopInputs[method] and returns a Result (never
// throws). Behind it: the AppController (session/controller.ts) owns the lifecycle and the app
// state; the handlers, grouped by area in handlers/, do the work.

import { desktopInputs, DESKTOP_METHODS, type DesktopApi, type DesktopMethod, type Result } from '../../shared/api/desktop-api';
import { AppError, toApiError } from './api-errors';
import { isVaultDamage } from './vault/errors';
import { diskSpace } from './disk-space';
import type { StateListener } from './contracts';
import { adminHandlers } from './handlers/admin-handlers';
import { alertAndReviewHandlers } from './handlers/alert-review-handlers';
import { customerHandlers } from './handlers/customer-handlers';
import { opportunityHandlers } from './handlers/opportunity-handlers';
import { ownershipHandlers } from './handlers/ownership-handlers';
import { followUpHandlers } from './handlers/follow-up-handlers';
import { sessionHandlers } from './handlers/session-handlers';
import { ssoHandlers } from './handlers/sso-handlers';
import { updateHandlers } from './handlers/update-handlers';
import { unavailableUpdater } from './updater/unavailable';
import type { HandlerGroup } from './handlers/types';
import { AppController, type AppServiceOptions } from './session/controller';
import { ReminderWatcher } from './reminders';

export { AppError, toApiError } from './api-errors';
export { VAULT_FILE, type AppServiceOptions } from './session/controller';

/** The desktop API plus shutdown: what Electron main and the harness hold. */
export type AppService = DesktopApi & { close(): Promise<void> };

/** Create the service: resume an interrupted wipe, open the vault if one exists, start syncing. */
export async function createAppService(options: AppServiceOptions): Promise<AppService> {
  const app = new AppController(options);
  await app.start();
  const handlers: HandlerGroup<DesktopMethod> = {
    ...sessionHandlers(app),
    ...customerHandlers(app),
    ...opportunityHandlers(app),
    ...ownershipHandlers(app),
    ...followUpHandlers(app),
    ...adminHandlers(app),
    ...updateHandlers(options.updater ?? unavailableUpdater(), app),
    ...alertAndReviewHandlers({
      callServer: (fn) => app.callServer(fn),
      currentUserId: () => app.requireSession().grant.sub,
    }),
    ...ssoHandlers({
      callServer: (fn) => app.callServer(fn),
      options: () => app.options,
      assertCanSignIn: () => app.assertCanSignIn(),
      setPendingSignIn: (pending) => app.setPendingSignIn(pending),
      // The pending sign-in carries the enrollment token: the TOTP step is skipped, the code unused.
      enrollWithoutCode: async () => {
        await app.completeSignIn('');
        return app.snapshot();
      },
      fail: (code, message) => new AppError(code, message),
      serverUrl: () => app.requireSession().identity.serverUrl,
    }),
  };
  const api: Record<string, unknown> = {};
  for (const method of DESKTOP_METHODS) {
    api[method] = async (raw?: unknown): Promise<Result<unknown>> => {
      const parsed = desktopInputs[method].safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
        return { ok: false, error: { code: 'validation_failed', message: `${method}: ${where}${issue?.message ?? 'invalid input'}` } };
      }
      try {
        const handler = handlers[method] as (input: unknown) => Promise<unknown>;
        return { ok: true, value: await handler(parsed.data) };
      } catch (err) {
        // A damaged vault found by a read or write in use goes to the same repair as at open.
        if (isVaultDamage(err)) app.repairSoon();
        const error = toApiError(err);
        // A full disk says how much room the vault needs, so the user knows what to free.
        if (error.code === 'disk_full') error.space = diskSpace(app.options.dataDir, app.vaultPath) ?? undefined;
        return { ok: false, error };
      }
    };
  }
  // Desktop notifications of due follow-up reminders, where the platform gives a notifier.
  const reminders = options.notifier
    ? new ReminderWatcher(
        {
          unlocked: () => (app.state.phase === 'ready' ? app.requireUnlocked() : null),
          locale: () => app.state.locale,
        },
        options.notifier,
        options.reminderIntervalMs,
      )
    : null;
  reminders?.start();
  api.onStateChange = (listener: StateListener) => app.state.onChange(listener);
  api.close = async () => {
    reminders?.stop();
    await app.close();
  };
  return api as unknown as AppService;
}
