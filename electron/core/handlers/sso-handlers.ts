// Single sign-on and IT's identity-provider screens for the desktop API. The sign-in runs the
// browser leg (./oidc-flow.ts) with the system browser the app was given (`openExternal`), hands
// the ID token to the server, and then continues exactly like a password sign-in: the TOTP step,
// or — when the server says the provider's MFA is trusted — straight to enrollment.

import type { AppState } from '../../../shared/api/desktop-api';
import { SsoFlowError } from '../sso/loopback';
import { runOidcBrowserFlow, type OpenExternal } from '../sso/oidc-flow';
import type { PendingSignIn } from '../sync/enroll';
import { ServerClient } from '../sync/server-client';
import type { HandlerGroup } from './types';

type SsoMethod =
  | 'ssoProviders'
  | 'signInWithSso'
  | 'adminListIdentityProviders'
  | 'adminCreateIdentityProvider'
  | 'adminUpdateIdentityProvider'
  | 'adminRotateScimToken'
  | 'adminListGroupRules'
  | 'adminCreateGroupRule'
  | 'adminDeleteGroupRule';

export interface SsoDeps {
  callServer<T>(fn: (client: ServerClient) => Promise<T>): Promise<T>;
  /** openExternal: the system browser (Electron: shell.openExternal); absent = no SSO in this shell */
  options(): { openExternal?: OpenExternal; appVersion: string; fetch?: typeof fetch };
  /** throws when this device already has a vault or a session */
  assertCanSignIn(): void;
  setPendingSignIn(pending: PendingSignIn): void;
  /** the enrollment that follows the TOTP step, run without a code (the provider's MFA was trusted) */
  enrollWithoutCode(): Promise<AppState>;
  /** a refusal the renderer shows with its own text */
  fail(code: 'sso_failed' | 'validation_failed', message: string): Error;
  /** the server's public base URL the signed-in admin uses (for the SCIM base URL shown to IT) */
  serverUrl(): string;
}

export function ssoHandlers(deps: SsoDeps): HandlerGroup<SsoMethod> {
  const { callServer } = deps;
  const anonymous = (serverUrl: string) =>
    new ServerClient({ baseUrl: serverUrl, appVersion: deps.options().appVersion, fetch: deps.options().fetch });
  return {
    ssoProviders: async ({ serverUrl }) => (await anonymous(serverUrl).call('ssoProviders')).providers,

    signInWithSso: async ({ serverUrl, providerId }) => {
      deps.assertCanSignIn();
      const { openExternal } = deps.options();
      if (!openExternal) throw deps.fail('validation_failed', 'single sign-on needs the system browser, which this shell does not provide');
      const client = anonymous(serverUrl);
      const start = await client.call('ssoStart', { providerId });
      let idToken: string;
      try {
        idToken = await runOidcBrowserFlow({ start, openExternal });
      } catch (err) {
        if (err instanceof SsoFlowError) throw deps.fail('sso_failed', err.message);
        throw err;
      }
      const done = await client.call('ssoComplete', { providerId, idToken });
      const base = { serverUrl: client.baseUrl, username: '', mfaToken: '', mfaSetupRequired: false, otpauthUri: null };
      if (done.next === 'enroll') {
        deps.setPendingSignIn({ ...base, enrollmentToken: done.enrollmentToken });
        return { mfaRequired: false, state: await deps.enrollWithoutCode() };
      }
      deps.setPendingSignIn({ ...base, mfaToken: done.mfaToken, mfaSetupRequired: done.mfaSetupRequired, otpauthUri: done.otpauthUri ?? null });
      return { mfaRequired: true, mfaSetupRequired: done.mfaSetupRequired, otpauthUri: done.otpauthUri ?? null };
    },

    adminListIdentityProviders: async () => (await callServer((c) => c.call('listIdentityProviders'))).providers,
    adminCreateIdentityProvider: async (input) => (await callServer((c) => c.call('createIdentityProvider', input))).provider,
    adminUpdateIdentityProvider: async ({ id, patch }) =>
      (await callServer((c) => c.call('updateIdentityProvider', patch, { params: { id } }))).provider,
    adminRotateScimToken: async ({ id }) => {
      const res = await callServer((c) => c.call('rotateScimToken', undefined, { params: { id } }));
      return { token: res.token, hint: res.hint, scimBaseUrl: `${deps.serverUrl().replace(/\/+$/, '')}${res.scimBaseUrlPath}` };
    },
    adminListGroupRules: async ({ id }) => (await callServer((c) => c.call('listGroupRules', undefined, { params: { id } }))).rules,
    adminCreateGroupRule: async ({ id, ...rule }) => (await callServer((c) => c.call('createGroupRule', rule, { params: { id } }))).rule,
    adminDeleteGroupRule: async ({ id, ruleId }) => callServer((c) => c.call('deleteGroupRule', undefined, { params: { id, ruleId } })),
  };
}
