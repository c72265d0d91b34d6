import { describe, expect, it } from 'vitest';
import { offlineAuditEntrySchema, summarizeSearch } from './sync';

describe('summarizeSearch', () => {
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
    ['   ', 'empty'],
  ] as const)('%s → %s', (query, kind) => {
    expect(summarizeSearch(query).kind).toBe(kind);
  });

  it('keeps the length in characters (code points) and the kind, never the text', () => {
    expect(summarizeSearch('  138 0013  ')).toEqual({ length: 8, kind: 'digits' });
    expect(summarizeSearch('华为')).toEqual({ length: 2, kind: 'cjk' });
    expect(summarizeSearch('𠀀𠀁')).toEqual({ length: 2, kind: 'cjk' });
    expect(JSON.stringify(summarizeSearch('13800138000'))).not.toMatch(/138/);
  });

  it('reduces an entry queued by an older client with its text to the summary when parsed', () => {
    const legacy = { id: '3f1c2b7e-9a44-4c1e-8f0a-1b2c3d4e5f60', at: 1_700_000_000_000, action: 'search', entity: 'customer', query: '138 0013 800', count: 2 };
    const parsed = offlineAuditEntrySchema.parse(legacy);
    expect(parsed).toEqual({ id: legacy.id, at: legacy.at, action: 'search', entity: 'customer', search: { length: 12, kind: 'digits' }, count: 2 });
    expect(JSON.stringify(parsed)).not.toContain('138');
  });
});
