// @vitest-environment happy-dom
// Dashboard components rendered with Preact into happy-dom: what the admin sees and what a click
// sends back to the app.
import { html } from 'htm/preact';
import { describe, expect, it } from 'vitest';
import { cards } from '../../../dashboard/lib/load.ts';
import type { PanelModel, TabModel } from '../../../dashboard/lib/model.ts';
import { actionsTab, PANELS, TOTAL_METRICS } from '../../../dashboard/lib/queries.ts';
import type { Row } from '../../../dashboard/lib/table.ts';
import { parseState, type ViewState } from '../../../dashboard/lib/url-state.ts';
import { Cards } from '../../../dashboard/ui/cards.ts';
import { splitPartial, tickLabel } from '../../../dashboard/ui/chart.ts';
import { Chips } from '../../../dashboard/ui/chips.ts';
import { formatTime } from '../../../dashboard/lib/format.ts';
import { Header, rangeProblem } from '../../../dashboard/ui/header.ts';
import { tokenHint } from '../../../dashboard/ui/login.ts';
import { Funnel, Retention, viralityNote } from '../../../dashboard/ui/reports.ts';
import { usersCsv } from '../../../dashboard/ui/users.ts';
import { toCsv } from '../../../dashboard/lib/table.ts';
import { csvColumns, Panel } from '../../../dashboard/ui/panel.ts';
import { Realtime } from '../../../dashboard/ui/realtime.ts';
import { readSession } from '../../../dashboard/lib/session.ts';
import type {
  OverallResponse,
  QueryResponse,
  RealtimeResponse,
  RetentionResponse,
  ViralityResponse,
} from '../../../shared/api.ts';
import { preactMount } from '../../support/preact-mount.ts';

const OWNER = readSession({ kind: 'token', roles: { '*': 'owner' }, csrf: 'c' })!;

const { mount, unmount } = preactMount();
/** Lets Preact's effects and pending promises run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

const button = (el: HTMLElement, text: string) =>
  [...el.querySelectorAll('button')].find((b) => b.textContent?.trim() === text) as HTMLButtonElement;

describe('filter chips', () => {
  it('clears every filter with one call, not one removal per chip from the same old view', () => {
    const state = parseState('?country=IN&page=%2Fpricing&device=desktop');
    const removed: string[] = [];
    let cleared = 0;
    const el = mount(
      html`<${Chips}
        filters=${state.filters}
        onRemove=${(k: string) => removed.push(k)}
        onClear=${() => cleared++}
      />`,
    );
    expect(el.querySelectorAll('.chip')).toHaveLength(3);
    button(el, 'Clear all').click();
    expect(cleared).toBe(1);
    expect(removed).toEqual([]);
  });

  it('reads the visitor filters as what the visitors did', () => {
    const state = parseState('?action=photo_processed&share=whatsapp&country=FR');
    const el = mount(
      html`<${Chips} filters=${state.filters} onRemove=${() => undefined} onClear=${() => undefined} />`,
    );
    expect([...el.querySelectorAll('.chip span')].map((s) => s.textContent)).toEqual([
      'Did action: photo_processed',
      'Shared via: whatsapp',
      'Country is France',
    ]);
  });

  it('drops empty parameters instead of making an "Unknown" chip', () => {
    expect(parseState('?country=&device=mobile').filters).toEqual([{ key: 'device', value: 'mobile' }]);
  });
});

/** A pages panel whose first answer holds the top 50 of `total` rows. */
function pagesPanel(total: number): { panel: PanelModel; all: Row[] } {
  const spec = PANELS.find((p) => p.id === 'pages')!.tabs[0]!;
  const all: Row[] = Array.from({ length: total }, (_, i) => ({
    key: `/page-${i + 1}`,
    label: `/page-${i + 1}`,
    pageviews: total - i,
    visitors: total - i,
  }));
  const tab: TabModel = {
    id: spec.id,
    label: spec.label,
    filter: spec.filter,
    columns: spec.columns,
    rows: all.slice(0, 50),
    total,
    spec,
  };
  return { panel: { id: 'pages', title: 'Popular pages', tabs: [tab] }, all };
}

const labels = (el: HTMLElement) =>
  [...el.querySelectorAll('tbody .row-link')].map((b) => b.textContent?.trim());

describe('top-list panel', () => {
  it('offers the true count, then pages and searches through every row', async () => {
    const { panel, all } = pagesPanel(228);
    let loads = 0;
    const el = mount(
      html`<${Panel} panel=${panel} onFilter=${() => undefined} loadAll=${async () => (loads++, all)} />`,
    );
    expect(labels(el)).toHaveLength(10);
    button(el, 'Show all 228').click();
    await settle();
    await settle();
    expect(loads).toBe(1);
    expect(labels(el)).toEqual(all.slice(0, 50).map((r) => r.label));
    expect(el.querySelector('[data-rows-shown]')?.textContent?.replace(/\s+/g, ' ').trim()).toBe(
      '1–50 of 228',
    );
    for (let i = 0; i < 4; i++) {
      button(el, 'Next').click();
      await settle();
    }
    expect(labels(el)).toEqual(all.slice(200).map((r) => r.label));
    const search = el.querySelector<HTMLInputElement>('input[type="search"]')!;
    search.value = 'page-227';
    search.dispatchEvent(new Event('input'));
    await settle();
    expect(labels(el)).toEqual(['/page-227']);
  });

  it('exports every row to CSV, not the 50 on hand', async () => {
    const { panel, all } = pagesPanel(120);
    const blobs: Blob[] = [];
    const create = URL.createObjectURL;
    URL.createObjectURL = (b: Blob) => (blobs.push(b), 'blob:test');
    try {
      const el = mount(
        html`<${Panel} panel=${panel} onFilter=${() => undefined} loadAll=${async () => all} />`,
      );
      button(el, 'Export CSV').click();
      await settle();
      await settle();
      const lines = (await blobs[0]!.text()).trim().split('\r\n');
      expect(lines[0]).toBe('"Page","Views","Visitors","Avg time","Scroll"');
      expect(lines).toHaveLength(121);
      expect(lines[120]!.split(',')[0]).toBe('"/page-120"');
    } finally {
      URL.createObjectURL = create;
    }
  });

  it('does not fetch again when the first answer already held the whole list', async () => {
    const { panel } = pagesPanel(30);
    panel.tabs[0]!.rows = panel.tabs[0]!.rows.slice(0, 30);
    let loads = 0;
    const el = mount(
      html`<${Panel} panel=${panel} onFilter=${() => undefined} loadAll=${async () => (loads++, [])} />`,
    );
    button(el, 'Show all 30').click();
    await settle();
    expect(labels(el)).toHaveLength(30);
    expect(loads).toBe(0);
  });
});

describe('realtime badge', () => {
  const answer = { active_users_5m: 1, active_users_1h: 2, events: [] } as unknown as RealtimeResponse;
  const now = Date.UTC(2026, 11, 6, 12);
  const badge = (props: Record<string, unknown>) =>
    mount(html`<${Realtime} data=${answer} error=${null} cachedAt=${null} now=${now} ...${props} />`)
      .querySelector('.badge')
      ?.textContent?.trim();

  it('says live only while fresh answers arrive', () => {
    expect(badge({})).toBe('live · 10 s');
  });
  it("is not live on the offline cache's copy, and says how old it is", () => {
    expect(badge({ cachedAt: now - 3 * 60_000 })).toBe('not live · from 3 min ago');
  });
  it('is not live after a failed refresh', () => {
    expect(badge({ error: 'no connection to the collector' })).toBe('not live');
  });
});

describe('key figures', () => {
  /** The cards for totals now and before, by metric name (missing metrics are 0). */
  function shown(now: Record<string, number>, before: Record<string, number>) {
    const row = (v: Record<string, number>) => TOTAL_METRICS.map((m) => v[m] ?? 0);
    const totals = {
      results: [{ dimensions: [], metrics: row(now), comparison: row(before) }],
    } as unknown as QueryResponse;
    const overall = { active_users_24h: 0, active_users_1h: 0, metrics: [] } as unknown as OverallResponse;
    const el = mount(html`<${Cards} cards=${cards(totals, overall)} />`);
    const text = (id: string, part: string) =>
      el.querySelector(`[data-card="${id}"] ${part}`)?.textContent?.replace(/\s+/g, ' ').trim() ?? null;
    return (id: string) => ({ value: text(id, '[data-value]'), change: text(id, '.change') });
  }

  it('shows no rate or average where there were no sessions, instead of 0% and 0s', () => {
    const card = shown(
      {},
      { sessions: 10, pageviews: 20, bounce_rate: 40, session_duration: 60, time_on_page: 30 },
    );
    expect(card('bounce_rate')).toEqual({ value: '–', change: null });
    expect(card('session_duration')).toEqual({ value: '–', change: null });
    expect(card('time_on_page')).toEqual({ value: '–', change: null });
  });

  it('says there is no earlier data instead of "new", without colour', () => {
    const card = shown({ visitors: 5, sessions: 6, pageviews: 9, bounce_rate: 50, session_duration: 40 }, {});
    expect(card('visitors').change).toBe('no earlier data');
    expect(card('bounce_rate').change).toBe('no earlier data');
    expect(card('session_duration').change).toBe('no earlier data');
  });

  it('moves rates in percentage points', () => {
    const card = shown({ sessions: 10, bounce_rate: 43.95 }, { sessions: 10, bounce_rate: 40.9 });
    expect(card('bounce_rate').change).toBe('▲ +3.1 pp');
  });

  it('has no k-factor without shares', () => {
    const v = {
      total_shares: 0,
      total_recipients: 0,
      total_shared_visits: 0,
      k_factor: 0,
    } as ViralityResponse;
    expect(viralityNote(v)).toContain('k-factor –');
  });
});

describe('users CSV', () => {
  it('writes ISO times and readable durations, not epoch ms and raw seconds', () => {
    const csv = usersCsv([
      {
        user: 'alice',
        sessions: 3,
        pageviews: 7,
        total_time: 75.36,
        actions: 2,
        shares: 1,
        first_seen: Date.UTC(2026, 10, 1, 9, 30),
        last_seen: Date.UTC(2026, 11, 5, 23, 21, 5, 755),
      },
    ]);
    expect(toCsv(csv.columns, csv.rows).split('\r\n').slice(0, 2)).toEqual([
      '"User","Sessions","Views","Time","Time (seconds)","Actions","Shares","First seen (UTC)","Last seen (UTC)"',
      '"alice",3,7,"1m 15s",75,2,1,"2026-11-01T09:30:00.000Z","2026-12-05T23:21:05.755Z"',
    ]);
  });
});

describe('custom range', () => {
  it('names what is wrong with a range', () => {
    expect(rangeProblem('2026-10-31', '2026-10-01', '2026-12-06')).toBe(
      'The start date is after the end date.',
    );
    expect(rangeProblem('2027-01-01', '2027-01-31', '2026-12-06')).toMatch(/future/);
    expect(rangeProblem('2026-10-01', '', '2026-12-06')).toBe('Pick both dates.');
    expect(rangeProblem('2026-10-01', '2026-10-31', '2026-12-06')).toBeNull();
  });

  it('refuses an inverted range with a message instead of doing nothing', async () => {
    const applied: ViewState[] = [];
    const el = mount(
      html`<${Header}
        state=${parseState('?range=custom&from=2026-10-01&to=2026-10-31')}
        session=${OWNER}
        sites=${[]}
        offline=${false}
        cachedAt=${null}
        updatedAt=${null}
        busy=${false}
        now=${Date.now()}
        refreshMs=${0}
        onState=${(s: ViewState) => applied.push(s)}
        onRefresh=${() => undefined}
        onRefreshMs=${() => undefined}
        onSignOut=${() => undefined}
      />`,
    );
    const [from] = el.querySelectorAll<HTMLInputElement>('input[type="date"]');
    from!.value = '2026-11-15';
    from!.dispatchEvent(new Event('change'));
    await settle();
    button(el, 'Apply').click();
    await settle();
    expect(el.querySelector('[data-range-error]')?.textContent).toBe('The start date is after the end date.');
    expect(applied).toEqual([]);
  });
});

describe('site switcher', () => {
  const header = (sites: string[], search = '') =>
    mount(
      html`<${Header}
        state=${parseState(search)}
        session=${OWNER}
        sites=${sites}
        offline=${false}
        cachedAt=${null}
        updatedAt=${null}
        busy=${false}
        now=${Date.now()}
        refreshMs=${0}
        onState=${() => undefined}
        onRefresh=${() => undefined}
        onRefreshMs=${() => undefined}
        onSignOut=${() => undefined}
      />`,
    );

  it('shows whenever the sites list (configured or seen) has more than one site', () => {
    // The refresh interval is a select too: the switcher is the one offering "All sites".
    const siteOptions = (el: HTMLElement) =>
      [...el.querySelectorAll('select')]
        .map((s) => [...s.querySelectorAll('option')].map((o) => o.textContent))
        .filter((texts) => texts.includes('All sites'));
    expect(siteOptions(header(['a.test']))).toEqual([]);
    unmount();
    expect(siteOptions(header(['a.test', 'b.test']))).toEqual([['All sites', 'a.test', 'b.test']]);
  });
});

describe('report panels', () => {
  it('hide the default funnel with its reason instead of an error', () => {
    const el = mount(
      html`<${Funnel}
        data=${null}
        error=${'steps: the default funnel does not belong'}
        hidden=${'The default funnel belongs to other sites.'}
      />`,
    );
    expect(el.querySelector('[data-funnel-hidden]')?.textContent).toBe(
      'The default funnel belongs to other sites.',
    );
    expect(el.querySelector('[role="alert"]')).toBeNull();
  });

  it('show the notes they are given, and none when there are none', () => {
    const data = { cohorts: [], note: '' } as unknown as RetentionResponse;
    const el = mount(html`<${Retention} data=${data} error=${null} scope=${['Cohorts over 90 days']} />`);
    expect([...el.querySelectorAll('[data-scope]')].map((n) => n.textContent)).toEqual([
      'Cohorts over 90 days',
    ]);
    unmount();
    expect(
      mount(html`<${Retention} data=${data} error=${null} scope=${[]} />`).querySelector('[data-scope]'),
    ).toBeNull();
  });
});

describe('login hint', () => {
  it('points at ANALYTICS_ADMIN_TOKEN when the collector took its token from there, not at the file', () => {
    expect(tokenHint('env')).toContain('ANALYTICS_ADMIN_TOKEN');
    expect(tokenHint('env')).not.toContain('admin-token file');
    expect(tokenHint('file')).toContain('data/admin-token');
  });
});

describe('regions', () => {
  it('name their country and filter on both when clicked', () => {
    const spec = PANELS[0]!.tabs.find((t) => t.id === 'regions')!;
    const rows = [
      { key: 'CA', label: 'CA, US', scope: 'US', visitors: 3, pageviews: 4 },
      { key: 'CA', label: 'CA, ES', scope: 'ES', visitors: 1, pageviews: 1 },
    ];
    const tab: TabModel = {
      id: spec.id,
      label: spec.label,
      filter: spec.filter,
      columns: spec.columns,
      rows,
      total: 2,
      spec,
    };
    const picked: unknown[][] = [];
    const el = mount(
      html`<${Panel}
        panel=${{ id: 'locations', title: 'Countries', tabs: [tab] }}
        onFilter=${(...args: unknown[]) => picked.push(args)}
        loadAll=${async () => rows}
      />`,
    );
    expect(labels(el)).toEqual(['CA, US', 'CA, ES']);
    button(el, 'CA, ES').click();
    expect(picked).toEqual([['region', 'CA', 'ES']]);
  });
});

describe('time on the chart', () => {
  it('splits the running bucket into a dashed "so far" segment', () => {
    expect(splitPartial([3, 5, 1], true)).toEqual({ full: [3, 5, null], open: [null, 5, 1] });
    expect(splitPartial([3, 5, 1], false)).toEqual({ full: [3, 5, 1], open: [null, null, null] });
  });

  it('labels ticks of a multi-year range with month and year', () => {
    const t = Date.UTC(2024, 2, 1) / 1000;
    expect(tickLabel(t, 'day', 6 * 365 * 86_400)).toBe('Mar 2024');
    expect(tickLabel(t, 'day', 7 * 86_400)).toBe('1 Mar');
  });

  it("writes times in UTC whatever the browser's zone", () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/Los_Angeles';
    try {
      expect(formatTime(Date.UTC(2026, 11, 6, 0, 15))).toBe('6 Dec, 00:15');
    } finally {
      process.env.TZ = zone;
    }
  });
});

describe('actions CSV', () => {
  it('writes one numeric column per prop sum instead of one display string', () => {
    const spec = actionsTab(['matches_found', 'threshold_used']);
    const rows = [
      {
        key: 'search_performed',
        label: 'search_performed',
        actions: 4,
        visitors: 2,
        'prop_sum:matches_found': 14836,
        'prop_sum:threshold_used': 323.4,
        sums: 'matches_found: 14,836 · threshold_used: 323.4',
      },
    ];
    const tab: TabModel = {
      id: spec.id,
      label: spec.label,
      filter: spec.filter,
      columns: spec.columns,
      rows,
      total: 1,
      spec,
    };
    expect(toCsv(csvColumns(tab, rows), rows).split('\r\n').slice(0, 2)).toEqual([
      '"Action","Count","Visitors","matches_found (sum)","threshold_used (sum)"',
      '"search_performed",4,2,14836,323.4',
    ]);
  });
});
