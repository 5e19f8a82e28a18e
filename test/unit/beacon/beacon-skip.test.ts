// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BeaconPage, type PageOptions, type Sent } from './beacon-harness.ts';

const pages: BeaconPage[] = [];
afterEach(async () => {
  for (const p of pages.splice(0)) await p.close();
});

async function open(options: PageOptions): Promise<BeaconPage> {
  const page = new BeaconPage(options);
  pages.push(page);
  await page.settle();
  page.run("typeof cfa === 'function' && cfa('track', 'x')");
  await page.settle();
  return page;
}

const nav = (key: string, value: unknown) => (w: { navigator: object }) =>
  Object.defineProperty(w.navigator, key, { get: () => value, configurable: true });

describe('beacon skips', () => {
  it.each([
    ['Do Not Track', { before: nav('doNotTrack', '1') }, 'dnt'],
    ['Global Privacy Control', { before: nav('globalPrivacyControl', true) }, 'dnt'],
    [
      'the opt-out flag',
      { before: (w: { localStorage: Storage }) => w.localStorage.setItem('cfa_ignore', 'true') },
      'cfa_ignore',
    ],
    ['automation (navigator.webdriver)', { before: nav('webdriver', true) }, 'webdriver'],
    ['localhost', { url: 'http://localhost:3000/' }, 'localhost'],
    ['127.0.0.1', { url: 'http://127.0.0.1:8080/' }, 'localhost'],
  ] as [string, PageOptions, string][])(
    'sends nothing with %s, and beacon.debug.js says why under data-debug while beacon.js stays quiet',
    async (_n, options, reason) => {
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      const debug = await open({ ...options, build: 'debug', tag: { site: 'example.com', debug: '' } });
      expect(debug.sent).toEqual([]);
      expect(debug.run('localStorage.cfa_q')).toBeUndefined();
      expect(log.mock.calls).toEqual([[`cfa: skipped, ${reason}`]]);
      // The default build skips the same page just the same, and says nothing even when asked.
      const quiet = await open({ ...options, tag: { site: 'example.com', debug: '' } });
      expect(quiet.sent).toEqual([]);
      expect(quiet.run('localStorage.cfa_q')).toBeUndefined();
      expect(quiet.run("typeof cfa === 'function' && !!cfa.l")).toBe(false);
      expect(log).toHaveBeenCalledTimes(1);
      log.mockRestore();
    },
  );

  it('stays quiet about skipping without data-debug, in either build', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await open({ build: 'debug', before: nav('doNotTrack', '1') });
    await open({ before: nav('doNotTrack', '1') });
    expect(log).not.toHaveBeenCalled();
    log.mockRestore();
  });

  it('runs a page that is not skipped the same in both builds, data-debug or not, and logs nothing', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const sent: Sent[][] = [];
    const tags: Record<string, string>[] = [{ site: 'example.com' }, { site: 'example.com', debug: '' }];
    for (const build of ['default', 'debug'] as const)
      for (const tag of tags) {
        const page = await open({ build, tag, html: '<a id="out" href="https://other.org/x">x</a>' });
        // The page handles its links itself (happy-dom would otherwise navigate away).
        page.window.document.addEventListener('click', (e) => e.preventDefault());
        page.click('#out');
        page.run("history.pushState({}, '', '/next')");
        await page.settle();
        sent.push(page.sent);
      }
    expect(sent[0]!.flatMap((s) => s.events.map((e) => e.k))).toEqual(['p', 'a', 'c', 'p']);
    for (const other of sent.slice(1)) expect(other).toEqual(sent[0]);
    expect(log).not.toHaveBeenCalled();
    log.mockRestore();
  });

  it('runs despite DNT/GPC with data-ignore-dnt, and on localhost with data-allow-localhost', async () => {
    const dnt = await open({
      before: nav('globalPrivacyControl', true),
      tag: { site: 'example.com', 'ignore-dnt': '' },
    });
    expect(dnt.events.map((e) => e.k)).toEqual(['p', 'a']);
    const local = await open({
      url: 'http://localhost:3000/',
      tag: { site: 'example.com', 'allow-localhost': '' },
    });
    expect(local.events.map((e) => e.k)).toEqual(['p', 'a']);
  });

  it('runs when the opt-out flag is anything but "true"', async () => {
    const page = await open({ before: (w) => w.localStorage.setItem('cfa_ignore', 'false') });
    expect(page.events.map((e) => e.k)).toEqual(['p', 'a']);
  });
});
