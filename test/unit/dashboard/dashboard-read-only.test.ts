// @vitest-environment happy-dom
// Who may only read a site (a viewer, a public link) is offered no control the collector would
// refuse: goals, notes and funnels without add, edit or delete, segments a link can apply but
// not keep. Rendered with Preact into happy-dom against a real collector's app.
import { html } from 'htm/preact';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnnotationsResponse, GoalsResponse, Segment } from '../../../shared/api.ts';
import { ApiClient } from '../../../dashboard/lib/api.ts';
import type { Session } from '../../../dashboard/lib/session.ts';
import { parseState } from '../../../dashboard/lib/url-state.ts';
import { AnnotationsBox } from '../../../dashboard/ui/annotations.ts';
import { SavedFunnels } from '../../../dashboard/ui/funnels.ts';
import { Goals } from '../../../dashboard/ui/goals.ts';
import { Segments } from '../../../dashboard/ui/segments.ts';
import { testCollector } from '../../support/helpers.ts';
import { preactMount } from '../../support/preact-mount.ts';

const TOKEN = 'dashboard-read-only-token-0123456789';
const SITE = 'a.test';
let t: Awaited<ReturnType<typeof testCollector>>;
let api: ApiClient;
let goals: GoalsResponse;
let notes: AnnotationsResponse;

beforeAll(async () => {
  t = await testCollector({ ANALYTICS_ADMIN_TOKEN: TOKEN, ANALYTICS_SITES: SITE });
  api = new ApiClient({ bearer: TOKEN }, async (input, init) => t.collector.app.request(String(input), init));
  await api.post('/api/analytics/goals', { site: SITE, name: 'Pricing', type: 'page', page: '/pricing' });
  await api.post('/api/analytics/annotations', {
    site: SITE,
    date: new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10),
    text: 'Launch',
  });
  await api.post('/api/analytics/funnels', {
    site: SITE,
    name: 'Signed up',
    steps: [
      { type: 'page', value: '/' },
      { type: 'page', value: '/app' },
    ],
  });
  await api.post('/api/analytics/segments', {
    site: SITE,
    name: 'Europe',
    shared: true,
    filters: [['is', 'country', ['FR', 'DE']]],
  });
  goals = (await api.get<GoalsResponse>('/api/analytics/goals', { site: SITE })).data;
  notes = (await api.get<AnnotationsResponse>('/api/analytics/annotations', { site: SITE, days: 30 })).data;
});
afterAll(() => t.cleanup());

const { mount } = preactMount();
const labels = (el: HTMLElement) =>
  [...el.querySelectorAll('button')].map((b) => (b.getAttribute('aria-label') ?? b.textContent ?? '').trim());
const nothing = () => undefined;
/** The admin token's session: it may change every segment, so only `maySave` hides anything. */
const OWNER: Session = {
  kind: 'token',
  name: null,
  roles: { '*': 'owner' },
  csrf: '',
  site: null,
  showUsers: false,
  link: null,
};

describe('controls for who may only read a site', () => {
  it.each([true, false])('goals: add and delete only when editable (%s), the figures always', (editable) => {
    const el = mount(
      html`<${Goals}
        api=${api}
        data=${goals}
        error=${null}
        site=${SITE}
        sites=${[SITE]}
        selected=""
        onSelect=${nothing}
        onChanged=${nothing}
        editable=${editable}
      />`,
    );
    expect(el.querySelector('[data-goal] [data-rate]')).not.toBeNull();
    expect(labels(el).includes('Add goal')).toBe(editable);
    expect(labels(el).includes('Delete goal Pricing')).toBe(editable);
    // The header has as many cells as the rows.
    expect(el.querySelectorAll('thead th').length).toBe(
      el.querySelectorAll('tbody tr:first-child td').length,
    );
  });

  it.each([true, false])(
    'notes: the form and delete only when editable (%s), the notes always',
    (editable) => {
      expect(notes.annotations.map((a) => a.text)).toEqual(['Launch']);
      const el = mount(
        html`<${AnnotationsBox}
          api=${api}
          data=${notes}
          error=${null}
          site=${SITE}
          sites=${[SITE]}
          onChanged=${nothing}
          editable=${editable}
        />`,
      );
      expect(el.textContent).toContain('Launch');
      expect(el.querySelector('[data-annotation-form]') !== null).toBe(editable);
      expect(labels(el).includes('Delete note Launch')).toBe(editable);
    },
  );

  it.each([true, false])('funnels: new, edit and delete only when editable (%s)', async (editable) => {
    const el = mount(
      html`<${SavedFunnels} api=${api} view=${parseState(`?site=${SITE}`)} editable=${editable} />`,
    );
    await expect.poll(() => el.querySelector('[data-funnel="Signed up"]')).not.toBeNull();
    expect(el.querySelector('[data-new-funnel]') !== null).toBe(editable);
    expect(labels(el).filter((l) => l === 'Edit' || l === 'Delete funnel Signed up').length).toBe(
      editable ? 2 : 0,
    );
  });

  it.each([true, false])(
    'segments: applied by anyone, kept or deleted only when saving is allowed (%s)',
    async (maySave) => {
      const applied: unknown[] = [];
      const el = mount(
        html`<${Segments}
          api=${api}
          session=${OWNER}
          view=${parseState(`?site=${SITE}&country=US`)}
          onApply=${(f: unknown) => applied.push(f)}
          maySave=${maySave}
        />`,
      );
      await expect.poll(() => el.querySelector('[data-segment="Europe"] .row-link')).not.toBeNull();
      el.querySelector<HTMLButtonElement>('[data-segment="Europe"] .row-link')!.click();
      expect(applied.length).toBe(1);
      expect(labels(el).includes('Delete segment Europe')).toBe(maySave);
      expect(el.querySelector('[data-save-segment]') !== null).toBe(maySave);
    },
  );

  it('does not carry "Share with the team" over to the next segment saved', async () => {
    const el = mount(
      html`<${Segments}
        api=${api}
        session=${OWNER}
        view=${parseState(`?site=${SITE}&country=US`)}
        onApply=${nothing}
      />`,
    );
    await expect.poll(() => el.querySelector('[data-save-segment]')).not.toBeNull();
    const save = async (name: string, share: boolean) => {
      const input = el.querySelector<HTMLInputElement>(
        '[data-save-segment] input[aria-label="Segment name"]',
      )!;
      input.value = name;
      input.dispatchEvent(new Event('input'));
      const box = el.querySelector<HTMLInputElement>('[data-save-segment] input[type="checkbox"]')!;
      if (share) box.click();
      await new Promise((r) => setTimeout(r, 0));
      el.querySelector<HTMLFormElement>('[data-save-segment]')!.dispatchEvent(
        new Event('submit', { cancelable: true }),
      );
      await expect.poll(() => el.querySelector(`[data-segment="${name}"]`)).not.toBeNull();
    };
    await save('Americas', true);
    expect(el.querySelector<HTMLInputElement>('[data-save-segment] input[type="checkbox"]')!.checked).toBe(
      false,
    );
    await save('Just me', false);
    const { segments } = (await api.get<{ segments: Segment[] }>('/api/analytics/segments', { site: SITE }))
      .data;
    expect(Object.fromEntries(segments.map((s) => [s.name, s.shared]))).toEqual({
      Europe: true,
      Americas: true,
      'Just me': false,
    });
  });
});
