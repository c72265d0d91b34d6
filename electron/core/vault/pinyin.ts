// Pinyin keys for search: people type Chinese names in pinyin (`shanghai`), by initials (`sh`,
// `hw` for 华为) or in characters. The search index stores, in its own token index beside the
// characters, each run of Han characters as its toneless pinyin written together and as its
// initials, from every syllable on (pinyinIndex; ü written `v`, as pinyin keyboards do). The
// readings come from pinyin-pro, which picks a polyphonic character's reading from its word
// (重庆 chongqing, 银行 yinhang).
//
// Speed: a first sync indexes every customer and contact name at once. Most characters have one
// reading, cached per character after the first lookup; only a run containing a polyphonic
// character is sent to pinyin-pro as a whole word. The tokens of short runs (people's names,
// cities), which recur across customers, are kept once computed (tokensOfRun).

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

/**
 * pinyin-pro builds its lookup tables the first time it reads a character or a word (~30–60 ms
 * on this project's machines). The vault calls this once when it opens, in an idle turn of the
 * event loop, so that the first delta page, local edit or search on the UI's thread does not pay
 * it in the middle of something the user waits for (a delta of 100 records: 70 → 42 ms of
 * import at medium scale). Reads a polyphonic word and single characters: both lookup paths.
 */
export function warmPinyin(): void {
  syllablesOf('重庆银行');
  syllablesOf('上海');
}

/** Runs read as whole words (they hold a polyphonic character), kept up to a bound: pinyin-pro's word lookup is the slow path. */
const wordReadings = new Map<string, readonly string[]>();
const WORD_READINGS_MAX = 20_000;

/** The toneless syllables of one run of Han characters (do not modify: the array may be shared). */
export function syllablesOf(run: string): readonly string[] {
  const chars = [...run];
  const single = chars.map(readingOf);
  if (single.every((r): r is string => r !== null)) return single;
  let word = wordReadings.get(run);
  if (!word) {
    word = pinyin(run, { toneType: 'none', v: true, type: 'array' }).map((s) => s.toLowerCase());
    if (wordReadings.size >= WORD_READINGS_MAX) wordReadings.clear();
    wordReadings.set(run, word);
  }
  return word;
}

export interface PinyinKeys {
  /** Each Han run's syllables written together: 上海电气 → `shanghaidianqi`. */
  full: string[];
  /** Each Han run's initials: 上海电气 → `shdq`. */
  initials: string[];
}

/** The pinyin keys of every Han run in `text` (other characters are indexed as they are). */
export function pinyinKeys(text: string | null | undefined): PinyinKeys {
  const runs = runsOf(text);
  return { full: runs.map((r) => r.syllables.join('')), initials: runs.map((r) => r.syllables.map((s) => s[0]).join('')) };
}

/** What one run of Han characters adds to a search row's pinyin tokens (pinyinIndex), in token order. */
interface RunTokens {
  /** Its toneless syllables. */
  syllables: readonly string[];
  /** The run spelled out (capped at PINYIN_TOKEN_MAX). */
  head: string;
  /** The spelling from each later syllable on. */
  tails: readonly string[];
  /** The initials from each syllable on (the first is the run's initials). */
  initials: readonly string[];
}

/**
 * Tokens of short runs, kept in two generations (a full young map becomes the old one, the old
 * one is dropped; a hit in the old one moves to the young one), so runs that keep recurring stay
 * while one-off names pass through. Short runs are the ones that recur: people's names in a
 * customer's contacts (王芳, 张伟), cities (上海) — a search row holds many of them, and the first
 * sync builds a row for every customer. Longer runs (a company's whole name) seldom repeat and
 * would only crowd them out.
 */
const RUN_CACHE_MAX_CHARS = 4;
const RUN_CACHE_GENERATION = 10_000;
let youngRuns = new Map<string, RunTokens | null>();
let oldRuns = new Map<string, RunTokens | null>();

function tokensOfRun(run: string): RunTokens | null {
  // Counted in UTF-16 units: a rare character outside the BMP counts twice, which only makes its run less likely kept.
  if (run.length > RUN_CACHE_MAX_CHARS) return computeRunTokens(run);
  let tokens = youngRuns.get(run);
  if (tokens !== undefined) return tokens;
  tokens = oldRuns.get(run);
  if (tokens === undefined) tokens = computeRunTokens(run);
  if (youngRuns.size >= RUN_CACHE_GENERATION) {
    oldRuns = youngRuns;
    youngRuns = new Map();
  }
  youngRuns.set(run, tokens);
  return tokens;
}

function computeRunTokens(run: string): RunTokens | null {
  const syllables = syllablesOf(run).filter((s) => /^[a-z]+$/.test(s));
  if (!syllables.length) return null;
  const cap = (token: string) => token.slice(0, PINYIN_TOKEN_MAX);
  const tails: string[] = [];
  for (let i = 1; i < syllables.length; i++) tails.push(cap(syllables.slice(i).join('')));
  const letters = syllables.map((s) => s[0]).join('');
  const initials: string[] = [];
  for (let i = 0; i < letters.length; i++) initials.push(cap(letters.slice(i)));
  return { syllables, head: cap(syllables.join('')), tails, initials };
}

/** The tokens of every Han run in `text`, in order. */
function runsOf(text: string | null | undefined): RunTokens[] {
  if (!text) return [];
  const runs: RunTokens[] = [];
  for (const match of text.normalize('NFC').matchAll(HAN_RUN)) {
    const tokens = tokensOfRun(match[0]);
    if (tokens) runs.push(tokens);
  }
  return runs;
}

/** Longest pinyin token indexed; a longer query is matched by its first this many letters. */
export const PINYIN_TOKEN_MAX = 40;

/** One search row's pinyin tokens (space-separated, null when none) for the pinyin index (search-index.ts). */
export interface PinyinRow {
  /** Each Han run spelled out from its start: 上海电气 → `shanghaidianqi`. */
  head: string | null;
  /** The same spelling from each later syllable on: `haidianqi dianqi qi`. */
  tail: string | null;
  /** The run's initials from each syllable on: `shdq hdq dq q`. */
  initials: string | null;
}

/**
 * What one search row indexes in pinyin. The index answers prefix queries over whole tokens, so
 * a token starts at every syllable: a query matches where a syllable starts (`huawei` and `wei`
 * in 上海华为, `hw` in its initials `shhw`), never from inside a syllable (`anghai`). Short (1–2
 * letter) queries match only run starts and initials (search-query.ts): `sh` finds 上海 and 深圳,
 * not every name with a `shi` somewhere in it.
 */
export function pinyinIndex(texts: readonly (string | null | undefined)[]): PinyinRow {
  const head = new Set<string>();
  const tail = new Set<string>();
  const initials = new Set<string>();
  for (const t of texts) {
    for (const run of runsOf(t)) {
      head.add(run.head);
      for (const token of run.tails) tail.add(token);
      for (const token of run.initials) initials.add(token);
    }
  }
  const text = (set: Set<string>) => (set.size ? [...set].join(' ') : null);
  return { head: text(head), tail: text(tail), initials: text(initials) };
}
