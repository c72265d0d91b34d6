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

/** The same texts recur (a city on thousands of customers): their keys are kept, up to a bound. */
const keysCache = new Map<string, PinyinKeys>();
const KEYS_CACHE_MAX = 20_000;

function cachedKeys(text: string | null | undefined): PinyinKeys {
  if (!text) return { full: [], initials: [] };
  let keys = keysCache.get(text);
  if (!keys) {
    keys = pinyinKeys(text);
    if (keysCache.size >= KEYS_CACHE_MAX) keysCache.clear();
    keysCache.set(text, keys);
  }
  return keys;
}

/**
 * What one search row indexes in pinyin, each text's keys computed once:
 * - `text`, the trigram index's pinyin column: full spellings, then initials (null: none);
 * - `grams`, the tokens short (1–2 letter) queries may match in the gram index: every 1–2
 *   letter gram of the initials (`sh`, `hw`) and the first two letters of each spelling (`sh` of
 *   shanghai). Grams from inside a spelling (`an` of shanghai) are left out: they would match
 *   nearly anything.
 */
export function pinyinIndex(texts: readonly (string | null | undefined)[]): { text: string | null; grams: string[] } {
  const full: string[] = [];
  const initialsAll: string[] = [];
  const grams = new Set<string>();
  for (const t of texts) {
    const keys = cachedKeys(t);
    full.push(...keys.full);
    initialsAll.push(...keys.initials);
    for (const initials of keys.initials) {
      for (let i = 0; i < initials.length; i++) {
        grams.add(initials[i] as string);
        if (i + 1 < initials.length) grams.add(initials.slice(i, i + 2));
      }
    }
    for (const spelling of keys.full) grams.add(spelling.slice(0, 2));
  }
  return { text: full.length ? [...full, ...initialsAll].join(' ') : null, grams: [...grams] };
}
