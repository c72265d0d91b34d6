// Turns a user's search text into a safe full-text filter. Nothing the user types is ever SQL
// or FTS syntax: every term becomes a quoted FTS5 string (embedded quotes doubled) or a LIKE
// pattern with its wildcards escaped, and all of it travels as bound parameters.
//
// Three indexes answer it (see schema.ts): terms of 3+ characters go to the trigram index
// (substrings, so prefixes too, case-insensitive); 1–2 character terms go to the gram index,
// which holds every 1- and 2-character gram of the same text as a token. A term of Latin letters
// may also be pinyin: it matches as text OR as a prefix of a pinyin token (pinyin.ts), 1–2
// letters only a run's start or its initials (`sh`, `hw`), 3+ letters any syllable's start too.

import { PINYIN_TOKEN_MAX } from './pinyin';

/** The trigram tokenizer indexes 3-character sequences: shorter terms cannot use it. */
const TRIGRAM = 3;
const MAX_TERMS = 8;
/** Terms that may be pinyin (ü is typed `v`). */
const LETTERS = /^[A-Za-z]+$/;
export const LIKE_ESCAPE = '\\';

/** Letters, digits and combining marks: what the unicode61 tokenizer keeps inside a token. */
const TOKEN_CHARS = /^[\p{L}\p{N}\p{M}]+$/u;
const NON_TOKEN = /[^\p{L}\p{N}\p{M}]+/u;

export interface SearchFilter {
  /** MATCH expression for the trigram index (long terms, AND-ed), or null. */
  trigramMatch: string | null;
  /** MATCH expression for the gram index (short terms, AND-ed), or null. */
  gramMatch: string | null;
  /** LIKE patterns for short terms made of punctuation/symbols (not tokens anywhere); rare. */
  likePatterns: string[];
  /** Letter terms: each matches its text index (`text`) OR the pinyin index (`pinyin`), AND-ed. */
  letterTerms: { index: 'trigram' | 'gram'; text: string; pinyin: string }[];
}

export function buildSearchFilter(query: string): SearchFilter {
  const terms = query.normalize('NFC').trim().split(/\s+/u).filter(Boolean).slice(0, MAX_TERMS);
  const long: string[] = [];
  const short: string[] = [];
  const likePatterns: string[] = [];
  const letterTerms: SearchFilter['letterTerms'] = [];
  for (const term of terms) {
    if (LETTERS.test(term)) {
      const lower = term.toLowerCase();
      const longTerm = term.length >= TRIGRAM;
      // Column filters: 1–2 letters match a run's start or its initials only (pinyin.ts).
      const columns = longTerm ? '{head tail initials}' : '{head initials}';
      letterTerms.push({
        index: longTerm ? 'trigram' : 'gram',
        text: quoteFts(longTerm ? term : lower),
        pinyin: `${columns} : ${quoteFts(lower.slice(0, PINYIN_TOKEN_MAX))} *`,
      });
    } else if ([...term].length >= TRIGRAM) long.push(quoteFts(term));
    else if (TOKEN_CHARS.test(term)) short.push(quoteFts(term.toLowerCase()));
    else likePatterns.push(`%${escapeLike(term)}%`);
  }
  return {
    trigramMatch: long.length ? long.join(' AND ') : null,
    gramMatch: short.length ? short.join(' AND ') : null,
    likePatterns,
    letterTerms,
  };
}

/** Every 1- and 2-character gram of the words in `text`, space-separated, for the gram index. */
export function gramsOf(text: string): string {
  const grams = new Set<string>();
  for (const word of text.normalize('NFC').toLowerCase().split(NON_TOKEN)) {
    const chars = [...word];
    for (let i = 0; i < chars.length; i++) {
      grams.add(chars[i] as string);
      if (i + 1 < chars.length) grams.add((chars[i] as string) + (chars[i + 1] as string));
    }
  }
  return [...grams].join(' ');
}

function quoteFts(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => LIKE_ESCAPE + c);
}
