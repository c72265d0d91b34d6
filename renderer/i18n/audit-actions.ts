// Every audit action code in words, in both languages. The codes and their groups are the
// shared table (shared/audit/actions.ts: the server filters by group with it); the Record type
// makes the compiler reject a listed code without text here, and
// test/audit-action-codes.test.ts collects every code the server source can write and checks it
// is listed (or is a refused request of a listed family).

import type { Locale } from '../../shared/api/desktop-api';
import {
  auditGroupOf,
  auditRefusal,
  isAuditActionCode,
  type AUDIT_REFUSAL_FAMILIES,
  type AuditActionCode,
  type AuditGroup,
} from '../../shared/audit/actions';

type Text = { 'zh-CN': string; en: string };

export const AUDIT_ACTION_TEXT: Record<AuditActionCode, Text> = {
  'auth.sign_in': { 'zh-CN': '密码登录', en: 'Password sign-in' },
  'auth.mfa': { 'zh-CN': '双因素验证', en: 'Two-factor verification' },
  'auth.sso': { 'zh-CN': '单点登录', en: 'Single sign-on' },
  'auth.lockout': { 'zh-CN': '多次登录失败，账号被锁定', en: 'Account locked after failed sign-ins' },
  'sync.pull': { 'zh-CN': '同步：下载更新', en: 'Sync: downloaded changes' },
  'device.check_in': { 'zh-CN': '设备签到', en: 'Device checked in' },
  'record.create': { 'zh-CN': '新建记录', en: 'Created a record' },
  'record.update': { 'zh-CN': '修改记录', en: 'Edited a record' },
  'record.delete': { 'zh-CN': '删除记录', en: 'Deleted a record' },
  'customer.reassign': { 'zh-CN': '转移客户负责人', en: 'Reassigned a customer’s owner' },
  'customer.delete': { 'zh-CN': '删除客户（移入回收站）', en: 'Deleted a customer (to the recycle bin)' },
  'customer.restore': { 'zh-CN': '从回收站恢复客户', en: 'Restored a customer from the recycle bin' },
  'customer.purge': { 'zh-CN': '回收站到期，客户被永久清除', en: 'Purged a customer for good (recycle bin period over)' },
  'share.create': { 'zh-CN': '共享客户', en: 'Shared a customer' },
  'share.revoke': { 'zh-CN': '取消客户共享', en: 'Revoked a customer share' },
  'offline.view': { 'zh-CN': '离线查看记录', en: 'Viewed records offline' },
  'offline.search': { 'zh-CN': '离线搜索', en: 'Searched offline' },
  'offline.export': { 'zh-CN': '离线导出', en: 'Exported offline' },
  'admin.user.create': { 'zh-CN': '创建用户', en: 'Created a user' },
  'admin.user.update': { 'zh-CN': '修改用户', en: 'Changed a user' },
  'admin.user.deactivate': { 'zh-CN': '停用用户', en: 'Deactivated a user' },
  'admin.user.unlock': { 'zh-CN': '解锁账号', en: 'Unlocked an account' },
  'admin.user.mfa_reset': { 'zh-CN': '重置双因素验证', en: 'Reset two-factor verification' },
  'admin.user.sign_out_everywhere': { 'zh-CN': '在所有设备上登出用户', en: 'Signed a user out everywhere' },
  'admin.role.create': { 'zh-CN': '创建角色', en: 'Created a role' },
  'admin.role.update': { 'zh-CN': '修改角色', en: 'Changed a role' },
  'admin.unit.create': { 'zh-CN': '创建组织单元', en: 'Created an org unit' },
  'admin.classification.set': { 'zh-CN': '修改字段密级', en: 'Changed a field’s classification' },
  'admin.min_version.set': { 'zh-CN': '设置最低应用版本', en: 'Set the minimum app version' },
  'admin.share.create': { 'zh-CN': '管理员共享客户', en: 'Administrator shared a customer' },
  'admin.approval.request': { 'zh-CN': '提交变更待审批', en: 'Sent a change for approval' },
  'admin.approval.approve': { 'zh-CN': '批准变更', en: 'Approved a change' },
  'admin.approval.reject': { 'zh-CN': '驳回变更', en: 'Rejected a change' },
  'admin.idp.create': { 'zh-CN': '添加身份提供方', en: 'Added an identity provider' },
  'admin.idp.update': { 'zh-CN': '修改身份提供方', en: 'Changed an identity provider' },
  'admin.idp.scim_token_rotate': { 'zh-CN': '更换 SCIM 令牌', en: 'Rotated a SCIM token' },
  'admin.idp.scim_token_revoke': { 'zh-CN': '吊销 SCIM 令牌', en: 'Revoked a SCIM token' },
  'admin.idp.group_rule_create': { 'zh-CN': '添加群组映射规则', en: 'Added a group mapping rule' },
  'admin.idp.group_rule_delete': { 'zh-CN': '删除群组映射规则', en: 'Deleted a group mapping rule' },
  'audit.verify': { 'zh-CN': '校验审计哈希链', en: 'Verified the audit hash chain' },
  'scim.auth': { 'zh-CN': 'SCIM 认证', en: 'SCIM authentication' },
  'scim.user.create': { 'zh-CN': 'SCIM 创建用户', en: 'SCIM created a user' },
  'scim.user.deactivate': { 'zh-CN': 'SCIM 停用用户', en: 'SCIM deactivated a user' },
  'scim.user.reactivate': { 'zh-CN': 'SCIM 重新启用用户', en: 'SCIM reactivated a user' },
  'scim.user.delete': { 'zh-CN': 'SCIM 删除用户', en: 'SCIM deleted a user' },
  'scim.user.place': { 'zh-CN': 'SCIM 调整用户的角色和部门', en: 'SCIM placed a user (role and unit)' },
  'scim.group.create': { 'zh-CN': 'SCIM 创建群组', en: 'SCIM created a group' },
  'scim.group.update': { 'zh-CN': 'SCIM 修改群组', en: 'SCIM changed a group' },
  'scim.group.delete': { 'zh-CN': 'SCIM 删除群组', en: 'SCIM deleted a group' },
  'device.enroll': { 'zh-CN': '注册设备', en: 'Enrolled a device' },
  'device.enrollment_abandoned': { 'zh-CN': '设备注册未完成', en: 'Device enrolment abandoned' },
  'device.sign_out': { 'zh-CN': '设备退出登录', en: 'Device signed out' },
  'device.wipe_confirmed': { 'zh-CN': '设备确认已擦除数据', en: 'Device confirmed its wipe' },
  'admin.device.revoke': { 'zh-CN': '吊销设备', en: 'Revoked a device' },
  'admin.device.exposure': { 'zh-CN': '查看设备数据暴露报告', en: 'Opened a device’s exposure report' },
  'admin.user.revoke_all_devices': { 'zh-CN': '吊销用户的全部设备', en: 'Revoked all of a user’s devices' },
  'review.conduct': { 'zh-CN': '执行访问复核', en: 'Conducted an access review' },
  'review.campaign.create': { 'zh-CN': '发起访问复核', en: 'Started an access review' },
  'review.campaign.close': { 'zh-CN': '结束访问复核', en: 'Closed an access review' },
  'review.item.decide': { 'zh-CN': '作出复核决定', en: 'Decided a review item' },
  'review.export': { 'zh-CN': '导出复核结果', en: 'Exported review results' },
  'review.reminder': { 'zh-CN': '发送复核提醒', en: 'Sent an access review reminder' },
  'alert.raised': { 'zh-CN': '触发告警', en: 'Alert raised' },
  'alert.acknowledge': { 'zh-CN': '确认告警', en: 'Acknowledged an alert' },
  'admin.alert_thresholds.update': { 'zh-CN': '修改告警阈值', en: 'Changed the alert thresholds' },
};

/** A refused request to an administering route, by family: `{{request}}` names the request. */
export const AUDIT_REFUSAL_TEXT: Record<keyof typeof AUDIT_REFUSAL_FAMILIES, Text> = {
  'admin.': { 'zh-CN': '管理请求被拒绝：{{request}}', en: 'Administration request refused: {{request}}' },
  'access.': { 'zh-CN': '告警/复核请求被拒绝：{{request}}', en: 'Alerts/reviews request refused: {{request}}' },
};

export const AUDIT_GROUP_TEXT: Record<AuditGroup, Text> = {
  signin: { 'zh-CN': '登录', en: 'Sign-in' },
  sync: { 'zh-CN': '同步', en: 'Sync' },
  records: { 'zh-CN': '记录', en: 'Records' },
  admin: { 'zh-CN': '管理', en: 'Administration' },
  devices: { 'zh-CN': '设备', en: 'Devices' },
  reviews: { 'zh-CN': '访问复核', en: 'Access reviews' },
  alerts: { 'zh-CN': '告警', en: 'Alerts' },
};

/** The action in words; a code this version does not know is shown as it is. */
export function auditActionText(code: string, locale: Locale): string {
  if (isAuditActionCode(code)) return AUDIT_ACTION_TEXT[code][locale];
  const refusal = auditRefusal(code);
  if (refusal) return AUDIT_REFUSAL_TEXT[refusal.prefix][locale].replace('{{request}}', refusal.request);
  return code;
}

/** The action's group in words; null for a code this version does not know. */
export function auditGroupText(code: string, locale: Locale): string | null {
  const group = auditGroupOf(code);
  return group ? AUDIT_GROUP_TEXT[group][locale] : null;
}
