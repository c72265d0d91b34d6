// The fake DesktopApi's single sign-on and identity-provider screens (renderer tests and
// screenshots only). One provider is offered; signing in with it plays the provider's answer for
// the given user (TOTP still asked, as for an untrusted provider).

import type { ApiErrorCode, DesktopInput, DesktopOutputs, Result } from '../../shared/api/desktop-api';
import type { GroupRuleView, IdentityProviderView } from '../../shared/protocol/sso';

type Method =
  | 'ssoProviders' | 'signInWithSso' | 'adminListIdentityProviders' | 'adminCreateIdentityProvider' | 'adminUpdateIdentityProvider'
  | 'adminRotateScimToken' | 'adminListGroupRules' | 'adminCreateGroupRule' | 'adminDeleteGroupRule';
type Handlers = { [M in Method]: (input: DesktopInput<M>) => Result<DesktopOutputs[M]> };

export interface FakeSsoContext {
  /** starts the TOTP step for this username (as the password step does); an error when unknown */
  beginSignIn(username: string, serverUrl: string): Result<{ mfaSetupRequired: boolean; otpauthUri: string | null }>;
  needAction(action: string): Result<never> | null;
  /** the user the fake provider signs in */
  ssoUsername: string;
}

const ok = <T,>(value: T): Result<T> => ({ ok: true, value });
const fail = (code: ApiErrorCode, message: string): Result<never> => ({ ok: false, error: { code, message } });

export function fakeSsoHandlers(ctx: FakeSsoContext): Handlers {
  const providers: IdentityProviderView[] = [{
    id: 'idp-acme-entra', name: 'Acme Entra ID', issuer: 'https://login.microsoftonline.com/0f1e2d3c-acme/v2.0',
    clientId: '6c1f7d2a-salesvault-desktop', scopes: ['openid', 'profile', 'email'], usernameClaim: 'preferred_username',
    trustMfa: true, mfaValues: ['mfa'], passwordRoleIds: ['role-it-admin'], defaultUnitId: 'u-hq', enabled: true,
    scimTokenHint: '…k3Qz', scimTokenCreatedAt: Date.UTC(2026, 10, 2, 9, 30),
  }];
  const rules: GroupRuleView[] = [
    { id: 'rule-1', providerId: 'idp-acme-entra', groupName: 'SV Shanghai Team 1', roleId: 'role-rep', unitId: 'u-sh-1', priority: 10, allowAdminRole: false },
    { id: 'rule-2', providerId: 'idp-acme-entra', groupName: 'SV IT Admins', roleId: 'role-it-admin', unitId: 'u-it', priority: 1, allowAdminRole: true },
  ];
  const find = (id: string) => providers.find((p) => p.id === id);
  return {
    ssoProviders: () => ok(providers.filter((p) => p.enabled).map((p) => ({ id: p.id, name: p.name }))),
    signInWithSso: (input) => {
      if (!find(input.providerId)) return fail('not_found', 'no such provider');
      const started = ctx.beginSignIn(ctx.ssoUsername, input.serverUrl);
      return started.ok ? ok({ mfaRequired: true as const, ...started.value }) : started;
    },
    adminListIdentityProviders: () => ctx.needAction('admin.users') ?? ok(providers.map((p) => ({ ...p }))),
    adminCreateIdentityProvider: (input) => {
      const refused = ctx.needAction('admin.users');
      if (refused) return refused;
      const p: IdentityProviderView = {
        id: `idp-${providers.length + 1}`, name: input.name, issuer: input.issuer, clientId: input.clientId,
        scopes: input.scopes ?? ['openid', 'profile', 'email'], usernameClaim: input.usernameClaim ?? 'preferred_username',
        trustMfa: input.trustMfa ?? false, mfaValues: input.mfaValues ?? ['mfa'], passwordRoleIds: input.passwordRoleIds ?? null,
        defaultUnitId: input.defaultUnitId, enabled: input.enabled ?? true, scimTokenHint: null, scimTokenCreatedAt: null,
      };
      providers.push(p);
      return ok(p);
    },
    adminUpdateIdentityProvider: (input) => {
      const p = find(input.id);
      if (!p) return fail('not_found', 'no such provider');
      Object.assign(p, Object.fromEntries(Object.entries(input.patch).filter(([, v]) => v !== undefined)));
      return ctx.needAction('admin.users') ?? ok({ ...p });
    },
    adminRotateScimToken: (input) => {
      const p = find(input.id);
      if (!p) return fail('not_found', 'no such provider');
      const token = 'svscim_FAKE-token-shown-once-7Hq2LmVx9RtKp3Wz';
      p.scimTokenHint = `…${token.slice(-4)}`;
      p.scimTokenCreatedAt = Date.now();
      return ctx.needAction('admin.users') ?? ok({ token, hint: token.slice(-4), scimBaseUrl: 'https://salesvault.acme.example/scim/v2' });
    },
    adminListGroupRules: (input) => ctx.needAction('admin.users') ?? ok(rules.filter((r) => r.providerId === input.id)),
    adminCreateGroupRule: (input) => {
      const { id, ...rest } = input;
      const rule: GroupRuleView = {
        id: `rule-${rules.length + 1}`, providerId: id, groupName: rest.groupName, roleId: rest.roleId, unitId: rest.unitId,
        priority: rest.priority ?? 100, allowAdminRole: rest.allowAdminRole ?? false,
      };
      if (rule.roleId === 'role-it-admin' || rule.roleId === 'role-auditor') {
        if (!rule.allowAdminRole) return fail('forbidden', 'administering role needs allowAdminRole');
      }
      rules.push(rule);
      return ctx.needAction('admin.users') ?? ok(rule);
    },
    adminDeleteGroupRule: (input) => {
      const at = rules.findIndex((r) => r.id === input.ruleId);
      if (at < 0) return fail('not_found', 'no such rule');
      rules.splice(at, 1);
      return ctx.needAction('admin.users') ?? ok({ ok: true as const });
    },
  };
}
