import { html } from 'htm/preact';
import { useState } from 'preact/hooks';

/** The exact tag to paste, for this collector's own origin. */
export function tagSnippet(origin: string, site: string): string {
  return `<script defer src="${origin}/beacon.js" data-site="${site}"></script>`;
}

/** Shown while no event at all has been recorded: what to do next, with the tag to copy. */
export function EmptyState({ origin, site }: { origin: string; site: string }) {
  const snippet = tagSnippet(origin, site || 'example.com');
  const [copied, setCopied] = useState<string | null>(null);
  return html`<section class="box" data-empty>
    <h2>No data yet — add this tag to your site's pages:</h2>
    <pre class="snippet"><code>${snippet}</code></pre>
    <p class="muted">
      Put it in the <code>${'<head>'}</code> of every page; visits appear here within seconds. Use your site's
      domain as <code>data-site</code>.
    </p>
    <button
      class="btn"
      type="button"
      onClick=${() =>
        (navigator.clipboard?.writeText(snippet) ?? Promise.reject(new Error('no clipboard'))).then(
          () => setCopied('Copied'),
          () => setCopied('Could not copy: select the tag above and copy it'),
        )}
    >
      Copy the tag
    </button>
    ${copied && html`<span class="muted" role="status"> ${copied}</span>`}
  </section>`;
}
