import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { SeriesModel } from '../lib/model.ts';

const COLORS = ['#4f46e5', '#0ea5e9', '#f59e0b', '#10b981'];

// Buckets are UTC hours or days (as the API cuts them), so their labels are UTC too: a local
// label would put Tuesday's bucket under "Monday 23:00".
const dayLabel = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const hourLabel = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });

/** Tick label for a bucket start (epoch seconds). */
export function tickLabel(seconds: number, granularity: SeriesModel['granularity']): string {
  const d = new Date(seconds * 1000);
  if (granularity === 'day') return dayLabel.format(d);
  return d.getUTCHours() === 0 ? dayLabel.format(d) : hourLabel.format(d);
}

/** The time series (uPlot: ~50 KB, draws thousands of points on canvas without lag). */
export function Chart({ series, title }: { series: SeriesModel; title: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const dark = matchMedia('(prefers-color-scheme: dark)').matches;
    const axis = { stroke: dark ? '#9aa1b2' : '#5f6677', grid: { stroke: dark ? '#2a2f3c' : '#eceef3' } };
    const plot = new uPlot(
      {
        width: Math.max(280, el.clientWidth),
        height: 240,
        title: undefined,
        scales: { x: { time: true } },
        // Ticks on UTC midnights and hours, matching the buckets.
        tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        axes: [
          {
            ...axis,
            space: 56,
            // Whole buckets only: no "12:00" tick between two daily points.
            incrs:
              series.granularity === 'day'
                ? [86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 28 * 86_400]
                : [3_600, 2 * 3_600, 3 * 3_600, 6 * 3_600, 12 * 3_600, 86_400],
            values: (_u: uPlot, ticks: number[]) => ticks.map((t) => tickLabel(t, series.granularity)),
          },
          { ...axis, size: 48 },
        ],
        series: [
          {
            value: (_u: uPlot, t: number | null) =>
              t == null
                ? '–'
                : series.granularity === 'hour'
                  ? `${dayLabel.format(t * 1000)} ${hourLabel.format(t * 1000)}`
                  : dayLabel.format(t * 1000),
          },
          ...series.lines.map((line, i) => ({
            label: line.label,
            stroke: COLORS[i % COLORS.length],
            width: 2,
            fill: i === 0 ? (dark ? 'rgba(139,133,255,0.12)' : 'rgba(79,70,229,0.08)') : undefined,
            points: { show: series.times.length < 60 },
          })),
        ],
        legend: { live: true },
      },
      [series.times, ...series.lines.map((l) => l.values)],
      el,
    );
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(280, el.clientWidth), height: 240 }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [series]);
  return html`<div class="chart" ref=${host} role="img" aria-label=${title}></div>`;
}
