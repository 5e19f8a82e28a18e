// Display formatting for cards and tables. Pure functions of their inputs, so the unit tests pin
// the exact strings admins see.

const whole = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** 1234 → "1,234"; with compact, 12_345 → "12.3K". Non-finite values show as "–". */
export function formatNumber(value: number | null | undefined, { compact: short = false } = {}): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (short && Math.abs(value) >= 10_000) return compact.format(value);
  if (!Number.isInteger(value)) return value.toFixed(Math.abs(value) < 10 ? 2 : 1).replace(/\.?0+$/, '');
  return whole.format(value);
}

/** Seconds as the largest two units: 45 → "45s", 125 → "2m 5s", 3725 → "1h 2m". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return m ? `${h}h ${m}m` : `${h}h`;
  return rest ? `${m}m ${rest}s` : `${m}m`;
}

/** A percentage already scaled 0–100: 12.345 → "12.3%", 100 → "100%". */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const rounded = Math.round(value * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded : rounded.toFixed(1)}%`;
}

export interface Change {
  text: string;
  /** whether the move is good news for this metric (bounce rate falling is good) */
  tone: 'good' | 'bad' | 'flat';
  direction: 'up' | 'down' | 'flat';
}

/**
 * Change against the previous period: relative for counts and durations, in percentage points
 * for rates (`points`), since "+3%" on a 40.9% bounce rate reads as 43.9% but means 42.1%. A
 * previous period without data has nothing to compare with: it says so, neither "new" nor
 * "+∞%", and is neither good nor bad news.
 */
export function formatChange(
  current: number | null | undefined,
  previous: number | null | undefined,
  { lowerIsBetter = false, points = false } = {},
): Change | null {
  if (current == null || previous == null || !Number.isFinite(current) || !Number.isFinite(previous))
    return null;
  if (previous === 0 && !points) {
    if (current === 0) return null;
    return { text: 'no earlier data', tone: 'flat', direction: 'flat' };
  }
  const delta = points ? current - previous : ((current - previous) / Math.abs(previous)) * 100;
  const rounded = points ? Math.round(delta * 10) / 10 : Math.round(delta);
  const unit = points ? ' pp' : '%';
  if (rounded === 0) return { text: `0${unit}`, tone: 'flat', direction: 'flat' };
  const direction = rounded > 0 ? 'up' : 'down';
  const good = direction === 'up' ? !lowerIsBetter : lowerIsBetter;
  return {
    text: `${rounded > 0 ? '+' : '−'}${Math.abs(rounded)}${unit}`,
    tone: good ? 'good' : 'bad',
    direction,
  };
}

const regionNames = (() => {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' });
  } catch {
    return null;
  }
})();

/** "FR" → "France"; an empty or unknown code reads as such instead of disappearing. */
export function countryName(code: string): string {
  if (!code) return 'Unknown';
  if (!/^[A-Z]{2}$/.test(code)) return code;
  try {
    return regionNames?.of(code) ?? code;
  } catch {
    return code;
  }
}

/** Regional-indicator flag for an ISO code, or '' when it is not one. */
export function flag(code: string): string {
  if (!/^[A-Z]{2}$/.test(code)) return '';
  return String.fromCodePoint(...[...code].map((c) => 0x1f1a5 + c.charCodeAt(0)));
}

/**
 * A timestamp as "27 Nov, 14:05" in UTC: the chart's buckets are UTC days and hours, and one page
 * in two time zones put "6 Dec 00:00" on the chart beside "5 Dec, 16:21" in the feed.
 */
export function formatTime(ms: number, { seconds = false } = {}): string {
  return new Date(ms).toLocaleString('en-GB', {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
  });
}

/** How long ago, coarse: "just now", "3 min ago", "2 h ago", "4 d ago". */
export function formatAgo(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/** Freshness to the second for the last minute: "just now", "12 s ago", then as formatAgo. */
export function formatAge(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  return formatAgo(ms, now);
}
