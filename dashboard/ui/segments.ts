import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import type { Segment } from '../../shared/api.ts';
import type { ApiClient } from '../lib/api.ts';
import { apiFilters } from '../lib/queries.ts';
import { deleteSaved, listSegments, saveSegment, segmentToView } from '../lib/saved.ts';
import { mayChangeSegment, type Session } from '../lib/session.ts';
import type { Filter, ViewState } from '../lib/url-state.ts';

const message = (e: unknown) => (e instanceof Error ? e.message : 'request failed');

/**
 * The site's saved segments (the session's own and the team's shared ones), each applied in one
 * click, and a form that saves the view's filters as a new one. Only the segments the session may
 * change offer a delete, and a public link is offered no save: the collector would refuse them.
 */
export function Segments({
  api,
  session,
  view,
  onApply,
  maySave = true,
}: {
  api: ApiClient;
  session: Session;
  view: ViewState;
  onApply: (filters: Filter[]) => void;
  /** false for a public link, which the collector lets apply the team's segments but not keep any */
  maySave?: boolean;
}) {
  const [segments, setSegments] = useState<Segment[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const [saving, setSaving] = useState(false);
  const reload = () => listSegments(api, view.site).then(setSegments, (e: unknown) => setProblem(message(e)));
  useEffect(() => {
    void reload();
  }, [api, view.site]);

  const save = async (e: Event) => {
    e.preventDefault();
    if (!name.trim()) return setProblem('Name the segment.');
    setSaving(true);
    try {
      await saveSegment(api, { site: view.site, name: name.trim(), filters: apiFilters(view), shared });
      setName('');
      // The next segment is private again unless asked: sharing is never carried over.
      setShared(false);
      setProblem(null);
      await reload();
    } catch (error) {
      setProblem(message(error));
    } finally {
      setSaving(false);
    }
  };

  const list = segments ?? [];
  return html`<div class="segments" data-segments aria-label="Segments">
    ${list.map((s) => {
      const filters = segmentToView(s.filters);
      return html`<span class="segment-chip" data-segment=${s.name}>
        <button
          type="button"
          class="row-link"
          disabled=${!filters}
          title=${filters ? `Apply ${s.name}${s.shared ? ' (shared)' : ' (private)'}` : 'Uses filters only the API shows'}
          onClick=${() => filters && onApply(filters)}
        >
          ${s.name}${s.shared ? html`<span class="muted"> · shared</span>` : ''}
        </button>
        ${
          maySave &&
          mayChangeSegment(session, s) &&
          html`<button
            type="button"
            aria-label=${`Delete segment ${s.name}`}
            onClick=${() => deleteSaved(api, 'segments', s.id).then(reload, (e: unknown) => setProblem(message(e)))}
          >
            ×
          </button>`
        }
      </span>`;
    })}
    ${
      view.filters.length > 0 &&
      maySave &&
      session.kind !== 'link' &&
      (view.site
        ? html`<form class="segment-save" onSubmit=${save} data-save-segment>
            <input
              aria-label="Segment name"
              placeholder="Save these filters as…"
              value=${name}
              maxlength="100"
              onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)}
            />
            <label class="muted"
              ><input
                type="checkbox"
                checked=${shared}
                onChange=${(e: Event) => setShared((e.target as HTMLInputElement).checked)}
              />
              Share with the team</label
            >
            <button class="btn" type="submit" disabled=${saving}>Save segment</button>
          </form>`
        : html`<span class="muted">Pick a site to save these filters as a segment.</span>`)
    }
    ${problem && html`<p class="error" role="alert">${problem}</p>`}
  </div>`;
}
