import type { TeamDashboardFilter } from '../../../shared/api/desktop-api';

// The dashboard's period filter: which expected close dates count. Calendar periods in the
// user's local calendar (the dates themselves are calendar days, yyyy-mm-dd).

export const PERIODS = ['all', 'thisMonth', 'thisQuarter', 'thisYear'] as const;
export type Period = (typeof PERIODS)[number];

const day = (y: number, m: number, d: number) => {
  const date = new Date(y, m, d);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
};

/** The close-date bounds of a period containing `now` (both inclusive); none for 'all'. */
export function periodRange(period: Period, now: Date): Pick<TeamDashboardFilter, 'closeFrom' | 'closeTo'> {
  const y = now.getFullYear();
  const m = now.getMonth();
  switch (period) {
    case 'all':
      return {};
    case 'thisMonth':
      return { closeFrom: day(y, m, 1), closeTo: day(y, m + 1, 0) };
    case 'thisQuarter': {
      const q = Math.floor(m / 3) * 3;
      return { closeFrom: day(y, q, 1), closeTo: day(y, q + 3, 0) };
    }
    case 'thisYear':
      return { closeFrom: day(y, 0, 1), closeTo: day(y, 11, 31) };
  }
}
