// Signing in and out, the state, syncing on request, the language: the handlers that drive the
// controller's lifecycle.

import type { AppController } from '../session/controller';
import { AppError } from '../api-errors';
import type { HandlerGroup } from './types';

type SessionMethod = 'getState' | 'signIn' | 'verifyMfa' | 'syncNow' | 'setLocale' | 'signOut' | 'dismissRecovery';

export function sessionHandlers(app: AppController): HandlerGroup<SessionMethod> {
  return {
    getState: async () => {
      // Lease moments pass while nobody calls: evaluate on every look at the state too.
      const session = app.currentSession;
      if (session) await app.applyLease(session.leaseVerdict());
      return app.snapshot();
    },

    signIn: async (input) => {
      const pending = await app.beginSignIn(input);
      return { mfaSetupRequired: pending.mfaSetupRequired, otpauthUri: pending.otpauthUri };
    },

    verifyMfa: async (input) => {
      await app.completeSignIn(input.code);
      return app.snapshot();
    },

    syncNow: async () => {
      if (!app.currentSession && app.hasVaultFile) {
        // Locked because the keychain/vault could not be opened at start: try again.
        await app.openExistingVault();
        if (!app.currentSession) {
          throw new AppError(app.state.sync.lastError ?? 'internal', `the vault cannot be opened (${app.state.reason ?? 'unknown reason'})`);
        }
        return app.snapshot();
      }
      await app.runSync();
      return app.snapshot();
    },

    setLocale: async (input) => {
      app.setLocale(input.locale);
      return app.snapshot();
    },

    signOut: async () => {
      await app.signOut();
      return app.snapshot();
    },

    dismissRecovery: async () => {
      app.dismissRecovery();
      return app.snapshot();
    },
  };
}
