import { describe, expect, it } from 'vitest';
import { periodRange } from './period';

describe('dashboard periods', () => {
  it('are calendar months, quarters and years around today, bounds inclusive', () => {
    const now = new Date(2024, 1, 10, 23, 30); // 10 Feb 2024 (a leap year), late evening
    expect(periodRange('all', now)).toEqual({});
    expect(periodRange('thisMonth', now)).toEqual({ closeFrom: '2024-02-01', closeTo: '2024-02-29' });
    expect(periodRange('thisQuarter', now)).toEqual({ closeFrom: '2024-01-01', closeTo: '2024-03-31' });
    expect(periodRange('thisYear', now)).toEqual({ closeFrom: '2024-01-01', closeTo: '2024-12-31' });
    expect(periodRange('thisQuarter', new Date(2024, 11, 31))).toEqual({ closeFrom: '2024-10-01', closeTo: '2024-12-31' });
  });
});
