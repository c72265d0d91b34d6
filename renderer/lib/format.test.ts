import { describe, expect, it } from 'vitest';
import {
  displayValue,
  formatCny,
  formatAmount,
  formatCnyCompact,
  formatCount,
  formatDate,
  formatDateTime,
  formatNumber,
  formatPercent,
  formatRelative,
  leaseEndsSoon,
  shortId,
  splitDuration,
} from './format';

describe('format', () => {
  it('formats CNY per locale', () => {
    expect(formatCny(1234567.5, 'zh-CN')).toBe('¥1,234,567.50');
    expect(formatCny(1234567.5, 'en')).toBe('CN¥1,234,567.50');
    expect(formatCny(null, 'en')).toBe('—');
    expect(formatCny(Number.NaN, 'zh-CN')).toBe('—');
    expect(formatCnyCompact(12_000_000, 'zh-CN')).toBe('¥1200万');
    expect(formatCnyCompact(12_000_000, 'en')).toBe('CN¥12M');
  });

  it('formats amounts in 万/亿 (Chinese) and K/M (English), counts with digit grouping', () => {
    expect(formatAmount(270_310_000, 'zh-CN')).toBe('¥2.7亿');
    expect(formatAmount(270_310_000, 'en')).toBe('¥270.3M');
    expect(formatAmount(125_000, 'zh-CN')).toBe('¥12.5万');
    expect(formatAmount(125_000, 'en')).toBe('¥125K');
    expect(formatAmount(3_000_000_000, 'en')).toBe('¥3B');
    expect(formatAmount(8_500, 'zh-CN')).toBe('¥8,500');
    expect(formatAmount(850, 'en')).toBe('¥850');
    expect(formatAmount(0, 'en')).toBe('¥0');
    // Rounding that reaches the next unit uses it.
    expect(formatAmount(99_990_000, 'zh-CN')).toBe('¥1亿');
    expect(formatAmount(999_960, 'en')).toBe('¥1M');
    expect(formatAmount(-12_000, 'zh-CN')).toBe('-¥1.2万');
    expect(formatAmount(null, 'zh-CN')).toBe('—');
    expect(formatCount(1_234_567, 'zh-CN')).toBe('1,234,567');
    expect(formatCount(1_234_567, 'en')).toBe('1,234,567');
  });

  it('formats numbers and percentages', () => {
    expect(formatNumber(1234567.891, 'en')).toBe('1,234,567.89');
    expect(formatPercent(0.4137, 'zh-CN')).toBe('41.4%');
    expect(formatPercent(null, 'en')).toBe('—');
  });

  it('formats ISO calendar dates without shifting the day', () => {
    expect(formatDate('2026-03-01', 'en')).toBe('Mar 1, 2026');
    expect(formatDate('2026-03-01', 'zh-CN')).toBe('2026年3月1日');
    expect(formatDate('not a date', 'en')).toBe('not a date');
    expect(formatDate(null, 'en')).toBe('—');
  });

  it('formats date-times in the current locale', () => {
    const at = new Date(2026, 10, 20, 9, 5).getTime();
    expect(formatDateTime(at, 'zh-CN')).toBe('2026年11月20日 09:05');
    expect(formatDateTime(at, 'en')).toMatch(/^Nov 20, 2026, 9:05\sAM$/);
    expect(formatDateTime(null, 'en')).toBe('—');
  });

  it('formats relative times', () => {
    const now = 1_000_000_000_000;
    expect(formatRelative(now - 5 * 60_000, now, 'en')).toBe('5 minutes ago');
    expect(formatRelative(now - 5 * 60_000, now, 'zh-CN')).toBe('5分钟前');
    expect(formatRelative(now - 3 * 86_400_000, now, 'en')).toBe('3 days ago');
  });

  it('splits a countdown and says when the lease banner shows', () => {
    expect(splitDuration(5 * 3600_000 + 7 * 60_000 + 30_000)).toEqual({ hours: 5, minutes: 7 });
    expect(splitDuration(-1)).toEqual({ hours: 0, minutes: 0 });
    const now = 1_000_000;
    expect(leaseEndsSoon(now + 23 * 3600_000, now)).toBe(true);
    expect(leaseEndsSoon(now + 25 * 3600_000, now)).toBe(false);
    expect(leaseEndsSoon(now - 1, now)).toBe(false);
    expect(leaseEndsSoon(null, now)).toBe(false);
  });

  it('shows any field value as text', () => {
    expect(displayValue(['a', 'b'])).toBe('a, b');
    expect(displayValue([])).toBe('—');
    expect(displayValue(null)).toBe('—');
    expect(displayValue('')).toBe('—');
    expect(displayValue(42)).toBe('42');
  });

  it('shortens opaque ids to their first 8 characters', () => {
    expect(shortId('3f2a9c1e-7b44-4d0e-9a51-0c6f1e2d3b4a')).toBe('3f2a9c1e');
    expect(shortId('dev-1')).toBe('dev-1');
  });
});
