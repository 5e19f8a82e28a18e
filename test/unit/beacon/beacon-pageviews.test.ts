// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { BeaconPage, COLLECTOR, type PageOptions } from './beacon-harness.ts';

const pages: BeaconPage[] = [];
afterEach(async () => {
  for (const p of pages.splice(0)) await p.close();
});

async function open(options: PageOptions = {}): Promise<BeaconPage> {
  const page = new BeaconPage(options);
  pages.push(page);
  await page.settle();
  return page;
}

describe('beacon page views', () => {
  it('sends one page view on load, with the full URL and the referrer, to /api/event beside beacon.js', async () => {
    const page = await open({
      url: 'https://example.com/pricing?utm_source=newsletter&utm_medium=email',
      referrer: 'https://news.ycombinator.com/item?id=1',
    });
    expect(page.sent).toEqual([
      {
        via: 'beacon',
        url: `${COLLECTOR}/api/event`,
        events: [
          {
            k: 'p',
            s: 'example.com',
            u: 'https://example.com/pricing?utm_source=newsletter&utm_medium=email',
            r: 'https://news.ycombinator.com/item?id=1',
            g: 0,
          },
        ],
      },
    ]);
  });

  it('leaves the site to the collector without data-site and posts to data-api when given', async () => {
    const page = await open({ tag: { api: '/stats/event' } });
    expect(page.sent).toHaveLength(1);
    // sendBeacon resolves it against the page, as fetch would.
    expect(page.sent[0]!.url).toBe('/stats/event');
    expect(page.events[0]).not.toHaveProperty('s');
  });

  it('waits while the page is hidden (prerendered or a background tab) and counts it once shown', async () => {
    const page = await open({ hidden: true });
    expect(page.sent).toEqual([]);
    page.setHidden(false);
    await page.settle();
    expect(page.events.map((e) => e.k)).toEqual(['p']);
    page.setHidden(true);
    page.setHidden(false);
    await page.settle();
    expect(page.events.filter((e) => e.k === 'p')).toHaveLength(1);
  });

  it('counts SPA navigation by pushState, closing the previous page engagement first, without a referrer', async () => {
    const page = await open({ url: 'https://example.com/a', referrer: 'https://google.com/' });
    page.advance(4000);
    page.run("history.pushState({}, '', '/b?utm_campaign=x')");
    await page.settle();
    expect(page.sent).toHaveLength(2);
    expect(page.sent[1]!.events).toEqual([
      { k: 'e', s: 'example.com', u: 'https://example.com/a', d: 4000, x: 20, g: 0 },
      { k: 'p', s: 'example.com', u: 'https://example.com/b?utm_campaign=x', r: '', g: 0 },
    ]);
  });

  it('ignores replaceState and pushState that keep the path (query or state changes)', async () => {
    const page = await open({ url: 'https://example.com/list' });
    page.run("history.replaceState({ a: 1 }, '', '/list?page=2')");
    page.run("history.pushState({ a: 2 }, '', '/list?page=3')");
    await page.settle();
    expect(page.events.filter((e) => e.k === 'p')).toHaveLength(1);
    page.run("history.replaceState({}, '', '/other')");
    await page.settle();
    expect(page.events.filter((e) => e.k === 'p').map((e) => e.u)).toEqual([
      'https://example.com/list',
      'https://example.com/other',
    ]);
  });

  it('counts back/forward navigation (popstate) when the path changed', async () => {
    const page = await open({ url: 'https://example.com/a' });
    page.run("history.pushState({}, '', '/b')");
    // Going back changes the URL without pushState, then fires popstate.
    page.run("History.prototype.replaceState.call(history, {}, '', '/a')");
    page.fire('popstate');
    page.fire('popstate');
    await page.settle();
    expect(page.events.filter((e) => e.k === 'p').map((e) => e.u)).toEqual([
      'https://example.com/a',
      'https://example.com/b',
      'https://example.com/a',
    ]);
  });

  it('with data-hash, a fragment change is a navigation and events carry h (the attribute value)', async () => {
    const page = await open({ url: 'https://example.com/#/inbox', tag: { site: 'example.com', hash: '' } });
    page.run("history.pushState({}, '', '#/settings')");
    await page.settle();
    const views = page.events.filter((e) => e.k === 'p');
    expect(views.map((e) => [e.u, e.h])).toEqual([
      ['https://example.com/#/inbox', ''],
      ['https://example.com/#/settings', ''],
    ]);
  });

  it('without data-hash, a fragment change is not a page view', async () => {
    const page = await open({ url: 'https://example.com/doc' });
    page.run("history.pushState({}, '', '#section-2')");
    page.fire('popstate');
    await page.settle();
    expect(page.events.filter((e) => e.k === 'p')).toHaveLength(1);
  });

  it('counts a page restored from the back/forward cache, but not the first pageshow', async () => {
    const page = await open();
    page.fire('pageshow', { persisted: false });
    page.fire('pagehide', { persisted: true });
    page.fire('pageshow', { persisted: true });
    await page.settle();
    expect(page.events.filter((e) => e.k === 'p')).toHaveLength(2);
  });

  it('with data-no-auto sends nothing by itself and counts cfa("pageview") calls', async () => {
    const page = await open({ tag: { site: 'example.com', 'no-auto': '' } });
    page.run("history.pushState({}, '', '/next')");
    page.click('body');
    page.advance(3_000);
    // No page view yet, so no engagement either.
    page.setHidden(true);
    page.setHidden(false);
    await page.settle();
    expect(page.sent).toEqual([]);
    page.run("cfa('pageview')");
    await page.settle();
    expect(page.events).toEqual([{ k: 'p', s: 'example.com', u: 'https://example.com/next', r: '', g: 0 }]);
  });
});
