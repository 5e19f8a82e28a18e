import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type uPlot from 'uplot';
import type { Annotation, AnnotationsResponse } from '../../shared/api.ts';
import { nextBucket } from '../../shared/time.ts';
import type { ApiClient } from '../lib/api.ts';
import type { SeriesModel } from '../lib/model.ts';
import { API } from '../lib/queries.ts';
import { Chart } from './chart.ts';
import { SitePicker } from './site-picker.ts';

const dayName = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

/** Where each note falls on the plot, in CSS pixels from the chart's left edge; off-chart ones are left out. */
export function markPositions(
  plot: Pick<uPlot, 'valToPos'> & { over: { offsetLeft: number } },
  series: SeriesModel,
  annotations: readonly Annotation[],
): { annotation: Annotation; left: number }[] {
  const first = series.times[0];
  const last = series.times.at(-1);
  if (first === undefined || last === undefined) return [];
  const end = nextBucket(last * 1000, series.granularity);
  return annotations
    .filter((a) => a.at >= first * 1000 && a.at < end)
    .map((annotation) => ({
      annotation,
      // Past the last point (a note in today's bucket) it stays at the edge, not outside the plot.
      left: plot.over.offsetLeft + plot.valToPos(Math.min(annotation.at / 1000, last), 'x'),
    }));
}

/**
 * The notes as marker lines over the chart, each with its text as a label and a tooltip. The text
 * is a text node (never HTML): a note can hold anything an admin typed.
 */
export function AnnotationMarks({
  plot,
  series,
  annotations,
}: {
  plot: uPlot | null;
  series: SeriesModel;
  annotations: readonly Annotation[];
}) {
  if (!plot) return null;
  const marks = markPositions(plot, series, annotations);
  const top = plot.over.offsetTop;
  const height = plot.over.clientHeight;
  // Labels of notes on the right half read leftwards, so they never run past the chart's edge.
  const middle = plot.over.offsetLeft + plot.over.clientWidth / 2;
  return html`${marks.map(
    ({ annotation, left }, i) =>
      html`<div
        class=${left > middle ? 'annot flip' : 'annot'}
        data-annotation=${annotation.id}
        style=${{ left: `${left}px`, top: `${top}px`, height: `${height}px` }}
        title=${`${dayName.format(annotation.at)}: ${annotation.text}`}
      >
        <span class="annot-label" style=${{ top: `${(i % 3) * 18}px` }}>${annotation.text}</span>
      </div>`,
  )}`;
}

/** The chart with the notes drawn over it; the plot is kept here so a resize redraws only this. */
export function AnnotatedChart({
  series,
  title,
  annotations,
}: {
  series: SeriesModel;
  title: string;
  annotations: readonly Annotation[];
}) {
  // Wrapped in an object: the same plot after a resize must still re-render the marks.
  const [plot, setPlot] = useState<{ plot: uPlot | null }>({ plot: null });
  return html`<${Chart} series=${series} title=${title} onPlot=${(p: uPlot | null) => setPlot({ plot: p })}>
    <${AnnotationMarks} plot=${plot.plot} series=${series} annotations=${annotations} />
  <//>`;
}

/** The notes of the view's range as a list with a form to add one, under the chart. */
export function AnnotationsBox({
  api,
  data,
  error,
  site,
  sites,
  onChanged,
  editable = true,
}: {
  api: ApiClient;
  data: AnnotationsResponse | null;
  error: string | null;
  site: string;
  sites: string[];
  onChanged: () => void;
  /** false for who may only read the site: the notes without the form or delete buttons */
  editable?: boolean;
}) {
  const [date, setDate] = useState(() => new Date().toISOString().slice(0, 10));
  const [text, setText] = useState('');
  const [forSite, setForSite] = useState(site || sites[0] || '');
  const [problem, setProblem] = useState<string | null>(null);
  const run = async (change: () => Promise<unknown>) => {
    setProblem(null);
    try {
      await change();
      onChanged();
      return true;
    } catch (e) {
      setProblem(e instanceof Error ? e.message : 'could not save the note');
      return false;
    }
  };
  const add = async (e: Event) => {
    e.preventDefault();
    const done = await run(() => api.send('POST', API.annotations, { site: site || forSite, date, text }));
    if (done) setText('');
  };
  const notes = data?.annotations ?? [];
  return html`<details class="annotations" data-annotations>
    <summary>Notes on the chart (${notes.length})</summary>
    ${
      notes.length > 0 &&
      html`<ul class="annot-list">
        ${notes.map(
          (a) =>
            html`<li data-note=${a.id}>
              <span class="muted">${dayName.format(a.at)}${site ? '' : ` · ${a.site}`}</span>
              <span>${a.text}</span>
              ${
                editable &&
                html`<button
                  class="link-btn"
                  type="button"
                  aria-label=${`Delete note ${a.text}`}
                  onClick=${() => run(() => api.send('DELETE', API.annotation(a.id)))}
                >
                  Delete
                </button>`
              }
            </li>`,
        )}
      </ul>`
    }
    ${
      editable &&
      html`<form class="stack-form" data-annotation-form onSubmit=${add}>
        ${!site && html`<${SitePicker} sites=${sites} value=${forSite} onChange=${setForSite} />`}
        <label
          >Date
          <input
            type="date"
            name="note-date"
            required
            value=${date}
            onInput=${(e: Event) => setDate((e.target as HTMLInputElement).value)}
          />
        </label>
        <label
          >Note
          <input
            name="note-text"
            required
            maxlength="280"
            placeholder="Launched WhatsApp sharing"
            value=${text}
            onInput=${(e: Event) => setText((e.target as HTMLInputElement).value)}
          />
        </label>
        <button class="btn" type="submit">Add note</button>
      </form>`
    }
    ${(problem ?? error) && html`<p class="error" role="alert">${problem ?? error}</p>`}
  </details>`;
}
