// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BeaconPage, type PageOptions } from './beacon-harness.ts';

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
    'sends nothing with %s and says why under data-debug',
    async (_n, options, reason) => {
      const log = vi.spyOn(console, 'log').mockImplementation(() => {});
      const page = await open({ ...options, tag: { site: 'example.com', debug: '' } });
      expect(page.sent).toEqual([]);
      expect(page.run('localStorage.cfa_q')).toBeUndefined();
      expect(log).toHaveBeenCalledWith(`cfa: skipped, ${reason}`);
      log.mockRestore();
    },
  );

  it('stays quiet about skipping without data-debug', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await open({ before: nav('doNotTrack', '1') });
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
