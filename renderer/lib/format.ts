import type { Locale } from '../../shared/api/desktop-api';

// Locale-aware formatting of numbers, CNY amounts, dates and durations. Pure functions of
// (value, locale) so every screen formats the same way and tests can pin the output.

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function numberFormat(locale: Locale, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n|${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key) as Intl.NumberFormat | undefined;
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    cache.set(key, f);
  }
  return f;
}

function dateFormat(locale: Locale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    cache.set(key, f);
  }
  return f;
}

/** A size in bytes as MB or GB, e.g. 1.5 GB, 48 MB (decimal units, as file managers show). */
export function formatBytes(bytes: number, locale: Locale): string {
  const gb = bytes / 1e9;
  if (gb >= 1) return `${numberFormat(locale, { maximumFractionDigits: 1 }).format(gb)} GB`;
  const mb = bytes / 1e6;
  return `${numberFormat(locale, { maximumFractionDigits: mb < 10 ? 1 : 0 }).format(mb)} MB`;
}

export function formatNumber(value: number, locale: Locale): string {
  return numberFormat(locale, { maximumFractionDigits: 2 }).format(value);
}

/** A CNY amount, e.g. ¥1,234,500.00 (zh-CN) / CN¥1,234,500.00 (en). */
export function formatCny(value: number | null | undefined, locale: Locale): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return numberFormat(locale, { style: 'currency', currency: 'CNY' }).format(value);
}

/** A compact CNY amount for chart axes, e.g. ¥120万 (zh-CN) / CN¥1.2M (en). */
export function formatCnyCompact(value: number, locale: Locale): string {
  return numberFormat(locale, { style: 'currency', currency: 'CNY', notation: 'compact', minimumFractionDigits: 0, maximumFractionDigits: 1 }).format(value);
}

/**
 * A CNY amount for cards, bars and rows: 万 and 亿 in Chinese (¥2.7亿, ¥12.5万), K and M in
 * English (¥270.3M, ¥125K); small amounts in full with digit grouping (¥8,500). At most one
 * decimal, dropped when it is 0. The exact amount belongs in a tooltip or the record itself.
 */
export function formatAmount(value: number | null | undefined, locale: Locale): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const one = (n: number) => numberFormat(locale, { maximumFractionDigits: 1 }).format(n);
  const units: [number, string][] = locale === 'zh-CN' ? [[1e8, '亿'], [1e4, '万']] : [[1e9, 'B'], [1e6, 'M'], [1e3, 'K']];
  // Biggest unit first, judged after rounding: 9,999.96万 reads ¥1亿, not ¥10000万.
  for (const [size, unit] of units) {
    const scaled = Math.round((abs / size) * 10) / 10;
    if (scaled >= 1) return `${sign}¥${one(scaled)}${unit}`;
  }
  return `${sign}¥${numberFormat(locale, { maximumFractionDigits: 0 }).format(abs)}`;
}

/** A count with digit grouping (12,345), never with decimals. */
export function formatCount(value: number, locale: Locale): string {
  return numberFormat(locale, { maximumFractionDigits: 0 }).format(value);
}

export function formatPercent(ratio: number | null, locale: Locale): string {
  if (ratio === null || !Number.isFinite(ratio)) return '—';
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
}

/** Date and time (minutes) from epoch ms. */
export function formatDateTime(epochMs: number | null | undefined, locale: Locale): string {
  if (epochMs === null || epochMs === undefined || !Number.isFinite(epochMs)) return '—';
  return dateFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(epochMs));
}

/** A calendar date. Accepts epoch ms or an ISO yyyy-mm-dd (read as that calendar day). */
export function formatDate(value: number | string | null | undefined, locale: Locale): string {
  if (value === null || value === undefined || value === '') return '—';
  let date: Date;
  if (typeof value === 'string') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (!m) return value;
    // Local midnight of that day, so the printed day never shifts with the time zone.
    date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  } else {
    date = new Date(value);
  }
  if (Number.isNaN(date.getTime())) return '—';
  return dateFormat(locale, { dateStyle: 'medium' }).format(date);
}

/** "5 minutes ago" / "5 分钟前" relative to `now`. */
export function formatRelative(epochMs: number, now: number, locale: Locale): string {
  const diffSec = Math.round((epochMs - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const abs = Math.abs(diffSec);
  if (abs < 60) return rtf.format(diffSec, 'second');
  if (abs < 3600) return rtf.format(Math.round(diffSec / 60), 'minute');
  if (abs < 86_400) return rtf.format(Math.round(diffSec / 3600), 'hour');
  return rtf.format(Math.round(diffSec / 86_400), 'day');
}

/** Remaining time split for a countdown; never negative. */
export function splitDuration(ms: number): { hours: number; minutes: number } {
  const totalMinutes = Math.max(0, Math.floor(ms / 60_000));
  return { hours: Math.floor(totalMinutes / 60), minutes: totalMinutes % 60 };
}

/** Whether the lease countdown banner shows: the lease ends within 24 h (and has not ended). */
export function leaseEndsSoon(leaseUntil: number | null, now: number): boolean {
  return leaseUntil !== null && leaseUntil > now && leaseUntil - now <= 24 * 3600_000;
}

/** A value of any record field as short display text (arrays joined, null as a dash). */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.length ? value.map(String).join(', ') : '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * The short form of an opaque id (a device's UUID): its first 8 characters, enough to tell
 * devices apart in a list; the full id goes in a tooltip.
 */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}
