import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { SeriesModel } from '../lib/model.ts';

const COLORS = ['#4f46e5', '#0ea5e9', '#f59e0b', '#10b981'];
const DAY = 86_400;

// Buckets are UTC hours or days (as the API cuts them), so their labels are UTC too (and say
// so): a local label would put Tuesday's bucket under "Monday 23:00".
const dayLabel = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const yearLabel = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
const hourLabel = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });

/** Tick label for a bucket start (epoch seconds); over a year of ticks, "Mar 2024". */
export function tickLabel(seconds: number, granularity: SeriesModel['granularity'], spanSeconds = 0): string {
  const d = new Date(seconds * 1000);
  if (granularity === 'month') return yearLabel.format(d);
  if (granularity === 'day' || granularity === 'week')
    return spanSeconds > 300 * DAY ? yearLabel.format(d) : dayLabel.format(d);
  return d.getUTCHours() === 0 ? dayLabel.format(d) : hourLabel.format(d);
}

/** A bucket start as the tooltip names it: "6 Dec 14:00 UTC", "6 Dec 2026". */
function bucketName(seconds: number, granularity: SeriesModel['granularity']): string {
  const d = new Date(seconds * 1000);
  if (granularity === 'month') return yearLabel.format(d);
  if (granularity === 'week') return `Week of ${dayLabel.format(d)} ${d.getUTCFullYear()}`;
  return granularity === 'hour'
    ? `${dayLabel.format(d)} ${hourLabel.format(d)} UTC`
    : `${dayLabel.format(d)} ${d.getUTCFullYear()}`;
}

/**
 * One line as two: the complete buckets, and the last segment up to the bucket still running,
 * drawn dashed so a morning's half-filled day reads as "so far", not as a collapse.
 */
export function splitPartial(
  values: readonly number[],
  partial: boolean,
): { full: (number | null)[]; open: (number | null)[] } {
  const n = values.length;
  if (!partial || n === 0) return { full: [...values], open: values.map(() => null) };
  return {
    full: values.map((v, i) => (i < n - 1 ? v : null)),
    open: values.map((v, i) => (i >= n - 2 ? v : null)),
  };
}

/** What the axis counts in, and what the dashed end means. */
function zoneNote(series: SeriesModel): string {
  const unit = { hour: 'Hours', day: 'Days', week: 'Weeks (from Monday)', month: 'Months' }[
    series.granularity
  ];
  return `${unit} in UTC${series.partial ? ' · dashed: the current period, so far' : ''}`;
}

/** Day ticks grow to weeks, months and years, so a six-year range still has labels. */
const DAY_INCRS = [1, 2, 7, 14, 28, 56, 91, 182, 365, 730].map((d) => d * DAY);
const HOUR_INCRS = [1, 2, 3, 6, 12, 24].map((h) => h * 3_600);

/**
 * Weeks and months are not a fixed number of seconds apart (months) or start on Mondays (weeks),
 * which uPlot's even increments miss: ticks go on bucket starts, every k-th so labels never overlap.
 */
function bucketSplits(times: readonly number[], width: number): number[] {
  const every = Math.max(1, Math.ceil((times.length * 64) / Math.max(1, width)));
  return times.filter((_, i) => i % every === 0);
}

/**
 * The time series (uPlot: ~50 KB, draws thousands of points on canvas without lag). `onPlot`
 * hears of the plot once drawn and after each resize (null when it goes), so an overlay (the
 * annotations) can place itself on its scale; `children` are drawn over the chart.
 */
export function Chart({
  series,
  title,
  onPlot,
  children,
}: {
  series: SeriesModel;
  title: string;
  onPlot?: (plot: uPlot | null) => void;
  children?: unknown;
}) {
  const host = useRef<HTMLDivElement>(null);
  const tip = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const dark = matchMedia('(prefers-color-scheme: dark)').matches;
    const axis = { stroke: dark ? '#9aa1b2' : '#5f6677', grid: { stroke: dark ? '#2a2f3c' : '#eceef3' } };
    const span = (series.times.at(-1) ?? 0) - (series.times[0] ?? 0);
    const lines = series.lines.map((line) => ({ line, ...splitPartial(line.values, series.partial) }));
    const plot = new uPlot(
      {
        width: Math.max(280, el.clientWidth),
        height: 240,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.05] } },
        // Ticks on UTC midnights and hours, matching the buckets.
        tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        // No drag-zoom: it had no visible way back and lost the zero baseline.
        cursor: { drag: { x: false, y: false }, points: { show: true } },
        axes: [
          {
            ...axis,
            space: 56,
            // Whole buckets only: no "12:00" tick between two daily points.
            incrs: series.granularity === 'hour' ? HOUR_INCRS : DAY_INCRS,
            ...(series.granularity === 'week' || series.granularity === 'month'
              ? { splits: (u: uPlot) => bucketSplits(series.times, u.bbox.width / devicePixelRatio) }
              : {}),
            values: (_u: uPlot, ticks: number[]) => ticks.map((t) => tickLabel(t, series.granularity, span)),
          },
          { ...axis, size: 48 },
        ],
        series: [
          { value: (_u: uPlot, t: number | null) => (t == null ? '–' : bucketName(t, series.granularity)) },
          ...lines.flatMap(({ line }, i) => {
            const stroke = COLORS[i % COLORS.length];
            return [
              {
                label: line.label,
                stroke,
                width: line.dashed ? 1.5 : 2,
                ...(line.dashed ? { dash: [3, 4] } : {}),
                fill: i === 0 ? (dark ? 'rgba(139,133,255,0.12)' : 'rgba(79,70,229,0.08)') : undefined,
                points: { show: series.times.length < 60 },
              },
              {
                label: `${line.label} (so far)`,
                stroke,
                width: 2,
                dash: [5, 5],
                alpha: 0.6,
                points: { show: false },
              },
            ];
          }),
        ],
        legend: { show: false },
        hooks: {
          setCursor: [
            (u: uPlot) => {
              const box = tip.current;
              if (!box) return;
              const i = u.cursor.idx;
              if (i == null || u.cursor.left == null || u.cursor.left < 0) {
                box.hidden = true;
                return;
              }
              const last = series.partial && i === series.times.length - 1;
              const rows = [
                `${bucketName(series.times[i]!, series.granularity)}${last ? ' (so far)' : ''}`,
                ...series.lines.map((l) => `${l.label}: ${(l.values[i] ?? 0).toLocaleString('en')}`),
              ];
              box.textContent = rows.join('\n');
              box.hidden = false;
              const x = u.cursor.left + u.over.offsetLeft;
              const flip = x > el.clientWidth / 2;
              box.style.left = flip ? '' : `${x + 12}px`;
              box.style.right = flip ? `${el.clientWidth - x + 12}px` : '';
            },
          ],
        },
      },
      [series.times, ...lines.flatMap((l) => [l.full, l.open])],
      el,
    );
    // Touch: a tap or a slide moves the cursor, so phones get the same tooltip as a mouse.
    const touch = (e: TouchEvent) => {
      const t = e.touches[0];
      if (!t) return;
      const rect = plot.over.getBoundingClientRect();
      plot.setCursor({ left: t.clientX - rect.left, top: t.clientY - rect.top });
    };
    plot.over.addEventListener('touchstart', touch, { passive: true });
    plot.over.addEventListener('touchmove', touch, { passive: true });
    const resize = new ResizeObserver(() => {
      plot.setSize({ width: Math.max(280, el.clientWidth), height: 240 });
      onPlot?.(plot);
    });
    resize.observe(el);
    onPlot?.(plot);
    return () => {
      resize.disconnect();
      onPlot?.(null);
      plot.destroy();
    };
  }, [series]);
  return html`<div class="chart-wrap">
    <div class="chart" ref=${host} role="img" aria-label=${`${title}, UTC`}></div>
    ${children}
    <div class="chart-tip" ref=${tip} hidden role="status" aria-live="off" data-chart-tip></div>
    <p class="chart-legend muted">
      ${series.lines.map(
        (l, i) =>
          html`<span data-line=${l.dashed ? 'compared' : 'current'}
            ><i class="swatch" style=${{ background: COLORS[i % COLORS.length] }}></i>${l.label}</span
          >`,
      )}
      <span>${zoneNote(series)}</span>
    </p>
  </div>`;
}
