// The saved-segments list per principal, rendered with Preact into happy-dom against a real
// collector's app with real sessions: each one is offered a delete exactly where the collector
// lets it change the segment, and a public link is offered no save form. The file runs under Node
// with its own happy-dom Window: as the test environment, happy-dom's Response drops Set-Cookie
// (a browser's page never sees it), and the sessions' cookies are needed here.
import { Window } from 'happy-dom';
import { html } from 'htm/preact';
import { render } from 'preact';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Segment } from '../../../shared/api.ts';
import { ApiClient } from '../../../dashboard/lib/api.ts';
import { readSession, type Session } from '../../../dashboard/lib/session.ts';
import { parseState } from '../../../dashboard/lib/url-state.ts';
import { Segments } from '../../../dashboard/ui/segments.ts';
import { testCollector } from '../../support/helpers.ts';

const TOKEN = 'dashboard-segments-admin-token-0123456789';
const PASSWORD = 'a long enough password';
const SITE = 'a.test';
// A filter in the view, so the save form would show.
const VIEW = parseState(`?site=${SITE}&country=DE`);

type Headers = Record<string, string>;
interface Signed {
  session: Session;
  headers: Headers;
}

let t: Awaited<ReturnType<typeof testCollector>>;
let vera: Signed;
let wendy: Signed;
let adam: Signed;
let link: Signed;

function send(method: string, path: string, headers: Headers, body?: unknown) {
  return Promise.resolve(
    t.collector.app.request(`http://localhost${path}`, {
      method,
      headers: { 'content-type': 'application/json', origin: 'http://localhost', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

/** The session a sign-in answer starts: what the dashboard reads, and the cookie to send. */
async function signIn(path: string, body: unknown): Promise<Signed> {
  const res = await send('POST', path, {}, body);
  expect(res.status).toBe(200);
  const session = readSession(await res.json())!;
  const headers = { cookie: res.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': session.csrf };
  return { session, headers };
}

async function account(name: string, role: string): Promise<Signed> {
  const created = await send(
    'POST',
    '/api/admin/users',
    { authorization: `Bearer ${TOKEN}` },
    { name, password: PASSWORD, roles: { [SITE]: role } },
  );
  expect(created.status).toBe(201);
  return signIn('/api/auth/login', { username: name, password: PASSWORD });
}

async function save(headers: Headers, name: string, shared: boolean): Promise<void> {
  const body = { site: SITE, name, filters: [['is', 'country', ['DE']]], shared };
  expect((await send('POST', '/api/analytics/segments', headers, body)).status).toBe(201);
}

beforeAll(async () => {
  t = await testCollector({ ANALYTICS_ADMIN_TOKEN: TOKEN });
  vera = await account('vera', 'viewer');
  wendy = await account('wendy', 'viewer');
  adam = await account('adam', 'admin');
  const created = await send(
    'POST',
    '/api/admin/links',
    { authorization: `Bearer ${TOKEN}` },
    { site: SITE },
  );
  link = await signIn('/api/auth/link', { id: ((await created.json()) as { id: string }).id });
  await save(vera.headers, 'vera private', false);
  await save(vera.headers, 'vera shared', true);
  await save({ authorization: `Bearer ${TOKEN}` }, 'token shared', true);
});
afterAll(() => t.cleanup());

const page = new Window({ url: 'http://localhost/' });
afterAll(() => page.happyDOM.close());
let root: HTMLElement;
afterEach(() => {
  render(null, root);
  root.remove();
});
const settle = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** The list as `who` sees it, once the collector's segments are in. */
async function mount(who: Signed, expected: number): Promise<HTMLElement> {
  // The page's own client, its requests carried to the app with the session's cookie.
  const api = new ApiClient({ csrf: who.session.csrf }, async (input, init) =>
    t.collector.app.request(`http://localhost${String(input)}`, {
      ...init,
      headers: { ...(init?.headers as Headers), cookie: who.headers.cookie!, origin: 'http://localhost' },
    }),
  );
  root = page.document.createElement('div') as unknown as HTMLElement;
  page.document.body.append(root as unknown as Parameters<typeof page.document.body.append>[0]);
  render(
    html`<${Segments} api=${api} session=${who.session} view=${VIEW} onApply=${() => undefined} />`,
    root,
  );
  for (let i = 0; i < 200 && root.querySelectorAll('[data-segment]').length !== expected; i++)
    await settle(5);
  return root;
}

const applies = (el: HTMLElement) =>
  [...el.querySelectorAll('[data-segment] .row-link')]
    .map((b) => b.closest('[data-segment]')!.getAttribute('data-segment'))
    .sort();
const deletes = (el: HTMLElement) =>
  [...el.querySelectorAll<HTMLButtonElement>('[data-segment] button[aria-label^="Delete segment"]')]
    .map((b) => b.closest('[data-segment]')!.getAttribute('data-segment'))
    .sort();

/**
 * Asks the collector, for every segment `who` lists, whether it takes a change from `who` (the
 * segment put back unchanged): the names it took, to compare with the offered deletes.
 */
async function changeable(who: Signed): Promise<string[]> {
  const listed = (await (await send('GET', `/api/analytics/segments?site=${SITE}`, who.headers)).json()) as {
    segments: Segment[];
  };
  const took: string[] = [];
  for (const s of listed.segments) {
    const res = await send('PUT', `/api/analytics/segments/${s.id}`, who.headers, {
      site: s.site,
      name: s.name,
      filters: s.filters,
      shared: s.shared,
    });
    expect([200, 403]).toContain(res.status);
    if (res.status === 200) took.push(s.name);
  }
  return took.sort();
}

describe('the saved-segments list per principal', () => {
  it('offers a viewer the shared segments to apply, and no delete', async () => {
    const el = await mount(wendy, 2);
    expect(applies(el)).toEqual(['token shared', 'vera shared']);
    expect(deletes(el)).toEqual([]);
    expect(await changeable(wendy)).toEqual([]);
    expect(el.querySelector('[data-save-segment]')).not.toBeNull();
  });

  it('offers the owner a delete on her own segments only', async () => {
    const el = await mount(vera, 3);
    expect(applies(el)).toEqual(['token shared', 'vera private', 'vera shared']);
    expect(deletes(el)).toEqual(['vera private', 'vera shared']);
    expect(await changeable(vera)).toEqual(deletes(el));
  });

  it('offers an admin of the site a delete on every shared segment, and the delete works', async () => {
    const el = await mount(adam, 2);
    expect(applies(el)).toEqual(['token shared', 'vera shared']);
    expect(deletes(el)).toEqual(['token shared', 'vera shared']);
    expect(await changeable(adam)).toEqual(deletes(el));
    el.querySelector<HTMLButtonElement>('[aria-label="Delete segment vera shared"]')!.click();
    for (let i = 0; i < 200 && el.querySelector('[data-segment="vera shared"]'); i++) await settle(5);
    expect(applies(el)).toEqual(['token shared']);
    expect(el.querySelector('[role="alert"]')).toBeNull();
    await save(vera.headers, 'vera shared', true);
  });

  it('offers a public link the shared segments to apply, no delete and no save form', async () => {
    const el = await mount(link, 2);
    expect(applies(el)).toEqual(['token shared', 'vera shared']);
    expect(deletes(el)).toEqual([]);
    expect(await changeable(link)).toEqual([]);
    expect(el.querySelector('[data-save-segment]')).toBeNull();
  });
});
