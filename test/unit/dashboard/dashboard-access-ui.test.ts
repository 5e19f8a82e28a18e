// @vitest-environment happy-dom
// The sign-in form, the header per role and the team page's key section, rendered with Preact into
// happy-dom; the key section talks to a real collector's app.
import { html } from 'htm/preact';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../../dashboard/lib/api.ts';
import { readSession, type Session } from '../../../dashboard/lib/session.ts';
import { teamApi } from '../../../dashboard/lib/team.ts';
import { parseState, type ViewState } from '../../../dashboard/lib/url-state.ts';
import { permittedView } from '../../../dashboard/ui/app.ts';
import { Header } from '../../../dashboard/ui/header.ts';
import { LinkGone, Login } from '../../../dashboard/ui/login.ts';
import { TeamKeys } from '../../../dashboard/ui/team-sharing.ts';
import { testCollector } from '../../support/helpers.ts';
import { preactMount } from '../../support/preact-mount.ts';

const session = (body: Record<string, unknown>): Session => readSession({ csrf: 'c', ...body })!;
const OWNER = session({ kind: 'account', user: { name: 'olga' }, roles: { '*': 'owner' } });
const ADMIN_A = session({
  kind: 'account',
  user: { name: 'abe' },
  roles: { 'a.test': 'admin', 'b.test': 'viewer' },
});
const VIEWER_A = session({ kind: 'account', user: { name: 'vera' }, roles: { 'a.test': 'viewer' } });
const LINK_A = session({ kind: 'link', site: 'a.test', roles: { 'a.test': 'viewer' } });

const { mount, unmount } = preactMount();
const settle = (ms = 0) => new Promise((r) => setTimeout(r, ms));
const button = (el: HTMLElement, text: string) =>
  [...el.querySelectorAll('button')].find((b) => b.textContent?.trim() === text) as
    HTMLButtonElement | undefined;
const type = (input: HTMLInputElement, value: string) => {
  input.value = value;
  input.dispatchEvent(new Event('input'));
};

describe('the sign-in form', () => {
  it('sends a username and password, or the admin token after "use the admin token instead"', async () => {
    const sent: string[][] = [];
    const el = mount(
      html`<${Login}
        error=${null}
        busy=${false}
        onPassword=${(u: string, p: string) => sent.push(['password', u, p])}
        onToken=${(t: string) => sent.push(['token', t])}
        loadHint=${() => Promise.resolve('env')}
      />`,
    );
    type(el.querySelector<HTMLInputElement>('#username')!, ' carl ');
    type(el.querySelector<HTMLInputElement>('#password')!, 'secret password');
    await settle();
    el.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    button(el, 'Use the admin token instead')!.click();
    await settle();
    expect(el.querySelector('#username')).toBeNull();
    type(el.querySelector<HTMLInputElement>('#token')!, 'the-token');
    await settle();
    el.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    expect(el.querySelector('[data-token-hint]')!.textContent).toContain('ANALYTICS_ADMIN_TOKEN');
    expect(sent).toEqual([
      ['password', 'carl', 'secret password'],
      ['token', 'the-token'],
    ]);
  });

  it('shows an error as text, never as markup', () => {
    const el = mount(html`<${LinkGone} message=${'<b>gone</b>'} />`);
    expect(el.querySelector('[data-link-gone] [role="alert"]')!.textContent).toBe('<b>gone</b>');
    expect(el.querySelector('b')).toBeNull();
  });
});

describe('the header per role', () => {
  const header = (who: Session, sites: string[], state: ViewState = parseState('')) =>
    mount(
      html`<${Header}
        state=${state}
        session=${who}
        sites=${sites}
        offline=${false}
        cachedAt=${null}
        updatedAt=${null}
        busy=${false}
        now=${Date.now()}
        refreshMs=${0}
        onState=${() => undefined}
        onSite=${() => undefined}
        onRefresh=${() => undefined}
        onRefreshMs=${() => undefined}
        onSignOut=${() => undefined}
      />`,
    );
  const picker = (el: HTMLElement) =>
    [...el.querySelectorAll('select.site')]
      .map((s) => [...s.querySelectorAll('option')].map((o) => o.textContent))
      .find((texts) => !texts.includes('5 min'));
  const buttons = (el: HTMLElement) =>
    [...el.querySelectorAll('[data-account] button')].map((b) => b.textContent!.trim());

  it('offers an owner every site, the team page and both ways out', () => {
    const el = header(OWNER, ['a.test', 'b.test']);
    expect(picker(el)).toEqual(['All sites', 'a.test', 'b.test']);
    expect(buttons(el)).toEqual(['Team & sharing', 'Sign out', 'Sign out everywhere']);
  });

  it('offers an admin of one site its sites without "All sites", and the team page', () => {
    const el = header(ADMIN_A, ['a.test', 'b.test'], parseState('?site=a.test'));
    expect(picker(el)).toEqual(['a.test', 'b.test']);
    expect(buttons(el)).toContain('Team & sharing');
  });

  it('gives a viewer of one site no picker and no team page', () => {
    const el = header(VIEWER_A, ['a.test'], parseState('?site=a.test'));
    expect(picker(el)).toBeUndefined();
    expect(buttons(el)).toEqual(['Sign out', 'Sign out everywhere']);
    unmount();
    // The token's session has no account to sign out everywhere.
    const token = header(session({ kind: 'token', user: { name: 'owner' }, roles: { '*': 'owner' } }), []);
    expect(buttons(token)).toEqual(['Team & sharing', 'Sign out']);
  });

  it('shows a public link what it is, with no picker, account or sign-out', () => {
    const el = header(LINK_A, ['a.test', 'b.test'], parseState('?site=a.test'));
    expect(picker(el)).toBeUndefined();
    expect(el.querySelector('[data-account]')).toBeNull();
    expect(el.querySelector('[data-public]')!.textContent).toBe('Public dashboard · a.test');
    expect(el.querySelector('a.brand')).toBeNull();
  });

  it('narrows the asked view to what the session may see', () => {
    const asked = parseState('?site=b.test&user=alice&section=team');
    expect(permittedView(VIEWER_A, asked, ['a.test'])).toMatchObject({
      site: 'a.test',
      user: 'alice',
      section: '',
    });
    expect(permittedView(LINK_A, asked, [])).toMatchObject({ site: 'a.test', user: '', section: '' });
    expect(permittedView(ADMIN_A, asked, ['a.test', 'b.test'])).toMatchObject({
      site: 'b.test',
      section: 'team',
    });
    const same = parseState('?site=a.test');
    expect(permittedView(VIEWER_A, same, ['a.test'])).toBe(same);
  });
});

describe('the API keys section', () => {
  const TOKEN = 'dashboard-access-ui-token-0123456789';
  let t: Awaited<ReturnType<typeof testCollector>>;
  beforeAll(async () => {
    t = await testCollector({ ANALYTICS_ADMIN_TOKEN: TOKEN });
  });
  afterAll(() => t.cleanup());

  it('creates a key, shows it once as text, and lists its name as text', async () => {
    const api = new ApiClient({ bearer: TOKEN }, async (input, init) =>
      t.collector.app.request(String(input), init),
    );
    const el = mount(
      html`<${TeamKeys} team=${teamApi(api)} site="a.test" fail=${(e: unknown) => String(e)} />`,
    );
    await expect.poll(() => el.textContent).toContain('No API keys for this site.');
    const name = '<img src=x onerror=alert(1)>';
    type(el.querySelector<HTMLInputElement>('[data-add-key] input:not([type])')!, name);
    await settle();
    el.querySelector<HTMLFormElement>('[data-add-key]')!.dispatchEvent(
      new Event('submit', { cancelable: true }),
    );
    await expect.poll(() => el.querySelector('[data-new-key] code')?.textContent ?? '').toMatch(/.{20,}/);
    await expect.poll(() => [...el.querySelectorAll('.team-name')].map((n) => n.textContent)).toEqual([name]);
    expect(el.querySelector('img')).toBeNull();
    button(el, 'Done')!.click();
    await settle();
    expect(el.querySelector('[data-new-key]')).toBeNull();
  });
});
