import { describe, expect, it } from 'vitest';
import type { OfflineAuditEntry } from '../../shared/protocol/sync';
import { classifySearchQuery, searchAuditFields, withoutSearchText } from './search-audit';

describe('classifySearchQuery', () => {
  it.each([
    ['13800138000', 'digits'],
    ['+86 138-0013 (8000)', 'digits'],
    ['１３８', 'digits'], // full-width digits
    ['Contoso', 'latin'],
    ['Alice Moreau', 'latin'],
    ['Crème brûlée', 'latin'],
    ['华为', 'cjk'],
    ['深圳 华为', 'cjk'],
    ['ソフト', 'cjk'],
    ['삼성', 'cjk'],
    ['华为 P60', 'mixed'],
    ['abc123', 'mixed'],
    ['Москва', 'mixed'],
    ['---', 'mixed'],
  ] as const)('%s → %s', (query, kind) => {
    expect(classifySearchQuery(query)).toBe(kind);
  });
});

describe('searchAuditFields', () => {
  it('keeps the length in characters (code points) and the kind, never the text', () => {
    expect(searchAuditFields('  138 0013  ')).toEqual({ queryLength: 8, queryKind: 'digits' });
    expect(searchAuditFields('华为')).toEqual({ queryLength: 2, queryKind: 'cjk' });
    expect(searchAuditFields('𠀀𠀁')).toEqual({ queryLength: 2, queryKind: 'cjk' });
    expect(JSON.stringify(searchAuditFields('13800138000'))).not.toMatch(/138/);
  });
});

describe('withoutSearchText', () => {
  const base = { id: '00000000-0000-4000-8000-000000000001', at: 1 } as const;

  it('reduces a legacy search entry with text to length and kind', () => {
    const legacy: OfflineAuditEntry = { ...base, action: 'search', entity: 'customer', query: '13800138000', count: 2 };
    expect(withoutSearchText(legacy)).toEqual({ ...base, action: 'search', entity: 'customer', queryLength: 11, queryKind: 'digits', count: 2 });
  });

  it('drops stray text from any entry and leaves clean entries as they are', () => {
    expect(withoutSearchText({ ...base, action: 'view', entity: 'customer', recordId: 'c1', query: 'x' })).toEqual({ ...base, action: 'view', entity: 'customer', recordId: 'c1' });
    const clean: OfflineAuditEntry = { ...base, action: 'search', queryLength: 3, queryKind: 'latin', count: 0 };
    expect(withoutSearchText(clean)).toBe(clean);
  });
});
