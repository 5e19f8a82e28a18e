// The dashboard's side of accounts and public links: what a session may see and use (pure), and
// the sign-in and team calls against a real collector's app, with a cookie jar standing in for
// the browser's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ApiError, AuthError } from '../../../dashboard/lib/api.ts';
import {
  currentSession,
  exchangeToken,
  linkGoneMessage,
  openLink,
  signIn,
  signInMessage,
  signOut,
  type SignInResult,
} from '../../../dashboard/lib/auth.ts';
import {
  allowedSite,
  can,
  describeRoles,
  readSession,
  roleOn,
  shareId,
  sitesWith,
  type Capability,
  type Session,
} from '../../../dashboard/lib/session.ts';
import {
  linkOptions,
  newUserProblem,
  rowsToRoles,
  shareUrl,
  teamApi,
  when,
} from '../../../dashboard/lib/team.ts';
import { endsSession } from '../../../dashboard/lib/sw-keys.ts';
import { fixedClock, testCollector } from '../../support/helpers.ts';

const session = (body: Record<string, unknown>): Session => readSession({ csrf: 'c', ...body })!;
const OWNER = session({ kind: 'account', user: { name: 'olga' }, roles: { '*': 'owner' } });
const TOKEN_OWNER = session({ kind: 'token', user: { name: 'owner' }, roles: { '*': 'owner' } });
const ADMIN_ALL = session({ kind: 'account', user: { name: 'ada' }, roles: { '*': 'admin' } });
const ADMIN_A = session({
  kind: 'account',
  user: { name: 'abe' },
  roles: { 'a.test': 'admin', 'b.test': 'viewer' },
});
const VIEWER_A = session({ kind: 'account', user: { name: 'vera' }, roles: { 'a.test': 'viewer' } });
const LINK_A = session({ kind: 'link', site: 'a.test', show_users: false, roles: { 'a.test': 'viewer' } });

describe('reading a sign-in answer', () => {
  it('takes the three kinds and drops roles it does not know', () => {
    expect(OWNER).toMatchObject({ kind: 'account', name: 'olga', csrf: 'c', showUsers: true, site: null });
    expect(TOKEN_OWNER.name).toBe('owner');
    expect(LINK_A).toMatchObject({ kind: 'link', name: null, site: 'a.test', showUsers: false });
    expect(
      session({ kind: 'link', roles: { 'a.test': 'viewer' }, show_users: true, link: 'L1' }),
    ).toMatchObject({
      site: 'a.test',
      showUsers: true,
      link: 'L1',
    });
    expect(session({ kind: 'account', roles: { 'a.test': 'god', 'b.test': 'viewer' } }).roles).toEqual({
      'b.test': 'viewer',
    });
  });

  it.each([
    null,
    'text',
    [],
    {},
    { kind: 'root', roles: {} },
    { kind: 'account' },
    { kind: 'account', roles: 'x' },
  ])('refuses %j', (body) => expect(readSession(body)).toBeNull());
});

describe('what each session may see and use', () => {
  const table: [string, Session, Capability, string, boolean][] = [
    ['owner', OWNER, 'users', '', true],
    ['owner', OWNER, 'team', '', true],
    ['owner', OWNER, 'all-sites', '', true],
    ['token', TOKEN_OWNER, 'users', '', true],
    ['admin of all', ADMIN_ALL, 'users', '', false],
    ['admin of all', ADMIN_ALL, 'keys', 'a.test', true],
    ['admin of all', ADMIN_ALL, 'erase', '', true],
    ['admin of a', ADMIN_A, 'team', '', true],
    ['admin of a', ADMIN_A, 'links', 'a.test', true],
    ['admin of a', ADMIN_A, 'links', 'b.test', false],
    ['admin of a', ADMIN_A, 'settings', 'c.test', false],
    ['admin of a', ADMIN_A, 'erase', 'a.test', false],
    ['admin of a', ADMIN_A, 'all-sites', '', false],
    ['viewer', VIEWER_A, 'team', '', false],
    ['viewer', VIEWER_A, 'keys', 'a.test', false],
    ['viewer', VIEWER_A, 'erase', 'a.test', false],
    ['viewer', VIEWER_A, 'settings', '', false],
    ['viewer', VIEWER_A, 'all-sites', '', false],
    ['link', LINK_A, 'team', '', false],
    ['link', LINK_A, 'links', 'a.test', false],
    ['link', LINK_A, 'all-sites', '', false],
  ];
  it.each(table)('%s: %s on "%s" → %s', (_, who, capability, site, allowed) => {
    expect(can(who, capability, site)).toBe(allowed);
  });

  it('takes the higher of a site role and an every-site role', () => {
    const mixed = session({ kind: 'account', roles: { '*': 'viewer', 'a.test': 'admin' } });
    expect(roleOn(mixed, 'a.test')).toBe('admin');
    expect(roleOn(mixed, 'z.test')).toBe('viewer');
    expect(roleOn(VIEWER_A, 'z.test')).toBeNull();
    for (const crafted of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(roleOn(VIEWER_A, crafted)).toBeNull();
      expect(allowedSite(VIEWER_A, crafted, ['a.test'])).toBe('a.test');
    }
    expect(sitesWith(ADMIN_A, ['a.test', 'b.test', 'c.test'], 'admin')).toEqual(['a.test']);
    expect(sitesWith(OWNER, ['a.test', 'b.test'], 'admin')).toEqual(['a.test', 'b.test']);
  });

  it('moves a view to a site the session may read, and keeps a public link on its own', () => {
    expect(allowedSite(OWNER, '', ['a.test'])).toBe('');
    expect(allowedSite(OWNER, 'z.test', [])).toBe('z.test');
    expect(allowedSite(VIEWER_A, '', [])).toBe('a.test');
    expect(allowedSite(VIEWER_A, 'b.test', ['a.test'])).toBe('a.test');
    expect(allowedSite(ADMIN_A, 'b.test', ['a.test', 'b.test'])).toBe('b.test');
    expect(allowedSite(LINK_A, 'b.test', ['b.test'])).toBe('a.test');
  });

  it('describes roles in words, every site first', () => {
    expect(describeRoles({ 'b.test': 'viewer', '*': 'admin', 'a.test': 'admin' })).toBe(
      'admin of every site, admin of a.test, viewer of b.test',
    );
    expect(describeRoles({})).toBe('no access');
  });
});

describe('the public link in the path', () => {
  it.each([
    ['/share/abc_DEF-123', 'abc_DEF-123'],
    ['/share/abc/', 'abc'],
    ['/share/a%20b', 'a b'],
    ['/share/', null],
    ['/share/a/b', null],
    ['/admin/analytics', null],
    ['/share/%E0%A4%A', null],
  ])('%s → %s', (path, id) => expect(shareId(path)).toBe(id));
});

describe('what the sign-in form says', () => {
  const NOW = Date.parse('2026-12-06T12:00:00Z');
  const failure = (status: number, more: Partial<Extract<SignInResult, { ok: false }>> = {}) => ({
    ok: false as const,
    status,
    error: '',
    retryAfter: null,
    passwordRequired: false,
    ...more,
  });
  it.each([
    [failure(401), 'password', 'Wrong username or password.'],
    [failure(401), 'token', 'That admin token was refused.'],
    [failure(401, { passwordRequired: true }), 'link', 'Wrong password for this link.'],
    [failure(401, { error: 'this link has expired' }), 'link', linkGoneMessage('this link has expired')],
    [
      failure(0),
      'password',
      'No connection to the collector: signing in needs it. Try again when it is reachable.',
    ],
    [
      failure(429, { error: 'too many failed sign-in attempts', retryAfter: 600 }),
      'password',
      'The collector says: too many failed sign-in attempts. Try again in 10 min (at 12:10 UTC).',
    ],
    [
      failure(503, { error: 'store unavailable' }),
      'password',
      'The collector says: store unavailable. Try again later.',
    ],
  ] as const)('%j after %s', (f, tried, text) => expect(signInMessage(f, tried, NOW)).toBe(text));
});

describe('team forms', () => {
  it('turns role rows into roles, or says what is wrong', () => {
    expect(rowsToRoles([{ site: '*', role: 'owner' }])).toEqual({ roles: { '*': 'owner' } });
    expect(rowsToRoles([{ site: 'a.test', role: 'owner' }])).toEqual({
      problem: 'Owner is a role for every site only.',
    });
    expect(rowsToRoles([])).toHaveProperty('problem');
    expect(
      rowsToRoles([
        { site: 'a.test', role: 'viewer' },
        { site: 'a.test', role: 'admin' },
      ]),
    ).toEqual({ problem: 'a.test is listed twice.' });
    expect(newUserProblem(' ', 'x')).toBe('Give the account a username.');
    expect(newUserProblem('carl', '')).toBe('Give the account a password.');
  });

  it('makes a link expire at the end of the picked UTC day, never in the past', () => {
    const now = Date.parse('2026-12-06T12:00:00Z');
    expect(linkOptions({ password: '', expires: '', showUsers: false }, now)).toEqual({ options: {} });
    expect(linkOptions({ password: 'p', expires: '2026-12-06', showUsers: true }, now)).toEqual({
      options: { password: 'p', expires: Date.parse('2026-12-06T23:59:59.999Z'), show_users: true },
    });
    expect(linkOptions({ password: '', expires: '2026-12-05', showUsers: false }, now)).toEqual({
      problem: 'The expiry date is in the past.',
    });
    expect(linkOptions({ password: '', expires: 'soon', showUsers: false }, now)).toHaveProperty('problem');
  });

  it('builds a share address from the id only, whatever url the answer holds', () => {
    expect(shareUrl('https://a.test', { id: 'abc', url: 'javascript:alert(1)' })).toBe(
      'https://a.test/share/abc',
    );
    expect(shareUrl('https://a.test', { id: '../x?y' })).toBe('https://a.test/share/..%2Fx%3Fy');
    expect(when(null)).toBe('never');
    expect(when('2026-12-06T14:05:00.000Z')).toBe('6 Dec 2026, 14:05 UTC');
    expect(when('garbage')).toBe('unknown');
  });

  it('knows the sign-out routes, whose answers empty the offline cache', () => {
    expect(
      ['/api/auth/logout', '/api/auth/logout-all', '/api/auth/login', '/api/analytics/x'].map(endsSession),
    ).toEqual([true, true, false, false]);
  });
});

describe('against a real collector', () => {
  const TOKEN = 'dashboard-access-unit-token-0123456789';
  let t: Awaited<ReturnType<typeof testCollector>>;
  beforeAll(async () => {
    t = await testCollector({ ANALYTICS_ADMIN_TOKEN: TOKEN }, fixedClock(Date.parse('2026-12-06T12:00:00Z')));
  });
  afterAll(() => t.cleanup());

  /** A browser's cookie jar for one origin, over the app's own request(). */
  function browser(): typeof fetch {
    let cookie = '';
    return async (input, init) => {
      const headers = new Headers(init?.headers);
      if (cookie) headers.set('cookie', cookie);
      const response = await t.collector.app.request(String(input), { ...init, headers });
      const set = response.headers.get('set-cookie');
      if (set) {
        const [pair] = set.split(';');
        cookie = /=$/.test(pair!) || /max-age=0/i.test(set) ? '' : pair!;
      }
      return response;
    };
  }

  it('signs in with the token and a password, keeps the session across calls, and signs out', async () => {
    const tab = browser();
    expect(await currentSession(tab)).toMatchObject({ ok: false, status: 401 });
    const owner = await exchangeToken(TOKEN, tab);
    if (!owner.ok) throw new Error(`token refused: ${owner.status}`);
    expect(owner.session).toMatchObject({ kind: 'token', roles: { '*': 'owner' } });
    expect(owner.session.csrf).not.toBe('');

    const team = teamApi(new ApiClient({ csrf: owner.session.csrf }, tab));
    await team.addUser('vera', 'vera-password-123', { 'a.test': 'viewer' });
    expect((await team.users()).map((u) => [u.name, u.roles])).toEqual([['vera', { 'a.test': 'viewer' }]]);
    // Without the CSRF header, a change is refused.
    const forged = await teamApi(new ApiClient({}, tab))
      .removeUser('vera')
      .catch((e: unknown) => e);
    expect(forged).toBeInstanceOf(ApiError);
    expect((forged as ApiError).status).toBe(403);

    const other = browser();
    expect(await signIn('vera', 'wrong-password', other)).toMatchObject({ ok: false, status: 401 });
    const vera = await signIn('vera', 'vera-password-123', other);
    if (!vera.ok) throw new Error('vera refused');
    expect(vera.session).toMatchObject({ kind: 'account', name: 'vera', roles: { 'a.test': 'viewer' } });
    expect(await currentSession(other)).toMatchObject({ ok: true, session: { name: 'vera' } });
    // A viewer's team calls are refused (403), which is not a signed-out session.
    const refused = await teamApi(new ApiClient({ csrf: vera.session.csrf }, other))
      .users()
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).not.toBeInstanceOf(AuthError);

    // The owner removes her: her next call finds the session gone (401 → sign in again).
    await team.removeUser('vera');
    const gone = await new ApiClient({ csrf: vera.session.csrf }, other)
      .get('/api/analytics/sites', { site: 'a.test' })
      .catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(AuthError);

    expect(await signOut(owner.session.csrf, false, tab)).toBe(true);
    expect(await currentSession(tab)).toMatchObject({ ok: false, status: 401 });
  });

  it('creates a key and a link, opens the link with its password, and revokes both', async () => {
    const tab = browser();
    const owner = await exchangeToken(TOKEN, tab);
    if (!owner.ok) throw new Error('token refused');
    const team = teamApi(new ApiClient({ csrf: owner.session.csrf }, tab));
    const key = await team.addKey('a.test', 'nightly report', ['read']);
    expect(key.key.length).toBeGreaterThan(20);
    expect((await team.keys('a.test')).map((k) => [k.name, k.scopes])).toEqual([
      ['nightly report', ['read']],
    ]);
    // The list never holds the key itself.
    expect(JSON.stringify(await team.keys('a.test'))).not.toContain(key.key);

    const expires = Date.parse('2026-12-31T23:59:59.999Z');
    const link = await team.addLink('a.test', { password: 'link-password-1', expires });
    const [listed] = await team.links('a.test');
    expect(listed).toMatchObject({ id: link.id, has_password: true, show_users: false });
    expect(Date.parse(String(listed!.expires))).toBe(expires);

    const visitor = browser();
    expect(await openLink(link.id, undefined, visitor)).toMatchObject({ ok: false, passwordRequired: true });
    const opened = await openLink(link.id, 'link-password-1', visitor);
    expect(opened).toMatchObject({ ok: true, session: { kind: 'link', site: 'a.test', showUsers: false } });
    // A reload of /share/<id> asks the cookie first: it names this link, so no password again.
    expect(await currentSession(visitor)).toMatchObject({
      ok: true,
      session: { kind: 'link', link: link.id },
    });

    await team.revokeKey(key.id);
    await team.revokeLink(link.id);
    expect(await team.keys('a.test')).toEqual([]);
    const after = await openLink(link.id, 'link-password-1', browser());
    expect(after.ok).toBe(false);
    if (!after.ok) expect(signInMessage(after, 'link', 0)).toMatch(/^This link does not work any more/);
  });
});
