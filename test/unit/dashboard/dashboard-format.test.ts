// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import {
  countryName,
  flag,
  formatAge,
  formatAgo,
  formatChange,
  formatDuration,
  formatNumber,
  formatPercent,
} from '../../../dashboard/lib/format.ts';
import { display } from '../../../dashboard/ui/format-value.ts';
import { tagSnippet } from '../../../dashboard/ui/empty.ts';

describe('dashboard formatting', () => {
  it.each([
    [0, false, '0'],
    [1234, false, '1,234'],
    [1234, true, '1,234'],
    [12_345, true, '12.3K'],
    [2_500_000, true, '2.5M'],
    [2.5, false, '2.5'],
    [1.234, false, '1.23'],
    [NaN, false, '–'],
    [null, false, '–'],
  ] as const)('formatNumber(%s, compact %s) = %s', (value, compact, text) => {
    expect(formatNumber(value, { compact })).toBe(text);
  });

  it.each([
    [0, '0s'],
    [44.6, '45s'],
    [60, '1m'],
    [125, '2m 5s'],
    [3600, '1h'],
    [3725, '1h 2m'],
    [-5, '0s'],
    [undefined, '–'],
  ] as const)('formatDuration(%s) = %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it.each([
    [12.345, '12.3%'],
    [100, '100%'],
    [0, '0%'],
    [33.333, '33.3%'],
    [Infinity, '–'],
  ] as const)('formatPercent(%s) = %s', (value, text) => {
    expect(formatPercent(value)).toBe(text);
  });

  it('gives the change against the previous period with a tone that depends on the metric', () => {
    expect(formatChange(120, 100)).toEqual({ text: '+20%', tone: 'good', direction: 'up' });
    expect(formatChange(80, 100)).toEqual({ text: '−20%', tone: 'bad', direction: 'down' });
    // A falling bounce rate is good news.
    expect(formatChange(40, 50, { lowerIsBetter: true })).toEqual({
      text: '−20%',
      tone: 'good',
      direction: 'down',
    });
    // Nothing before: no comparison, and no colour (bounce rate "▲ new" in red meant nothing).
    expect(formatChange(5, 0)).toEqual({ text: 'no earlier data', tone: 'flat', direction: 'flat' });
    expect(formatChange(5, 0, { lowerIsBetter: true })?.tone).toBe('flat');
    expect(formatChange(0, 0)).toBeNull();
    // Rates move in percentage points.
    expect(formatChange(43.95, 40.9, { points: true, lowerIsBetter: true })).toEqual({
      text: '+3.1 pp',
      tone: 'bad',
      direction: 'up',
    });
    expect(formatChange(40.9, 40.93, { points: true })).toEqual({
      text: '0 pp',
      tone: 'flat',
      direction: 'flat',
    });
    expect(formatChange(100.2, 100)).toEqual({ text: '0%', tone: 'flat', direction: 'flat' });
    expect(formatChange(10, null)).toBeNull();
  });

  it('names countries and keeps unknown codes readable', () => {
    expect(countryName('FR')).toBe('France');
    expect(countryName('')).toBe('Unknown');
    expect(countryName('<img src=x>')).toBe('<img src=x>');
    expect(flag('FR')).toBe('🇫🇷');
    expect(flag('x')).toBe('');
  });

  it('says how old cached data is', () => {
    const now = Date.UTC(2026, 10, 27, 12);
    expect(formatAgo(now - 10_000, now)).toBe('just now');
    expect(formatAgo(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatAgo(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatAgo(now - 2 * 86_400_000, now)).toBe('2 d ago');
  });

  it('turns table cells into display text by column format', () => {
    expect(display(65, 'duration')).toBe('1m 5s');
    expect(display(42.25, 'percent')).toBe('42.3%');
    expect(display(15_000, 'number')).toBe('15K');
    expect(display('<b>x</b>', 'text')).toBe('<b>x</b>');
    expect(display(undefined, 'number')).toBe('–');
  });

  it('shows the exact tag for this collector in the empty state', () => {
    expect(tagSnippet('http://localhost:8550', 'example.com')).toBe(
      '<script defer src="http://localhost:8550/beacon.js" data-site="example.com"></script>',
    );
  });
});

describe('formatAge', () => {
  it('counts seconds for the first minute, so "updated" visibly moves', () => {
    const now = Date.UTC(2026, 11, 6);
    expect(formatAge(now - 2_000, now)).toBe('just now');
    expect(formatAge(now - 12_000, now)).toBe('12 s ago');
    expect(formatAge(now - 5 * 60_000, now)).toBe('5 min ago');
  });
});
