import type { TFunction } from 'i18next';
import type { SyncIssue } from '../../../shared/api/desktop-api';

// Why the server did not take a pushed edit, in the user's language: a conflict (someone changed
// the same field first) or a rejection code from the server's re-authorization (server/sync/push.ts
// answers a code, optionally followed by ": detail").

const KNOWN_REJECTIONS = ['no_action', 'out_of_scope', 'read_only_share', 'not_found', 'above_write_clearance', 'inactive'] as const;
type KnownRejection = (typeof KNOWN_REJECTIONS)[number];

export function rejectionCode(reason: string | null): KnownRejection | null {
  const code = (reason ?? '').split(':')[0]!.trim();
  return (KNOWN_REJECTIONS as readonly string[]).includes(code) ? (code as KnownRejection) : null;
}

export function refusalReason(t: TFunction, issue: Pick<SyncIssue, 'kind' | 'reason'>): string {
  if (issue.kind === 'conflict') return t('pipeline.refused.conflict');
  const code = rejectionCode(issue.reason);
  return code ? t(`pipeline.refused.${code}`) : t('pipeline.refused.other', { reason: issue.reason ?? '—' });
}
