// The sort key of a name (collation.ts): pinyin spelling, Latin and digits kept, a fixed order
// among names spelled alike, and the key of no name. Pure: no vault needed.

import { describe, expect, it } from 'vitest';
import { SORT_KEY_PART_MAX, nameSortKey } from './collation';

/** The spelling part of a key (before the tie-break). */
const spelling = (name: unknown) => nameSortKey(name).split('\u0001')[0];

/** Sorted as SQLite's BINARY collation compares TEXT: by UTF-8 bytes. */
function sortedByKey(names: string[]): string[] {
  return [...names].sort((a, b) => Buffer.compare(Buffer.from(nameSortKey(a)), Buffer.from(nameSortKey(b))));
}

describe('nameSortKey', () => {
  it('spells Han characters as toneless pinyin syllables, polyphones read from their word', () => {
    expect(spelling('华为')).toBe('hua wei');
    expect(spelling('阿里巴巴')).toBe('a li ba ba');
    expect(spelling('重庆')).toBe('chong qing');
    expect(spelling('重要')).toBe('zhong yao');
    expect(spelling('招商银行')).toBe('zhao shang yin hang');
    expect(spelling('绿地集团')).toBe('lv di ji tuan');
  });

  it('keeps Latin letters (lower-cased, without accents) and digits, splits words at anything else', () => {
    expect(spelling('Huawei')).toBe('huawei');
    expect(spelling('ABC 上海')).toBe('abc shang hai');
    expect(spelling('3M中国')).toBe('3m zhong guo');
    expect(spelling('Émile-Zola & Co.')).toBe('emile zola co');
    expect(spelling('ＡＢＣ１２３')).toBe('abc123'); // full-width forms are the ASCII ones
    expect(spelling('  华为（深圳）  ')).toBe('hua wei shen zhen');
  });

  it('interleaves Chinese and Latin names by letter, digits first, and compares syllable by syllable', () => {
    expect(sortedByKey(['Zeta Ltd', '华为技术', 'Apex', '阿里巴巴', 'Huawei', '重庆钢铁', '3M中国', 'Bosch', '北京银行'])).toEqual([
      '3M中国', '阿里巴巴', 'Apex', '北京银行', 'Bosch', '重庆钢铁', '华为技术', 'Huawei', 'Zeta Ltd',
    ]);
    // 西安 (xi an) before 先 (xian): a shorter syllable first, as in a pinyin dictionary.
    expect(sortedByKey(['先锋', '西安'])).toEqual(['西安', '先锋']);
  });

  it('gives names spelled alike a fixed order by the name itself, after every longer spelling is decided', () => {
    expect(spelling('王伟')).toBe(spelling('汪伟'));
    expect(nameSortKey('王伟')).not.toBe(nameSortKey('汪伟'));
    // The same spelling groups its names together, before any longer spelling.
    expect(sortedByKey(['王伟明', '汪伟', '王伟', 'Wang Wei'])).toEqual(['Wang Wei', '汪伟', '王伟', '王伟明']);
  });

  it('has the empty key (first of all) for no name, and a key below every letter for one without letters or digits', () => {
    for (const none of [null, undefined, '', '   ', 42, { name: 'x' }]) expect(nameSortKey(none)).toBe('');
    expect(sortedByKey(['Apex', '——', '', '0号仓库'])).toEqual(['', '——', '0号仓库', 'Apex']);
  });

  it('is bounded in length, never cutting a character in half', () => {
    const long = '𠀀'.repeat(500) + '华为'.repeat(500);
    const key = nameSortKey(long);
    expect([...key].length).toBeLessThanOrEqual(2 * SORT_KEY_PART_MAX + 1);
    expect(key).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/u);
    expect(nameSortKey(long)).toBe(key);
  });
});
