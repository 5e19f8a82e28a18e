import { html } from 'htm/preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type {
  FunnelResponse,
  JourneysResponse,
  RealtimeResponse,
  RetentionResponse,
  SitesResponse,
  UserResponse,
  ViralityResponse,
} from '../../shared/api.ts';
import { ApiClient, ApiError, AuthError, type Answer } from '../lib/api.ts';
import { allowedSite, can, type Session } from '../lib/session.ts';
import {
  loadAllRows,
  loadFunnel,
  loadJourneys,
  loadOverview,
  loadRealtime,
  loadRetention,
  indexProgress,
  loadSites,
  loadUser,
  loadUsers,
  loadVirality,
  funnelHidden,
  scopeNotes,
  switchSite,
  type UserRows,
} from '../lib/load.ts';
import type { Overview, TabModel } from '../lib/model.ts';
import { formatAgo } from '../lib/format.ts';
import { retryDelay, startPoller } from '../lib/poller.ts';
import {
  droppedNotice,
  parseState,
  serializeState,
  withBuiltFilter,
  withFilter,
  withoutFilter,
  type Filter,
  type ViewState,
} from '../lib/url-state.ts';
import { Cards } from './cards.ts';
import { Chips } from './chips.ts';
import { EmptyState } from './empty.ts';
import { Header } from './header.ts';
import { Panel } from './panel.ts';
import { Funnel, Journeys, Retention, viralityNote } from './reports.ts';
import { Realtime } from './realtime.ts';
import { LazyTeam as Team } from './lazy-team.ts';
import { UserPage } from './user-page.ts';
import { Users } from './users.ts';
import { LazyWorldMap as WorldMap } from './lazy-map.ts';
// Issue 16: goals, editable cards, annotations and chart intervals.
import type { AnnotationsResponse } from '../../shared/api.ts';
import {
  loadAnnotations,
  loadGoalView,
  withConversionColumn,
  withRates,
  type GoalView,
} from '../lib/goals.ts';
import { AnnotatedChart, AnnotationsBox } from './annotations.ts';
import { CardsEditor } from './cards-editor.ts';
import { Goals } from './goals.ts';
import { IntervalPicker } from './interval.ts';
import { CompareSelect } from './compare.ts';
import { FilterBuilder } from './filter-builder.ts';
import { SavedFunnels } from './funnels.ts';
import { Properties } from './properties.ts';
import { Segments } from './segments.ts';
import type { PanelModel } from '../lib/model.ts';

/** The view's action names, most frequent first (the actions panel's rows). */
function actionNames(panels: PanelModel[]): string[] {
  const rows = panels.find((p) => p.id === 'actions')?.tabs[0]?.rows ?? [];
  return rows.map((r) => String(r.key ?? '')).filter(Boolean);
}

interface Slot<T> {
  data: T | null;
  error: string | null;
  /** the failure may pass by itself (no connection, a 5xx): worth retrying without a click */
  transient?: boolean;
  /** the view (serialized) the data belongs to, so a failed switch never shows the old view's data as the new one */
  key?: string;
  /** when the data came from the offline cache, its age; null when live */
  cachedAt?: number | null;
}
const idle = <T>(): Slot<T> => ({ data: null, error: null });
type SetSlot<T> = (update: (prev: Slot<T>) => Slot<T>) => void;

const REFRESH_KEY = 'cfa-refresh-ms';
const REALTIME_MS = 10_000;

function message(error: unknown): string {
  return error instanceof Error ? error.message : 'request failed';
}

/**
 * What `session` may see of a view: a public link its own site and no user pages unless allowed,
 * a session without an all-sites role one of its sites, the team page only for who may use it.
 */
export function permittedView(session: Session, view: ViewState, sites: readonly string[]): ViewState {
  const site = allowedSite(session, view.site, sites);
  const user = session.showUsers ? view.user : '';
  const section = view.section === 'team' && can(session, 'team') ? view.section : '';
  return site === view.site && user === view.user && section === view.section
    ? view
    : { ...view, site, user, section };
}

/** The dashboard for a signed-in session: the overview of one view, one user's page, or the team page. */
export function App({
  session,
  onSignOut,
  onExpired,
}: {
  session: Session;
  onSignOut: (everywhere: boolean) => void;
  /** a 401: the session was signed out, expired or revoked */
  onExpired: () => void;
}) {
  // The sites the collector lists for this session, once it has answered.
  const sitesRef = useRef<string[]>([]);
  // The view the URL asks for, narrowed to what this session may see (the URL follows).
  const permitted = (asked: ViewState) => {
    const view = permittedView(session, asked, sitesRef.current);
    if (view !== asked) history.replaceState(null, '', `${location.pathname}${serializeState(view)}`);
    return view;
  };
  const [view, setView] = useState<ViewState>(() => permitted(parseState(location.search)));
  const [overview, setOverview] = useState<Slot<Overview>>(idle);
  const [realtime, setRealtime] = useState<Slot<RealtimeResponse>>(idle);
  const [funnel, setFunnel] = useState<Slot<FunnelResponse>>(idle);
  const [retention, setRetention] = useState<Slot<RetentionResponse>>(idle);
  const [journeys, setJourneys] = useState<Slot<JourneysResponse>>(idle);
  const [virality, setVirality] = useState<Slot<ViralityResponse>>(idle);
  const [users, setUsers] = useState<Slot<UserRows>>(idle);
  const [user, setUser] = useState<Slot<UserResponse>>(idle);
  const [goalView, setGoalView] = useState<Slot<GoalView>>(idle);
  const [annotations, setAnnotations] = useState<Slot<AnnotationsResponse>>(idle);
  const [sites, setSites] = useState<string[]>([]);
  // What belongs to each site (the default funnel), from the sites endpoint; null until it answers.
  const [applies, setApplies] = useState<SitesResponse['applies'] | null>(null);
  const appliesRef = useRef(applies);
  appliesRef.current = applies;
  // Which filters a site switch dropped, until the next navigation.
  const [siteNotice, setSiteNotice] = useState<string | null>(null);
  // While the collector is still indexing its history, figures are partial: say so.
  const [indexing, setIndexing] = useState<number | null>(null);
  const [cachedAt, setCachedAt] = useState<number | null>(null);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const [online, setOnline] = useState(navigator.onLine);
  // Requests in flight, for the busy indicator.
  const [pending, setPending] = useState(0);
  // Ticks so "updated 12 s ago" stays true while nothing else renders.
  const [now, setNow] = useState(Date.now());
  const retries = useRef(0);
  const [refreshMs, setRefreshMs] = useState(() => Number(localStorage.getItem(REFRESH_KEY) ?? 300_000));
  const generation = useRef(0);
  const api = useMemo(() => new ApiClient({ csrf: session.csrf }), [session]);
  const refuse = onExpired;

  const navigate = useCallback((asked: ViewState, keepScroll = false) => {
    const next = permittedView(session, asked, sitesRef.current);
    setSiteNotice(null);
    history.pushState(null, '', `${location.pathname}${serializeState(next)}`);
    setView(next);
    if (!keepScroll) window.scrollTo(0, 0);
  }, []);

  useEffect(() => {
    const onPop = () => setView(permitted(parseState(location.search)));
    const onOnline = () => setOnline(true);
    const onOffline = () => setOnline(false);
    addEventListener('popstate', onPop);
    addEventListener('online', onOnline);
    addEventListener('offline', onOffline);
    return () => {
      removeEventListener('popstate', onPop);
      removeEventListener('online', onOnline);
      removeEventListener('offline', onOffline);
    };
  }, []);

  /** Runs one load into its slot, dropping answers from a view the admin has left. */
  const fill = useCallback(
    <T>(
      gen: number,
      key: string,
      load: Promise<Answer<T>>,
      set: SetSlot<T>,
      onCached?: (t: number | null) => void,
      // Realtime's 10 s poll is not a change of view: it would flash the spinner all the time.
      quiet = false,
    ) => {
      const busy = quiet ? 0 : 1;
      setPending((n) => n + busy);
      return load
        .then(
          (answer) => {
            if (gen !== generation.current) return;
            set(() => ({ data: answer.data, error: null, key, cachedAt: answer.cachedAt }));
            onCached?.(answer.cachedAt);
          },
          (error: unknown) => {
            if (gen !== generation.current) return;
            if (error instanceof AuthError) {
              refuse();
              return;
            }
            const transient = error instanceof ApiError && (error.status === 0 || error.status >= 500);
            // The last good figures of this same view stay on screen under the error; another
            // view's figures never do.
            set((prev) => ({
              data: prev.key === key ? prev.data : null,
              error: message(error),
              transient,
              key,
            }));
          },
        )
        .finally(() => setPending((n) => n - busy));
    },
    [refuse],
  );

  const refresh = useCallback(() => {
    if (view.section) return;
    const gen = ++generation.current;
    const key = serializeState(view);
    if (view.user) {
      void fill(gen, key, loadUser(api, view), setUser);
      return;
    }
    void fill(
      gen,
      key,
      loadOverview(api, view).then((r) => ({ data: r.overview, cachedAt: r.cachedAt })),
      setOverview,
      (t) => {
        setCachedAt(t);
        // "Updated" is the time of the last live answer; a cached one is as old as the cache.
        if (t === null) setUpdatedAt(Date.now());
      },
    );
    // The API refuses the default funnel on a site it does not belong to: do not ask for it.
    if (funnelHidden(appliesRef.current, view)) setFunnel(idle);
    else void fill(gen, key, loadFunnel(api, view), setFunnel);
    void fill(gen, key, loadRetention(api, view), setRetention);
    void fill(gen, key, loadJourneys(api, view), setJourneys);
    void fill(gen, key, loadVirality(api, view), setVirality);
    if (session.showUsers) void fill(gen, key, loadUsers(api, view), setUsers);
    void fill(gen, key, loadGoalView(api, view), setGoalView);
    void fill(gen, key, loadAnnotations(api, view), setAnnotations);
  }, [api, view, fill]);

  useEffect(() => {
    // A public link has no picker, but what belongs to its site (the default funnel) still counts.
    loadSites(api).then(
      (r) => {
        sitesRef.current = r.data.sites;
        setSites(r.data.sites);
        setApplies(r.data.applies ?? null);
        // Now that the permitted sites are known, a view of none of them moves to one.
        setView((v) => permitted(v));
      },
      (error: unknown) => {
        if (error instanceof AuthError) refuse();
        setSites([]);
      },
    );
  }, [api]);

  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = () =>
      indexProgress().then((progress) => {
        if (!live) return;
        setIndexing(progress);
        if (progress === null) refreshRef.current();
        else timer = setTimeout(check, 2_000);
      });
    void indexProgress().then((progress) => {
      if (!live || progress === null) return;
      setIndexing(progress);
      timer = setTimeout(check, 2_000);
    });
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // Once per login (the index loads once); refreshRef reaches the current view's refresh.
  }, [api]);

  const refreshRealtime = useCallback(() => {
    if (view.user || view.section) return;
    void fill(
      generation.current,
      serializeState(view),
      loadRealtime(api, view),
      setRealtime,
      undefined,
      true,
    );
  }, [api, view, fill]);

  useEffect(() => {
    if (view.user) setUser(idle());
    refresh();
    refreshRealtime();
  }, [refresh, refreshRealtime, view.user]);
  useEffect(() => startPoller(refresh, refreshMs, document), [refresh, refreshMs]);
  useEffect(() => startPoller(refreshRealtime, REALTIME_MS, document), [refreshRealtime]);
  // Back online: fetch at once instead of showing cached data until the next tick.
  useEffect(() => {
    if (online) {
      refresh();
      refreshRealtime();
    }
  }, [online]);
  // Showing cached answers while the browser says it is online: the first fetch after the
  // connection returned can still fail, so keep retrying every few seconds until fresh data is in.
  useEffect(() => {
    if (cachedAt === null || !online) return;
    const timer = setInterval(refresh, 5_000);
    return () => clearInterval(timer);
  }, [cachedAt, online, refresh]);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 5_000);
    return () => clearInterval(timer);
  }, []);
  // After an outage or a server error, retry on a backoff (2 s, 4 s … 1 min) until an answer
  // comes, so the page recovers by itself when the collector is back.
  useEffect(() => {
    if (!overview.error) {
      if (overview.data) retries.current = 0;
      return;
    }
    if (!overview.transient) return;
    const timer = setTimeout(() => {
      refresh();
      refreshRealtime();
    }, retryDelay(retries.current++));
    return () => clearTimeout(timer);
  }, [overview]);
  // The first event arrives: realtime sees it within 10 s, so the empty state goes with it
  // instead of waiting for the next full refresh.
  useEffect(() => {
    if (overview.data?.empty && realtime.data && realtime.data.events.length > 0) refresh();
  }, [realtime.data]);

  // While a goal is selected, "Show all" and the CSV carry its conversion rate too.
  const conversions = goalView.data?.goal ? goalView.data.conversions : null;
  const loadAll = (tab: TabModel) =>
    loadAllRows(api, view, tab.spec).then((rows) => {
      const byKey = conversions?.[tab.id];
      return byKey ? withRates(rows, byKey, !!tab.spec.scope) : rows;
    });
  const onFilter = (key: Parameters<typeof withFilter>[1], value: string, country?: string) =>
    navigate(withFilter(country ? withFilter(view, 'country', country) : view, key, value));
  const header = html`<${Header}
    state=${view}
    compact=${view.section === 'team'}
    session=${session}
    sites=${sites}
    offline=${!online}
    cachedAt=${cachedAt}
    updatedAt=${updatedAt}
    busy=${pending > 0}
    now=${now}
    refreshMs=${refreshMs}
    onState=${navigate}
    onSite=${(site: string) => {
      const fallback = { next: { ...view, site, user: '' }, dropped: [] as Filter[] };
      void switchSite(api, view, site)
        .catch(() => fallback)
        .then(({ next, dropped }) => {
          navigate(next);
          setSiteNotice(dropped.length ? droppedNotice(dropped, site) : null);
        });
    }}
    onRefresh=${() => {
      refresh();
      refreshRealtime();
    }}
    onRefreshMs=${(ms: number) => {
      localStorage.setItem(REFRESH_KEY, String(ms));
      setRefreshMs(ms);
    }}
    onSignOut=${onSignOut}
  />`;

  if (view.section === 'team') {
    return html`<div class="wrap">${header}</div>
      <${Team}
        api=${api}
        session=${session}
        sites=${sites}
        site=${view.site}
        onBack=${() => navigate({ ...view, section: '' })}
        onExpired=${refuse}
      />`;
  }

  if (view.user) {
    return html`<div class="wrap">${header}</div>
      <${UserPage}
        user=${view.user}
        data=${user.data}
        error=${user.error}
        onBack=${() => navigate({ ...view, user: '' })}
      />`;
  }

  const data = overview.data;
  // Figures of the view being left stay on screen, dimmed, until the new view's answer is in.
  const stale = overview.key !== serializeState(view);
  const shares = data?.panels.find((p) => p.id === 'shares');
  const panels = data && conversions ? withConversionColumn(data.panels, conversions) : data?.panels;
  const onGoalsChanged = () =>
    void fill(generation.current, serializeState(view), loadGoalView(api, view), setGoalView);
  // A report is compared with the page's figures of the same view only: while a view loads, the
  // figures of the view being left are no yardstick.
  const pageScope = (slot: Slot<unknown>) => (slot.key === overview.key ? data?.scope : undefined);
  // Goals, cards, notes and funnels are the site's settings: only who may change them is offered
  // the controls (the collector refuses the rest with a 403 anyway).
  const editable = can(session, 'settings', view.site);
  return html`<main class=${stale ? 'wrap stale' : 'wrap'} aria-busy=${pending > 0}>
    ${header}
    <${Chips}
      filters=${view.filters}
      onRemove=${(key: Parameters<typeof withoutFilter>[1]) => navigate(withoutFilter(view, key))}
      onClear=${() => navigate({ ...view, filters: [] })}
    />
    <div class="toolbar">
      <${FilterBuilder} onApply=${(f: Filter) => navigate(withBuiltFilter(view, f))} />
      <${Segments}
        api=${api}
        session=${session}
        view=${view}
        onApply=${(filters: Filter[]) => navigate({ ...view, user: '', filters })}
        maySave=${session.kind !== 'link'}
      />
    </div>
    ${siteNotice && html`<p class="box badge-box" role="status" data-site-notice>${siteNotice}</p>`}
    ${
      overview.error &&
      html`<p class="box error" role="alert" data-load-error>
        ${data ? 'Could not refresh the dashboard' : 'Could not load the dashboard'}: ${overview.error}.
        ${data && updatedAt ? ` The figures below are from ${formatAgo(updatedAt, now)}.` : ''}
        ${overview.transient ? ' Retrying automatically.' : ''}
      </p>`
    }
    ${!data && !overview.error && html`<p class="notice" aria-busy="true">Loading…</p>`}
    ${
      indexing !== null &&
      html`<p class="box badge-box" role="status" data-indexing>
        ${`The collector is still loading its stored events (${Math.round(indexing * 100)}%): figures are partial and refresh when it is done.`}
      </p>`
    }
    ${data?.empty && indexing === null && html`<${EmptyState} origin=${location.origin} site=${view.site} />`}
    ${
      data &&
      html`<${Cards} cards=${data.cards} />
        ${editable && html`<${CardsEditor} api=${api} site=${view.site} onChanged=${refresh} />`}
        <section class="box" aria-label="Time series">
          <div class="box-head">
            <h2>${view.chart === 'traffic' ? 'Visitors and page views' : 'Actions and shares'}</h2>
            <${IntervalPicker} state=${view} onState=${(next: ViewState) => navigate(next, true)} />
            <div class="seg" role="group" aria-label="Chart">
              <button
                type="button"
                aria-pressed=${view.chart === 'traffic'}
                onClick=${() => navigate({ ...view, chart: 'traffic' })}
              >
                Traffic
              </button>
              <button
                type="button"
                aria-pressed=${view.chart === 'engagement'}
                onClick=${() => navigate({ ...view, chart: 'engagement' })}
              >
                Actions & shares
              </button>
            </div>
            <${CompareSelect}
              value=${view.compare}
              onChange=${(compare: ViewState['compare']) => navigate({ ...view, compare })}
            />
          </div>
          <${AnnotatedChart}
            series=${data.series[view.chart]}
            title=${view.chart === 'traffic' ? 'Visitors and page views over time' : 'Actions and shares over time'}
            annotations=${annotations.data?.annotations ?? []}
          />
          <${AnnotationsBox}
            api=${api}
            data=${annotations.data}
            error=${annotations.error}
            site=${view.site}
            sites=${sites}
            onChanged=${() => void fill(generation.current, serializeState(view), loadAnnotations(api, view), setAnnotations)}
            editable=${editable}
          />
        </section>
        <div class="grid">
          <${Goals}
            api=${api}
            data=${goalView.data?.goals ?? null}
            error=${goalView.error}
            site=${view.site}
            sites=${sites}
            selected=${view.goal}
            onSelect=${(goal: string) => navigate({ ...view, goal }, true)}
            onChanged=${onGoalsChanged}
            editable=${editable}
          />
          ${(panels ?? [])
            .filter((p) => p.id !== 'shares')
            .map((p) =>
              p.id === 'locations'
                ? html`<${Panel} key=${p.id} panel=${p} onFilter=${onFilter} loadAll=${loadAll}>
                    <${WorldMap}
                      rows=${p.tabs[0]?.rows ?? []}
                      onPick=${(code: string) => onFilter('country', code)}
                    />
                  <//>`
                : html`<${Panel} key=${p.id} panel=${p} onFilter=${onFilter} loadAll=${loadAll} />`,
            )}
          ${
            shares &&
            html`<${Panel}
              panel=${{ ...shares, note: viralityNote(virality.data) }}
              onFilter=${onFilter}
              loadAll=${loadAll}
            />`
          }
          <${Funnel}
            data=${funnel.data}
            error=${funnel.error}
            hidden=${funnelHidden(applies, view)}
            scope=${scopeNotes(funnel.data?.query, pageScope(funnel), {
              unfiltered: 'the funnel counts every visitor',
              subject: 'Funnel',
            })}
          />
          <${SavedFunnels} api=${api} view=${view} editable=${editable} />
          <${Properties}
            api=${api}
            view=${view}
            actions=${actionNames(data.panels)}
            onFilter=${(key: Parameters<typeof withFilter>[1], value: string) => navigate(withFilter(view, key, value))}
          />
          <${Retention}
            data=${retention.data}
            error=${retention.error}
            scope=${scopeNotes(retention.data?.query, pageScope(retention), {
              unfiltered: 'retention counts every identified user',
              subject: 'Cohorts',
              because: ': weekly cohorts need weeks',
            })}
          />
          <${Journeys}
            data=${journeys.data}
            error=${journeys.error}
            scope=${scopeNotes(journeys.data?.query, pageScope(journeys), {
              unfiltered: 'journeys count every visit',
              subject: 'Journeys',
            })}
          />
          <${Realtime}
            showUsers=${session.showUsers}
            data=${realtime.data}
            error=${realtime.error}
            cachedAt=${realtime.cachedAt ?? null}
            now=${now}
          />
        </div>
        ${
          session.showUsers &&
          html`<${Users}
            rows=${users.data?.rows ?? null}
            total=${users.data?.total ?? 0}
            error=${users.error}
            onOpen=${(u: string) => navigate({ ...view, user: u })}
          />`
        }`
    }
  </main>`;
}
