// What the offline audit queue keeps about a search. Search terms are often personal data
// (a phone number, a contact's name) and the audit trail is read by IT administrators, so a
// search entry never carries the text: only how long the query was, what kind of characters it
// consisted of, and how many results it gave. That is enough for an auditor to see that someone
// searched, how often and how broadly, without copying what they typed.

import type { OfflineAuditEntry, SearchQueryKind } from '../../shared/protocol/sync';

const DIGIT = /\p{Nd}/u;
const LATIN = /\p{Script=Latin}/u;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]/u;
/** Spaces, punctuation and symbols (`+86 (138) 0000-0000`, `a@b.c`) say nothing about the kind. */
const NEUTRAL = /[\s\p{P}\p{S}]/u;

/**
 * The kind of a query: only digits (phone numbers, ids), only Latin letters, only CJK, or
 * mixed. Neutral characters are ignored; letters of any other script count as mixed, and so
 * does a query of neutral characters alone.
 */
export function classifySearchQuery(query: string): SearchQueryKind {
  const kinds = new Set<SearchQueryKind>();
  for (const ch of query) {
    if (DIGIT.test(ch)) kinds.add('digits');
    else if (LATIN.test(ch)) kinds.add('latin');
    else if (CJK.test(ch)) kinds.add('cjk');
    else if (!NEUTRAL.test(ch)) kinds.add('mixed');
  }
  const [only] = kinds;
  return kinds.size === 1 && only ? only : 'mixed';
}

/** The audit fields of a search: length in characters (code points) and kind, never the text. */
export function searchAuditFields(query: string): { queryLength: number; queryKind: SearchQueryKind } {
  const trimmed = query.trim();
  return { queryLength: Math.min(Array.from(trimmed).length, 200), queryKind: classifySearchQuery(trimmed) };
}

/**
 * An entry as it may be uploaded: a search entry queued by an older version with its text is
 * reduced to the same fields before it leaves the device.
 */
export function withoutSearchText(entry: OfflineAuditEntry): OfflineAuditEntry {
  if (entry.query === undefined) return entry;
  const { query, ...rest } = entry;
  return rest.action === 'search' && rest.queryLength === undefined ? { ...rest, ...searchAuditFields(query) } : rest;
}
