import dayjs from 'dayjs';

/**
 * Today as this screen sees it (its time zone): what "due today" and "overdue" mean for
 * follow-ups. The core is asked with it, so the lists match the calendar the person looks at.
 */
export function screenDay(): { start: number; end: number; date: string } {
  const start = dayjs().startOf('day');
  return { start: start.valueOf(), end: start.add(1, 'day').valueOf(), date: start.format('YYYY-MM-DD') };
}
