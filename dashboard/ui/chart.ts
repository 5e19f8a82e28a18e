import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { SeriesModel } from '../lib/model.ts';

const COLORS = ['#4f46e5', '#0ea5e9', '#f59e0b', '#10b981'];

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
        axes: [axis, { ...axis, size: 48 }],
        series: [
          {},
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
