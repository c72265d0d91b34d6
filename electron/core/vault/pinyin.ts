// Pinyin keys for search: people type Chinese names in pinyin (`shanghai`), by initials (`sh`,
// `hw` for 华为) or in characters. The search index stores, next to the characters, each run of
// Han characters as its toneless pinyin written together and as its initials (ü written `v`, as
// pinyin keyboards do). The readings come from pinyin-pro, which picks a polyphonic character's
// reading from its word (重庆 chongqing, 银行 yinhang).
//
// Speed: a first sync indexes every customer and contact name at once. Most characters have one
// reading, cached per character after the first lookup; only a run containing a polyphonic
// character is sent to pinyin-pro as a whole word.

import { pinyin } from 'pinyin-pro';

const HAN_RUN = /\p{Script=Han}+/gu;
/** Per character: its only reading, or null when it has several (the word decides). */
const readings = new Map<string, string | null>();

function readingOf(char: string): string | null {
  let reading = readings.get(char);
  if (reading === undefined) {
    const all = [...new Set(pinyin(char, { toneType: 'none', v: true, multiple: true, type: 'array' }))];
    reading = all.length === 1 ? (all[0] as string).toLowerCase() : null;
    readings.set(char, reading);
  }
  return reading;
}

/** The toneless syllables of one run of Han characters. */
export function syllablesOf(run: string): string[] {
  const chars = [...run];
  const single = chars.map(readingOf);
  if (single.every((r): r is string => r !== null)) return single;
  return pinyin(run, { toneType: 'none', v: true, type: 'array' }).map((s) => s.toLowerCase());
}

export interface PinyinKeys {
  /** Each Han run's syllables written together: 上海电气 → `shanghaidianqi`. */
  full: string[];
  /** Each Han run's initials: 上海电气 → `shdq`. */
  initials: string[];
}

/** The pinyin keys of every Han run in `text` (other characters are indexed as they are). */
export function pinyinKeys(text: string | null | undefined): PinyinKeys {
  const keys: PinyinKeys = { full: [], initials: [] };
  if (!text) return keys;
  for (const match of text.normalize('NFC').matchAll(HAN_RUN)) {
    const syllables = syllablesOf(match[0]).filter((s) => /^[a-z]+$/.test(s));
    if (!syllables.length) continue;
    keys.full.push(syllables.join(''));
    keys.initials.push(syllables.map((s) => s[0]).join(''));
  }
  return keys;
}

/** The text of the trigram index's pinyin column: full spellings, then initials. */
export function pinyinText(texts: readonly (string | null | undefined)[]): string | null {
  const full: string[] = [];
  const initials: string[] = [];
  for (const text of texts) {
    const keys = pinyinKeys(text);
    full.push(...keys.full);
    initials.push(...keys.initials);
  }
  return full.length ? [...full, ...initials].join(' ') : null;
}

/**
 * The tokens short (1–2 letter) queries may match in the gram index: every 1–2 letter gram of
 * the initials (`sh`, `hw`) and the first two letters of each spelling (`sh` of shanghai).
 * Grams from inside a spelling (`an` of shanghai) are left out: they would match nearly anything.
 */
export function pinyinGrams(texts: readonly (string | null | undefined)[]): string[] {
  const grams = new Set<string>();
  for (const text of texts) {
    const keys = pinyinKeys(text);
    for (const initials of keys.initials) {
      for (let i = 0; i < initials.length; i++) {
        grams.add(initials[i] as string);
        if (i + 1 < initials.length) grams.add(initials.slice(i, i + 2));
      }
    }
    for (const full of keys.full) grams.add(full.slice(0, 2));
  }
  return [...grams];
}
