// Texts of the exported exposure report (CSV headers, PDF), in the two languages of the product.

import type { EntityType } from '../../shared/domain/model';
import type { ExposureLang, ExposureLevel, ExposureReport, HoldingStatus } from '../../shared/protocol/exposure';

export interface ExposureLabels {
  title: string;
  generatedAt: string;
  device: string;
  hostName: string;
  user: string;
  platform: string;
  lastCheckIn: string;
  offlineFor: string;
  never: string;
  status: string;
  keyStorage: string;
  wipe: string;
  wipeConfirmed: (at: string) => string;
  wipeNotConfirmed: string;
  notRevoked: string;
  revokedAt: string;
  ledgerAsOf: string;
  ledgerIncomplete: string;
  pending: (pages: number) => string;
  readClearance: string;
  counts: string;
  held: string;
  possiblyHeld: string;
  fieldsByLevel: string;
  customers: string;
  children: string;
  noFieldValues: string;
  fontNote: string;
  entity: Record<EntityType, string>;
  entityPlural: Record<EntityType, string>;
  level: Record<ExposureLevel, string>;
  holding: Record<HoldingStatus, string>;
  lifecycle: Record<ExposureReport['device']['lifecycle'], string>;
  keyStorageName: Record<ExposureReport['device']['keyStorage'], string>;
  csv: { entity: string; id: string; customerId: string; customerName: string; status: string; level: (l: ExposureLevel) => string };
  days: (d: number, h: number) => string;
}

const en: ExposureLabels = {
  title: 'Lost-device exposure report',
  generatedAt: 'Generated',
  device: 'Device',
  hostName: 'Host name',
  user: 'User',
  platform: 'Platform',
  lastCheckIn: 'Last check-in',
  offlineFor: 'Offline for',
  never: 'never',
  status: 'Status',
  keyStorage: 'Vault key storage',
  wipe: 'Wipe',
  wipeConfirmed: (at) => `wipe confirmed ${at}`,
  wipeNotConfirmed: 'revoked, wipe not confirmed yet',
  notRevoked: 'not revoked',
  revokedAt: 'Revoked',
  ledgerAsOf: 'Holdings as of the device\'s last acknowledged sync',
  ledgerIncomplete: 'Incomplete: this device first synced before the exposure ledger existed; records it received earlier may be missing.',
  pending: (n) => `${n} page(s) sent but not acknowledged: their records are listed as "possibly held".`,
  readClearance: 'Read clearance',
  counts: 'Records on the device',
  held: 'held',
  possiblyHeld: 'possibly held',
  fieldsByLevel: 'Fields held, by classification level (names only, never values)',
  customers: 'Customers',
  children: 'contacts / opportunities / activities',
  noFieldValues: 'This report names records and fields; it contains no field values.',
  fontNote: 'No CJK font was found on the server (set SV_PDF_FONT): Chinese characters are shown as "?".',
  entity: { customer: 'customer', contact: 'contact', opportunity: 'opportunity', activity: 'activity' },
  entityPlural: { customer: 'Customers', contact: 'Contacts', opportunity: 'Opportunities', activity: 'Activities' },
  level: { public: 'public', internal: 'internal', sensitive: 'sensitive', confidential: 'confidential', structural: 'structural (ids, owner, version)' },
  holding: { held: 'held', possibly_held: 'possibly held' },
  lifecycle: { active: 'active', signed_out: 'signed out', revoked: 'revoked', wipe_confirmed: 'wipe confirmed' },
  keyStorageName: {
    macos_keychain: 'macOS Keychain', windows_credential_manager: 'Windows Credential Manager',
    secret_service: 'Secret Service (libsecret)', unknown: 'unknown',
  },
  csv: { entity: 'entity', id: 'record id', customerId: 'customer id', customerName: 'customer name', status: 'status', level: (l) => `${l} fields` },
  days: (d, h) => `${d} d ${h} h`,
};

const zh: ExposureLabels = {
  title: '设备丢失数据暴露报告',
  generatedAt: '生成时间',
  device: '设备',
  hostName: '主机名',
  user: '用户',
  platform: '平台',
  lastCheckIn: '最近核验',
  offlineFor: '离线时长',
  never: '从未',
  status: '状态',
  keyStorage: '保险库密钥存放',
  wipe: '清除',
  wipeConfirmed: (at) => `已确认清除 ${at}`,
  wipeNotConfirmed: '已撤销，尚未确认清除',
  notRevoked: '未撤销',
  revokedAt: '撤销时间',
  ledgerAsOf: '持有情况以设备最后一次确认的同步为准',
  ledgerIncomplete: '不完整：该设备首次同步早于暴露台账，之前收到的记录可能未列出。',
  pending: (n) => `有 ${n} 页已发送但设备尚未确认：其中的记录列为"可能持有"。`,
  readClearance: '读取密级',
  counts: '设备上的记录',
  held: '持有',
  possiblyHeld: '可能持有',
  fieldsByLevel: '按密级列出的持有字段（仅字段名，不含字段值）',
  customers: '客户',
  children: '联系人 / 商机 / 活动',
  noFieldValues: '本报告只列出记录和字段名称，不包含任何字段值。',
  fontNote: 'No CJK font was found on the server (set SV_PDF_FONT): Chinese characters are shown as "?".',
  entity: { customer: '客户', contact: '联系人', opportunity: '商机', activity: '活动' },
  entityPlural: { customer: '客户', contact: '联系人', opportunity: '商机', activity: '活动' },
  level: { public: '公开', internal: '内部', sensitive: '敏感', confidential: '机密', structural: '结构字段（编号、负责人、版本）' },
  holding: { held: '持有', possibly_held: '可能持有' },
  lifecycle: { active: '在用', signed_out: '已退出登录', revoked: '已撤销', wipe_confirmed: '已确认清除' },
  keyStorageName: {
    macos_keychain: 'macOS 钥匙串', windows_credential_manager: 'Windows 凭据管理器',
    secret_service: 'Secret Service (libsecret)', unknown: '未知',
  },
  csv: { entity: '类型', id: '记录编号', customerId: '客户编号', customerName: '客户名称', status: '状态', level: (l) => `${zhLevel(l)}字段` },
  days: (d, h) => `${d} 天 ${h} 小时`,
};

function zhLevel(l: ExposureLevel): string {
  return { public: '公开', internal: '内部', sensitive: '敏感', confidential: '机密', structural: '结构' }[l];
}

export function exposureLabels(lang: ExposureLang): ExposureLabels {
  return lang === 'zh-CN' ? zh : en;
}

export function formatTime(ms: number | null, l: ExposureLabels): string {
  if (ms === null) return l.never;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatDuration(ms: number | null, l: ExposureLabels): string {
  if (ms === null) return l.never;
  const hours = Math.floor(ms / 3_600_000);
  return l.days(Math.floor(hours / 24), hours % 24);
}

/** Record counts per entity, as `held (+possibly)`: used by the PDF summary. */
export function countText(report: ExposureReport, entity: EntityType, l: ExposureLabels): string {
  const c = report.counts[entity] ?? { held: 0, possiblyHeld: 0 };
  return c.possiblyHeld > 0 ? `${c.held} ${l.held} + ${c.possiblyHeld} ${l.possiblyHeld}` : `${c.held}`;
}

