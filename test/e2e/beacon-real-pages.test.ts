import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expandShortForms } from '../../collector/pipeline/short-forms.ts';
import type { WireEvent } from '../../shared/wire.ts';
import { RECORD_KINDS, type RecordKind } from '../../storage/schema.ts';
import { kindFile, utcDay } from '../../storage/day-files.ts';
import { CHROME_UA, tempDir } from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';
import { launchChromium, servePages, visitorContext } from './chromium.ts';

// Pages built the way real sites write them, in real Chromium against the real collector: one
// browser, one collector, one page server, a site name per test so each test reads only its own
// records. Each test asserts the exact requests the beacon sent, the records the collector
// stored, and that the page's own behaviour (its handlers, navigation, forms) is unchanged.
// The tag loads through a recording proxy in front of the collector: requests sent while a page
// unloads (pagehide) never show in the browser's own network events.

let browser: Browser;
let server: RunningServer;
let dir: string;
let cleanup: () => Promise<void>;
/** The page server's routes; tests add theirs, the server reads them per request. */
const routes: Record<string, string> = {};
let site: Awaited<ReturnType<typeof servePages>>;
/** Every POST /api/event the proxy passed on: its events and the collector's status. */
const posted: { events: WireEvent[]; status: number; dropped?: string }[] = [];
let proxy: Server;
let proxyUrl: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  server = await startServer({ ANALYTICS_DATA_DIR: dir, ANALYTICS_RATE_LIMIT: '0' });
  browser = await launchChromium();
  site = await servePages(routes);
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'user-agent', 'origin', 'referer', 'accept-language'])
      if (req.headers[name]) headers[name] = String(req.headers[name]);
    // A beacon sent while the page unloads leaves without the context's user-agent override, as
    // HeadlessChrome, which the collector rightly drops as a bot; a real visitor's browser sends
    // its one user-agent on every request.
    if (headers['user-agent']?.includes('HeadlessChrome')) headers['user-agent'] = CHROME_UA;
    const answer = await fetch(server.url + req.url, {
      method: req.method,
      headers,
      body: req.method === 'POST' ? body : undefined,
    });
    if (req.method === 'POST' && req.url === '/api/event') {
      // As the collector reads them: the beacon's clock and short forms expanded.
      posted.push({
        events: expandShortForms(JSON.parse(body.toString())) as WireEvent[],
        status: answer.status,
        dropped: answer.headers.get('x-cfa-dropped') ?? undefined,
      });
    }
    const out: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (name !== 'content-encoding' && name !== 'content-length' && name !== 'transfer-encoding')
        out[name] = value;
    });
    res.writeHead(answer.status, out).end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await new Promise((resolve) => proxy?.close(resolve));
  await server?.stop();
  await cleanup?.();
});

/** The tag as a site writes it, for the site `name`; `attrs` adds attributes (async, data-hash…). */
const tag = (name: string, attrs = '') =>
  `<script src="${proxyUrl}/beacon.js" data-site="${name}" data-allow-localhost ${attrs}></script>`;

interface Visit {
  page: Page;
  context: BrowserContext;
  /** waits until `count` requests for the site were answered (and a little longer, to catch extra ones) */
  sent(count: number): Promise<WireEvent[][]>;
  /** the collector's answer to each request so far (with the drop reason of a 204) */
  statuses(): (number | string)[];
}

/** Opens `path` (served as `html`) in a fresh visitor context; `name` is the page's data-site. */
async function visit(name: string, path: string, html: string, query = ''): Promise<Visit> {
  routes[path] = html;
  const context = await visitorContext(browser);
  // Other hosts (share intents, outbound links, popups) are answered locally, never fetched.
  await context.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) =>
    route.fulfill({ body: 'ok', contentType: 'text/plain' }),
  );
  // Tabs opened by target=_blank, middle and ctrl clicks are not part of the test.
  const page = await context.newPage();
  context.on('page', (opened) => void (opened !== page && opened.close()));
  page.on('download', (download) => void download.cancel().catch(() => undefined));
  await page.goto(`${site.url}${path}${query}`);
  const mine = () => posted.filter((p) => p.events.every((e) => e.s === name));
  const sent = async (count: number) => {
    for (let i = 0; i < 200 && mine().length < count; i++) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 250));
    return mine().map((p) => p.events);
  };
  return {
    page,
    context,
    sent,
    statuses: () => mine().map((p) => (p.dropped ? `${p.status} ${p.dropped}` : p.status)),
  };
}

/** Closes the page (pagehide sends its engagement) and its context; resolves once the site's `requests` requests were answered. */
async function leave(v: Visit, requests: number): Promise<void> {
  await v.page.close({ runBeforeUnload: true });
  await v.sent(requests);
  await v.context.close();
}

async function records(kind: RecordKind, name: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(kindFile(dir, utcDay(Date.now()), kind), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((r) => r.site === name);
}

/** Every record stored for the site `name`, once `count` of them are there, in kind order. */
async function stored(name: string, count: number): Promise<Record<string, unknown>[]> {
  let all: Record<string, unknown>[] = [];
  for (let i = 0; i < 200; i++) {
    all = [];
    for (const kind of RECORD_KINDS) all.push(...(await records(kind, name)));
    if (all.length >= count) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // A little longer, so a record stored twice would show.
  await new Promise((resolve) => setTimeout(resolve, 200));
  all = [];
  for (const kind of RECORD_KINDS) all.push(...(await records(kind, name)));
  return all;
}

/** The fields of a stored record a test looks at (empty ones are not stored at all). */
const brief = ({ kind, path, name, link, props, referrer, engaged_ms }: Record<string, unknown>) => ({
  kind,
  path,
  ...(name ? { name } : {}),
  ...(link ? { link } : {}),
  ...(props ? { props } : {}),
  ...(referrer ? { referrer } : {}),
  ...(engaged_ms ? { engaged: true } : {}),
});

/** A request's events without the fields that vary from run to run (port, age, timing). */
const plain = (requests: WireEvent[][]) =>
  requests.map((events) =>
    events.map(({ g: _g, d, x: _x, ...e }) => ({
      ...e,
      u: e.u.replace(site.url, ''),
      ...(e.l ? { l: e.l.replace(site.url, '') } : {}),
      ...(d !== undefined ? { d: d > 0 } : {}),
    })),
  );

describe('the beacon on real-world pages, in Chromium against the real collector', () => {
  it('the tag included twice (a CMS template and a tag manager) counts everything once', async () => {
    const name = 'twice.example';
    const v = await visit(
      name,
      '/twice',
      // The theme's copy in <head> (deferred), and a tag manager's, injected at the end of <body>.
      `<!doctype html><head>${tag(name, 'defer')}</head><body>
        <a id="out" href="https://other.example.org/docs">Docs</a>
        <button id="spa" onclick="history.pushState({}, '', '/twice/next')">Next</button>
        <script>
          var s = document.createElement('script');
          s.src = ${JSON.stringify(`${proxyUrl}/beacon.js`)};
          s.dataset.site = ${JSON.stringify(name)};
          s.dataset.allowLocalhost = '';
          document.body.appendChild(s);
        </script></body>`,
    );
    await v.sent(1);
    await v.page.click('#spa');
    await v.sent(2);
    // An outbound link without target: the page leaves, as it would without the beacon.
    await v.page.click('#out');
    await v.page.waitForURL('https://other.example.org/docs');
    expect(plain(await v.sent(4))).toEqual([
      [{ k: 'p', s: name, u: '/twice', r: '' }],
      [
        { k: 'e', s: name, u: '/twice', d: true },
        { k: 'p', s: name, u: '/twice/next', r: '' },
      ],
      [{ k: 'c', s: name, u: '/twice/next', p: {}, l: 'https://other.example.org/docs', q: false }],
      [{ k: 'e', s: name, u: '/twice/next', d: true }],
    ]);
    await leave(v, 4);
    expect(v.statuses()).toEqual([202, 202, 202, 202]);
    expect((await stored(name, 5)).map(brief)).toEqual([
      { kind: 'pageview', path: '/twice' },
      { kind: 'pageview', path: '/twice/next' },
      { kind: 'engagement', path: '/twice', engaged: true },
      { kind: 'engagement', path: '/twice/next', engaged: true },
      { kind: 'action', path: '/twice/next', name: 'outbound_link', link: 'https://other.example.org/docs' },
    ]);
  });

  it('nested tagged elements: the innermost tag wins, and a link inside a tag is its target', async () => {
    const name = 'nested.example';
    const v = await visit(
      name,
      '/login',
      `<!doctype html><title>Log in</title>
        <section data-cfa-event="login_area">
          <div data-cfa-event="reset_password" data-cfa-prop-place="form">
            <a id="reset" href="https://accounts.example.org/reset?email=a%40b.c">Forgot your password?</a>
          </div>
          <button id="area">Somewhere in the area</button>
          <button id="empty" data-cfa-event="">Untagged, really</button>
          <button id="noshare" data-share="">Share, unnamed</button>
        </section>
        <script>window.clicks = 0; document.addEventListener('click', () => clicks++);</script>
        ${tag(name)}`,
    );
    await v.sent(1);
    await v.page.click('#area');
    await v.sent(2);
    // The nearest tag decides: an empty one names nothing, so nothing is sent (and the
    // collector, which would refuse a click without a name or a link, never sees one).
    await v.page.click('#empty');
    await v.page.click('#noshare');
    expect(await v.page.evaluate(() => (window as unknown as { clicks: number }).clicks)).toBe(3);
    await v.page.click('#reset');
    await v.page.waitForURL(/accounts\.example\.org/);
    const requests = plain(await v.sent(4));
    // The link's click and the page-leave engagement go out as the page unloads, in two requests
    // whose arrival order the browser does not promise: compared in kind order.
    const leaving = requests.slice(2).sort((a, b) => (a[0]!.k < b[0]!.k ? -1 : 1));
    expect([...requests.slice(0, 2), ...leaving]).toEqual([
      [{ k: 'p', s: name, u: '/login', r: '' }],
      [{ k: 'c', s: name, u: '/login', p: { cfaEvent: 'login_area' }, q: false }],
      [
        {
          k: 'c',
          s: name,
          u: '/login',
          p: { cfaEvent: 'reset_password', cfaPropPlace: 'form' },
          l: 'https://accounts.example.org/reset?email=a%40b.c',
          q: false,
        },
      ],
      [{ k: 'e', s: name, u: '/login', d: true }],
    ]);
    await leave(v, 4);
    expect(v.statuses()).toEqual([202, 202, 202, 202]);
    expect((await stored(name, 4)).map(brief)).toEqual([
      { kind: 'pageview', path: '/login' },
      { kind: 'engagement', path: '/login', engaged: true },
      { kind: 'action', path: '/login', name: 'login_area' },
      {
        kind: 'action',
        path: '/login',
        name: 'reset_password',
        // The query string (here an email address) is never kept.
        link: 'https://accounts.example.org/reset',
        props: { place: 'form' },
      },
    ]);
  });

  it('links inside an <svg>, SVG icons in links, target=_blank, middle and ctrl clicks', async () => {
    const name = 'svg.example';
    const v = await visit(
      name,
      '/contact',
      `<!doctype html><title>Contact</title>
        <svg width="200" height="60"><a id="map" href="https://maps.example.org/place/1" target="_blank">
          <rect width="200" height="60" fill="teal"></rect></a></svg>
        <a id="gh" href="https://github.com/cloudface" target="_blank" rel="noopener">
          <svg width="40" height="40"><path id="gh-icon" d="M0 0h40v40H0z"></path></svg></a>
        <a id="docs" href="https://docs.example.org/">Docs</a>
        ${tag(name)}`,
    );
    const popups: string[] = [];
    v.context.on('page', () => popups.push('tab'));
    await v.sent(1);
    await v.page.click('#map');
    await v.sent(2);
    await v.page.click('#gh-icon');
    await v.sent(3);
    await v.page.click('#docs', { button: 'middle' });
    await v.sent(4);
    await v.page.click('#docs', { modifiers: ['Control'] });
    await v.sent(5);
    // A right-click is no click on the link.
    await v.page.click('#docs', { button: 'right' });
    const link = (l: string) => [{ k: 'c', s: name, u: '/contact', p: {}, l, q: false }];
    expect(plain(await v.sent(5))).toEqual([
      [{ k: 'p', s: name, u: '/contact', r: '' }],
      link('https://maps.example.org/place/1'),
      link('https://github.com/cloudface'),
      link('https://docs.example.org/'),
      link('https://docs.example.org/'),
    ]);
    // Every click still did what it does without the beacon: four new tabs, this page stayed.
    expect(popups).toHaveLength(4);
    expect(v.page.url()).toBe(`${site.url}/contact`);
    await leave(v, 6);
    expect(v.statuses()).toEqual([202, 202, 202, 202, 202, 202]);
    expect((await stored(name, 6)).map(brief)).toEqual([
      { kind: 'pageview', path: '/contact' },
      { kind: 'engagement', path: '/contact', engaged: true },
      { kind: 'action', path: '/contact', name: 'outbound_link', link: 'https://maps.example.org/place/1' },
      { kind: 'action', path: '/contact', name: 'outbound_link', link: 'https://github.com/cloudface' },
      { kind: 'action', path: '/contact', name: 'outbound_link', link: 'https://docs.example.org/' },
      { kind: 'action', path: '/contact', name: 'outbound_link', link: 'https://docs.example.org/' },
    ]);
  });

  it('downloads, query strings, QR codes and share buttons', async () => {
    const name = 'files.example';
    routes['/files/report.pdf'] = 'not really a pdf';
    const v = await visit(
      name,
      '/reports',
      `<!doctype html><title>Reports</title>
        <a id="pdf" href="/files/report.pdf?v=3&amp;token=secret" download>Report</a>
        <a id="page" href="/reports?page=2">Next page</a>
        <a id="qr" download="cloudface-QR.png" href="data:image/png;base64,iVBORw0KGgo="><img alt="code" src="data:image/png;base64,iVBORw0KGgo="></a>
        <button id="copy" data-share="copy" data-share-link="https://files.example/s/abc">Copy link</button>
        <script>document.getElementById('copy').onclick = () => (window.copied = true);</script>
        ${tag(name)}`,
    );
    await v.sent(1);
    await v.page.click('#pdf');
    await v.sent(2);
    await v.page.click('#qr');
    await v.sent(3);
    await v.page.click('#copy');
    await v.sent(4);
    // A same-site page link is no event, even with a query string.
    await v.page.click('#page');
    await v.page.waitForURL(/page=2/);
    expect(plain(await v.sent(5))).toEqual([
      [{ k: 'p', s: name, u: '/reports', r: '' }],
      [{ k: 'c', s: name, u: '/reports', p: {}, l: '/files/report.pdf?v=3&token=secret', q: false }],
      [{ k: 'c', s: name, u: '/reports', p: {}, l: 'data:image/png;base64,iVBORw0KGgo=', q: true }],
      [
        {
          k: 'c',
          s: name,
          u: '/reports',
          p: { share: 'copy', shareLink: 'https://files.example/s/abc' },
          q: false,
        },
      ],
      // Leaving for the next page: this page's engagement, then the next page's own view.
      [{ k: 'e', s: name, u: '/reports', d: true }],
      [{ k: 'p', s: name, u: '/reports?page=2', r: `${site.url}/reports` }],
    ]);
    expect(await v.page.evaluate(() => (window as unknown as { copied?: boolean }).copied)).toBe(undefined);
    await leave(v, 7);
    expect(v.statuses()).toEqual([202, 202, 202, 202, 202, 202, 202]);
    const records = (await stored(name, 7)).map(brief);
    expect(records).toEqual([
      { kind: 'pageview', path: '/reports' },
      { kind: 'pageview', path: '/reports' },
      { kind: 'engagement', path: '/reports', engaged: true },
      { kind: 'engagement', path: '/reports', engaged: true },
      { kind: 'action', path: '/reports', name: 'file_download', link: `${site.url}/files/report.pdf` },
      { kind: 'share', path: '/reports', name: 'qr', link: `${site.url}/reports` },
      { kind: 'share', path: '/reports', name: 'copy', link: 'https://files.example/s/abc' },
    ]);
  });

  it('a form: the tagged submit button counts, by click or Enter, and the form still submits', async () => {
    const name = 'form.example';
    routes['/thanks'] = `<!doctype html><title>Thanks</title>${tag(name)}`;
    const v = await visit(
      name,
      '/signup',
      `<!doctype html><title>Sign up</title>
        <form action="/thanks" method="get" onsubmit="sessionStorage.submitted = (+sessionStorage.submitted || 0) + 1">
          <input id="email" name="email" type="email" required>
          <button id="go" type="submit" data-cfa-event="signup" data-cfa-prop-plan="pro">Sign up</button>
        </form>
        ${tag(name)}`,
    );
    await v.sent(1);
    // Invalid (empty required field): the browser blocks the submit, the click still counts.
    await v.page.click('#go');
    await v.sent(2);
    expect(v.page.url()).toBe(`${site.url}/signup`);
    await v.page.fill('#email', 'ann@example.org');
    // Enter in a field submits the form through a click on its submit button.
    await v.page.press('#email', 'Enter');
    await v.page.waitForURL(/\/thanks/);
    const signup = [
      { k: 'c', s: name, u: '/signup', p: { cfaEvent: 'signup', cfaPropPlan: 'pro' }, q: false },
    ];
    expect(plain(await v.sent(5))).toEqual([
      [{ k: 'p', s: name, u: '/signup', r: '' }],
      signup,
      signup,
      [{ k: 'e', s: name, u: '/signup', d: true }],
      [{ k: 'p', s: name, u: '/thanks?email=ann%40example.org', r: `${site.url}/signup` }],
    ]);
    expect(await v.page.evaluate(() => sessionStorage.submitted)).toBe('1');
    await leave(v, 6);
    expect(v.statuses()).toEqual([202, 202, 202, 202, 202, 202]);
    expect((await stored(name, 6)).map(brief)).toEqual([
      { kind: 'pageview', path: '/signup' },
      // The stored path never keeps the query (here an email address).
      { kind: 'pageview', path: '/thanks' },
      { kind: 'engagement', path: '/signup', engaged: true },
      { kind: 'engagement', path: '/thanks', engaged: true },
      { kind: 'action', path: '/signup', name: 'signup', props: { plan: 'pro' } },
      { kind: 'action', path: '/signup', name: 'signup', props: { plan: 'pro' } },
    ]);
  });

  it('web components: links and tags inside shadow roots, and a tagged host of a closed one', async () => {
    const name = 'shadow.example';
    const v = await visit(
      name,
      '/shop',
      `<!doctype html><title>Shop</title>
        <site-footer></site-footer>
        <buy-button data-cfa-event="buy" data-cfa-prop-sku="A1"></buy-button>
        <script>
          customElements.define('site-footer', class extends HTMLElement {
            connectedCallback() {
              this.attachShadow({ mode: 'open' }).innerHTML =
                '<a id="gh" href="https://github.com/cloudface" target="_blank">GitHub</a>' +
                '<button id="news" data-cfa-event="newsletter">Subscribe</button>';
            }
          });
          customElements.define('buy-button', class extends HTMLElement {
            connectedCallback() {
              const root = this.attachShadow({ mode: 'closed' });
              root.innerHTML = '<button>Buy</button>';
              root.firstChild.onclick = () => (window.bought = true);
            }
          });
        </script>
        ${tag(name)}`,
    );
    await v.sent(1);
    await v.page.locator('site-footer #gh').click();
    await v.sent(2);
    await v.page.locator('site-footer #news').click();
    await v.sent(3);
    await v.page.locator('buy-button').click();
    expect(plain(await v.sent(4))).toEqual([
      [{ k: 'p', s: name, u: '/shop', r: '' }],
      [{ k: 'c', s: name, u: '/shop', p: {}, l: 'https://github.com/cloudface', q: false }],
      [{ k: 'c', s: name, u: '/shop', p: { cfaEvent: 'newsletter' }, q: false }],
      [{ k: 'c', s: name, u: '/shop', p: { cfaEvent: 'buy', cfaPropSku: 'A1' }, q: false }],
    ]);
    expect(await v.page.evaluate(() => (window as unknown as { bought?: boolean }).bought)).toBe(true);
    await leave(v, 5);
    expect(v.statuses()).toEqual([202, 202, 202, 202, 202]);
    expect((await stored(name, 5)).map(brief)).toEqual([
      { kind: 'pageview', path: '/shop' },
      { kind: 'engagement', path: '/shop', engaged: true },
      { kind: 'action', path: '/shop', name: 'outbound_link', link: 'https://github.com/cloudface' },
      { kind: 'action', path: '/shop', name: 'newsletter' },
      { kind: 'action', path: '/shop', name: 'buy', props: { sku: 'A1' } },
    ]);
  });

  it('iframes: clicks inside an embedded page are its own, the page counts once', async () => {
    const name = 'frame.example';
    routes['/embed'] =
      `<!doctype html><a id="inner" href="https://video.example.org/watch" target="_blank">Watch</a>`;
    const v = await visit(
      name,
      '/watch',
      `<!doctype html><title>Watch</title>
        <iframe id="player" src="/embed" width="300" height="100"></iframe>
        <a id="out" href="https://video.example.org/channel" target="_blank">Channel</a>
        ${tag(name)}`,
    );
    await v.sent(1);
    await v.page.frameLocator('#player').locator('#inner').click();
    await v.page.click('#out');
    expect(plain(await v.sent(2))).toEqual([
      [{ k: 'p', s: name, u: '/watch', r: '' }],
      [{ k: 'c', s: name, u: '/watch', p: {}, l: 'https://video.example.org/channel', q: false }],
    ]);
    await leave(v, 3);
    expect(v.statuses()).toEqual([202, 202, 202]);
    expect((await stored(name, 3)).map(brief)).toEqual([
      { kind: 'pageview', path: '/watch' },
      { kind: 'engagement', path: '/watch', engaged: true },
      { kind: 'action', path: '/watch', name: 'outbound_link', link: 'https://video.example.org/channel' },
    ]);
  });

  it("a framework's router: pushState with the same path, replaceState on load, hash links, back", async () => {
    const name = 'spa.example';
    const v = await visit(
      name,
      '/app',
      `<!doctype html><head>${tag(name)}</head><title>App</title>
        <nav>
          <a id="inbox" href="/app/inbox">Inbox</a>
          <a id="filter" href="/app/inbox?unread=1">Unread</a>
          <a id="top" href="#top">Top</a>
        </nav>
        <script>
          // Like a router: on load it rewrites the URL without the campaign parameters, then
          // handles every in-app link with pushState (often with the URL it is already on).
          history.replaceState({ app: 1 }, '', location.pathname);
          history.replaceState({ app: 1 }, '', location.pathname);
          document.addEventListener('click', (e) => {
            const a = e.target.closest('a[href^="/app"]');
            if (!a) return;
            e.preventDefault();
            history.pushState({}, '', a.getAttribute('href'));
            history.pushState({}, '', a.getAttribute('href'));
            window.routed = (window.routed || 0) + 1;
          });
        </script>`,
      '?utm_source=newsletter&utm_medium=email',
    );
    await v.sent(1);
    await v.page.click('#inbox');
    await v.sent(2);
    await v.page.click('#filter');
    await v.page.click('#top');
    // Back to the start in one step (each in-app link left two entries): one popstate.
    await v.page.evaluate(() => history.go(-5));
    await v.page.waitForFunction(() => location.pathname === '/app');
    expect(await v.page.evaluate(() => (window as unknown as { routed: number }).routed)).toBe(2);
    expect(plain(await v.sent(3))).toEqual([
      [{ k: 'p', s: name, u: '/app?utm_source=newsletter&utm_medium=email', r: '' }],
      [
        { k: 'e', s: name, u: '/app', d: true },
        { k: 'p', s: name, u: '/app/inbox', r: '' },
      ],
      [
        { k: 'e', s: name, u: '/app/inbox', d: true },
        { k: 'p', s: name, u: '/app', r: '' },
      ],
    ]);
    await leave(v, 4);
    expect(v.statuses()).toEqual([202, 202, 202, 202]);
    const records = await stored(name, 6);
    expect(records.map(brief)).toEqual([
      { kind: 'pageview', path: '/app' },
      { kind: 'pageview', path: '/app/inbox' },
      { kind: 'pageview', path: '/app' },
      { kind: 'engagement', path: '/app', engaged: true },
      { kind: 'engagement', path: '/app/inbox', engaged: true },
      { kind: 'engagement', path: '/app', engaged: true },
    ]);
    expect(records[0]).toMatchObject({ utm_source: 'newsletter', utm_medium: 'email', channel: 'email' });
  });

  it('<base href>: relative links resolve as the browser resolves them', async () => {
    const name = 'base.example';
    const v = await visit(
      name,
      '/docs/',
      `<!doctype html><head><base href="/static/v2/">${tag(name)}</head>
        <a id="guide" href="guide.pdf" download>Guide</a>
        <a id="cdn" href="https://cdn.example.org/" target="_blank">CDN</a>
        <a id="rel" href="intro">Intro</a>`,
    );
    await v.sent(1);
    await v.page.click('#guide');
    await v.sent(2);
    await v.page.click('#rel');
    await v.page.waitForURL(/static\/v2\/intro/);
    expect(plain(await v.sent(3))).toEqual([
      [{ k: 'p', s: name, u: '/docs/', r: '' }],
      [{ k: 'c', s: name, u: '/docs/', p: {}, l: '/static/v2/guide.pdf', q: false }],
      [{ k: 'e', s: name, u: '/docs/', d: true }],
    ]);
    await leave(v, 3);
    expect(v.statuses()).toEqual([202, 202, 202]);
    expect((await stored(name, 3)).map(brief)).toEqual([
      { kind: 'pageview', path: '/docs/' },
      { kind: 'engagement', path: '/docs/', engaged: true },
      { kind: 'action', path: '/docs/', name: 'file_download', link: `${site.url}/static/v2/guide.pdf` },
    ]);
  });

  it.each([
    ['in <head> without defer', (t: string) => `<head>${t}</head><body>BODY</body>`],
    ['at the end of <body>', (t: string) => `<body>BODY${t}</body>`],
    ['with defer', (t: string) => `<head>${t.replace('<script ', '<script defer ')}</head><body>BODY</body>`],
    ['with async', (t: string) => `<head>${t.replace('<script ', '<script async ')}</head><body>BODY</body>`],
    [
      'injected by another script (a tag manager)',
      (t: string) => {
        const src = /src="([^"]+)"/.exec(t)![1];
        const siteName = /data-site="([^"]+)"/.exec(t)![1];
        return `<head><script>
            (function (d) {
              var s = d.createElement('script');
              s.async = true;
              s.src = ${JSON.stringify(src)};
              s.setAttribute('data-site', ${JSON.stringify(siteName)});
              s.setAttribute('data-allow-localhost', '');
              d.head.appendChild(s);
            })(document);
          </script></head><body>BODY</body>`;
      },
    ],
  ])('the tag %s: one page view, scroll depth, clicks and engagement', async (where, place) => {
    const name = `tag-${where.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '')}.example`.slice(0, 60);
    const v = await visit(
      name,
      '/article',
      `<!doctype html><title>Article</title>` +
        place(tag(name)).replace(
          'BODY',
          `<h1>Article</h1><div style="height: 3000px"></div>
           <a id="src" href="https://source.example.org/paper" target="_blank">Source</a>`,
        ),
    );
    await v.sent(1);
    // The script is one block with no function around it: it adds only cfa to the page's globals,
    // and declares no global name a page script could clash with (a clash is a SyntaxError).
    const letters = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$'].join(',');
    await v.page.addScriptTag({ content: `let ${letters}; window.noClash = true;` });
    const globals = await v.page.evaluate(() => {
      const frame = document.createElement('iframe');
      document.body.appendChild(frame);
      const blank = Object.getOwnPropertyNames(frame.contentWindow);
      const added = Object.getOwnPropertyNames(window).filter((g) => !blank.includes(g) && !/^\d+$/.test(g));
      frame.remove();
      return added;
    });
    expect(globals.sort()).toEqual(['cfa', 'noClash']);
    await v.page.mouse.wheel(0, 5000);
    await v.page.waitForFunction(() => scrollY > 1000);
    await v.page.click('#src');
    expect(plain(await v.sent(2))).toEqual([
      [{ k: 'p', s: name, u: '/article', r: '' }],
      [{ k: 'c', s: name, u: '/article', p: {}, l: 'https://source.example.org/paper', q: false }],
    ]);
    await leave(v, 3);
    expect(v.statuses()).toEqual([202, 202, 202]);
    const records = await stored(name, 3);
    expect(records.map(brief)).toEqual([
      { kind: 'pageview', path: '/article' },
      { kind: 'engagement', path: '/article', engaged: true },
      { kind: 'action', path: '/article', name: 'outbound_link', link: 'https://source.example.org/paper' },
    ]);
    expect(records[1]!.scroll).toBe(100);
  });
});
