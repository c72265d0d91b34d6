// The sort key of a name, for lists in pinyin order (customers, contacts, opportunity titles):
// Chinese and Latin names interleaved by letter, as a phone's contact list does — 阿里巴巴 among
// the A's, 华为 next to "Huawei".
//
// The key is the name spelled out: each Han character as its toneless pinyin syllable (the
// readings pinyin.ts uses for search, so a polyphone is read from its word: 重庆 chong qing),
// Latin letters without their accents and lower-cased, digits kept; every syllable and every
// run of letters or digits is a word, and words are joined by one space. Since a space sorts
// below every letter, the comparison goes syllable by syllable (西安 `xi an` before 先 `xian`).
// Digits sort before letters; other letters (kana, Cyrillic, a Han character without a known
// reading) are kept as they are and sort after the Latin ones; anything else (spaces,
// punctuation, symbols) only separates words.
//
// After the spelling comes TIE and the name itself, so names spelled alike still have a fixed
// order among themselves (王伟 and 汪伟 both `wang wei`: grouped by character, not mixed by row
// id). The vault orders by (key, id), a total order. A missing or empty name has the empty key:
// such rows come first.
//
// Pure: the same name always gives the same key (the stored keys are compared with keys computed
// from a name the renderer sends back, queries.ts). Changing what it returns for any name needs a
// vault migration that fills the stored keys again (schema.ts, migration 10).

import { syllablesOf } from './pinyin';

/** Below every character a spelling can hold (the space included): a shorter spelling sorts first. */
const TIE = '\u0001';
/** Most characters kept of the spelling and of the name each (so a key fits a list cursor). */
export const SORT_KEY_PART_MAX = 200;

/** A run of Han characters, a run of other letters and digits, or a run of anything else. */
const SEGMENTS = /(\p{Script=Han}+)|((?:(?!\p{Script=Han})[\p{L}\p{N}\p{M}])+)|[^\p{L}\p{N}\p{M}]+/gu;

/** At most `max` code points of `text` (never half of a surrogate pair). */
function capped(text: string, max: number): string {
  if (text.length <= max) return text;
  return [...text].slice(0, max).join('');
}

/** The words of a run of letters and digits: accents dropped, lower-cased. */
function plainWord(run: string): string {
  return run.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The sort key of a name (see the header). Anything that is not a non-blank string has the key ''. */
export function nameSortKey(name: unknown): string {
  if (typeof name !== 'string') return '';
  // NFKC: full-width letters and digits (ＡＢＣ１２３) are the ASCII ones.
  const text = name.normalize('NFKC').trim();
  if (!text) return '';
  const words: string[] = [];
  for (const match of text.matchAll(SEGMENTS)) {
    const [, han, other] = match;
    if (han) {
      for (const syllable of syllablesOf(han)) {
        const word = syllable.trim().toLowerCase();
        if (word) words.push(word);
      }
    } else if (other) {
      const word = plainWord(other);
      if (word) words.push(word);
    }
  }
  return `${capped(words.join(' '), SORT_KEY_PART_MAX)}${TIE}${capped(name.normalize('NFC').trim(), SORT_KEY_PART_MAX)}`;
}
