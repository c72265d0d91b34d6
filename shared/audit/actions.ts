// The audit trail's action codes, each in one group. The server writes the codes; the server
// filters by group with this table; the renderer shows each code in words
// (renderer/i18n/audit-actions.ts holds the zh-CN and English text of every code listed here).
// renderer/i18n/audit-actions.test.ts collects every code the server source can write and fails
// when one is missing here or has no text.

export const AUDIT_GROUPS = ['signin', 'sync', 'records', 'admin', 'devices', 'reviews', 'alerts'] as const;
export type AuditGroup = (typeof AUDIT_GROUPS)[number];

/** Every action code the server writes, and its group. */
export const AUDIT_ACTIONS = {
  // sign-in
  'auth.sign_in': 'signin',
  'auth.mfa': 'signin',
  'auth.sso': 'signin',
  'auth.lockout': 'signin',
  // sync
  'sync.pull': 'sync',
  'device.check_in': 'sync',
  // records (and what a device reports it showed or exported offline)
  'record.create': 'records',
  'record.update': 'records',
  'record.delete': 'records',
  'customer.reassign': 'records',
  'customer.delete': 'records',
  'customer.restore': 'records',
  'customer.purge': 'records',
  'share.create': 'records',
  'share.revoke': 'records',
  'offline.view': 'records',
  'offline.search': 'records',
  'offline.export': 'records',
  // administration
  'admin.user.create': 'admin',
  'admin.user.update': 'admin',
  'admin.user.deactivate': 'admin',
  'admin.user.unlock': 'admin',
  'admin.user.mfa_reset': 'admin',
  'admin.user.sign_out_everywhere': 'admin',
  'admin.role.create': 'admin',
  'admin.role.update': 'admin',
  'admin.unit.create': 'admin',
  'admin.classification.set': 'admin',
  'admin.min_version.set': 'admin',
  'admin.share.create': 'admin',
  'admin.approval.request': 'admin',
  'admin.approval.approve': 'admin',
  'admin.approval.reject': 'admin',
  'admin.idp.create': 'admin',
  'admin.idp.update': 'admin',
  'admin.idp.scim_token_rotate': 'admin',
  'admin.idp.scim_token_revoke': 'admin',
  'admin.idp.group_rule_create': 'admin',
  'admin.idp.group_rule_delete': 'admin',
  'audit.verify': 'admin',
  'scim.auth': 'admin',
  'scim.user.create': 'admin',
  'scim.user.deactivate': 'admin',
  'scim.user.reactivate': 'admin',
  'scim.user.delete': 'admin',
  'scim.user.place': 'admin',
  'scim.group.create': 'admin',
  'scim.group.update': 'admin',
  'scim.group.delete': 'admin',
  // devices
  'device.enroll': 'devices',
  'device.enrollment_abandoned': 'devices',
  'device.sign_out': 'devices',
  'device.wipe_confirmed': 'devices',
  'admin.device.revoke': 'devices',
  'admin.device.exposure': 'devices',
  'admin.user.revoke_all_devices': 'devices',
  // access reviews
  'review.conduct': 'reviews',
  'review.campaign.create': 'reviews',
  'review.campaign.close': 'reviews',
  'review.item.decide': 'reviews',
  'review.export': 'reviews',
  'review.reminder': 'reviews',
  // alerts
  'alert.raised': 'alerts',
  'alert.acknowledge': 'alerts',
  'admin.alert_thresholds.update': 'alerts',
} as const satisfies Record<string, AuditGroup>;

export type AuditActionCode = keyof typeof AUDIT_ACTIONS;

/**
 * Codes made of a fixed prefix and the name of the request that was refused (`admin.listUsers`,
 * `access.listAlerts`): a refused request to an administering route. Written with outcome
 * `denied` only; the renderer says "refused" and names the request.
 */
export const AUDIT_REFUSAL_FAMILIES = {
  'admin.': 'admin',
  'access.': 'reviews',
} as const satisfies Record<string, AuditGroup>;

export function isAuditActionCode(code: string): code is AuditActionCode {
  return Object.prototype.hasOwnProperty.call(AUDIT_ACTIONS, code);
}

/** The refusal family a code belongs to, and the request it names; null for a listed code. */
export function auditRefusal(code: string): { prefix: keyof typeof AUDIT_REFUSAL_FAMILIES; request: string } | null {
  if (isAuditActionCode(code)) return null;
  for (const prefix of Object.keys(AUDIT_REFUSAL_FAMILIES) as (keyof typeof AUDIT_REFUSAL_FAMILIES)[]) {
    const rest = code.slice(prefix.length);
    if (code.startsWith(prefix) && /^[A-Za-z]+$/.test(rest)) return { prefix, request: rest };
  }
  return null;
}

/** The group of a code; null for a code this version does not know. */
export function auditGroupOf(code: string): AuditGroup | null {
  if (isAuditActionCode(code)) return AUDIT_ACTIONS[code];
  const refusal = auditRefusal(code);
  return refusal ? AUDIT_REFUSAL_FAMILIES[refusal.prefix] : null;
}

/** The listed codes of one group. */
export function auditCodesOf(group: AuditGroup): AuditActionCode[] {
  return (Object.keys(AUDIT_ACTIONS) as AuditActionCode[]).filter((code) => AUDIT_ACTIONS[code] === group);
}
