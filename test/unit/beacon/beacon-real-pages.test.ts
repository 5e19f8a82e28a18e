// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expandClick } from '../../../collector/pipeline/click.ts';
import { BeaconPage, type PageOptions } from './beacon-harness.ts';

// Page shapes real sites produce, each of which broke the beacon once (issue 17). The same
// shapes run in Chromium against the real collector in test/e2e/beacon-real-pages.test.ts.

const pages: BeaconPage[] = [];
afterEach(async () => {
  for (const p of pages.splice(0)) await p.close();
});

async function open(options: PageOptions): Promise<BeaconPage> {
  const page = new BeaconPage({ url: 'https://example.com/account', ...options });
  pages.push(page);
  // The page handles its links itself (happy-dom would otherwise navigate away).
  page.window.document.addEventListener('click', (e) => e.preventDefault());
  await page.settle();
  return page;
}

/** The events one click sends, without the fields every event carries. */
async function clickOn(page: BeaconPage, selector: string) {
  const before = page.sent.length;
  page.click(selector);
  await page.settle();
  return page.sent.slice(before).flatMap((s) => s.events.map(({ s: _s, u: _u, g: _g, ...rest }) => rest));
}

describe('the beacon on real-world pages', () => {
  it.each([
    ['beacon.debug.js says so under data-debug', 'debug', [['cfa: skipped, twice']]],
    ['beacon.js says nothing', 'default', []],
  ] as const)('runs once when the tag is included twice; %s', async (_n, build, logged) => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const page = await open({
      copies: 2,
      build,
      tag: { site: 'example.com', debug: '' },
      html: '<a id="out" href="https://other.org/">out</a>',
    });
    page.run("cfa('track', 'signup')");
    await page.settle();
    page.click('#out');
    page.run("history.pushState({}, '', '/settings')");
    await page.settle();
    expect(page.events.map((e) => e.k)).toEqual(['p', 'a', 'c', 'p']);
    expect(log.mock.calls).toEqual(logged);
    log.mockRestore();
  });

  it('files a click on a link inside a tagged element under the tag, with the link as its target', async () => {
    const page = await open({
      html: `<div data-cfa-event="reset_password" data-cfa-prop-place="login">
          <a id="t" href="https://accounts.example.org/reset?token=abc"><span id="s">Reset password</span></a>
        </div>`,
    });
    const events = await clickOn(page, '#s');
    expect(events).toEqual([
      {
        k: 'c',
        p: { cfaEvent: 'reset_password', cfaPropPlace: 'login' },
        l: 'https://accounts.example.org/reset?token=abc',
        q: false,
      },
    ]);
    expect(expandClick({ ...events[0], u: 'https://example.com/account' })).toEqual({
      k: 'a',
      u: 'https://example.com/account',
      n: 'reset_password',
      p: { place: 'login' },
      l: 'https://accounts.example.org/reset?token=abc',
    });
  });

  it('files a tagged element around a same-site link or a javascript: link as the action', async () => {
    const page = await open({
      html: `<div data-cfa-event="open_help"><a id="same" href="/help">Help</a></div>
        <a id="js" href="javascript:void(0)" data-cfa-event="open_menu">Menu</a>`,
    });
    expect(await clickOn(page, '#same')).toEqual([
      { k: 'c', p: { cfaEvent: 'open_help' }, l: 'https://example.com/help', q: false },
    ]);
    expect(await clickOn(page, '#js')).toEqual([{ k: 'c', p: { cfaEvent: 'open_menu' }, q: false }]);
  });

  it.each([
    ['data-cfa-event=""', '<button id="t" data-cfa-event="">Save</button>'],
    ['data-share=""', '<button id="t" data-share="">Share</button>'],
    [
      'data-cfa-event="" around a same-site link',
      '<div data-cfa-event=""><a id="t" href="/about">About</a></div>',
    ],
  ])('sends nothing for an empty %s that is not a link', async (_name, html) => {
    const page = await open({ html });
    expect(await clickOn(page, '#t')).toEqual([]);
  });

  it('reports an empty tag on an outbound link as the link it is', async () => {
    const page = await open({ html: '<a id="t" data-cfa-event="" href="https://other.org/x">x</a>' });
    const events = await clickOn(page, '#t');
    // (happy-dom leaves the empty value out of dataset; Chromium sends {cfaEvent: ''})
    expect(events).toEqual([expect.objectContaining({ k: 'c', l: 'https://other.org/x', q: false })]);
    expect(expandClick({ ...events[0], u: 'https://example.com/' })).toMatchObject({
      k: 'l',
      l: 'https://other.org/x',
    });
  });

  it('counts a link inside an <svg> and one whose icon is an <svg>', async () => {
    const page = await open({
      html: `<svg id="map"><a id="svg-link" href="https://maps.example.org/place"><circle id="dot" r="5"></circle></a></svg>
        <a id="icon-link" href="https://github.com/cloudface"><svg><path id="icon" d="M0 0"></path></svg></a>`,
    });
    expect(await clickOn(page, '#dot')).toEqual([
      { k: 'c', p: {}, l: 'https://maps.example.org/place', q: false },
    ]);
    expect(await clickOn(page, '#icon')).toEqual([
      { k: 'c', p: {}, l: 'https://github.com/cloudface', q: false },
    ]);
  });

  it('sees links and tagged elements inside an open shadow root', async () => {
    const page = await open({
      html: '<site-footer id="footer"></site-footer>',
      before: (w) => {
        const root = w.document.getElementById('footer')!.attachShadow({ mode: 'open' });
        root.innerHTML = `<a id="gh" href="https://github.com/cloudface">GitHub</a>
          <button id="sub" data-cfa-event="subscribe">Subscribe</button>`;
      },
    });
    const root = page.window.document.getElementById('footer')!.shadowRoot!;
    for (const id of ['gh', 'sub'])
      root
        .getElementById(id)!
        .dispatchEvent(new page.window.MouseEvent('click', { bubbles: true, composed: true, button: 0 }));
    await page.settle();
    expect(page.events.slice(1).map(({ k, p, l }) => ({ k, p, l }))).toEqual([
      { k: 'c', p: {}, l: 'https://github.com/cloudface' },
      { k: 'c', p: { cfaEvent: 'subscribe' }, l: undefined },
    ]);
  });

  it('resolves relative links against <base href>', async () => {
    const page = await open({
      html: '<a id="rel" href="docs/guide.pdf">Guide</a>',
      before: (w) => {
        const base = w.document.createElement('base');
        base.href = 'https://cdn.example.com/v2/';
        w.document.head.appendChild(base);
      },
    });
    expect(await clickOn(page, '#rel')).toEqual([
      { k: 'c', p: {}, l: 'https://cdn.example.com/v2/docs/guide.pdf', q: false },
    ]);
  });

  it('counts the page view when the tag runs in <head> before <body> exists', async () => {
    const page = await open({
      before: (w) => {
        w.document.body.remove();
      },
    });
    expect(page.events.map(({ k, u }) => ({ k, u }))).toEqual([{ k: 'p', u: 'https://example.com/account' }]);
    page.window.document.documentElement.appendChild(page.window.document.createElement('body'));
    page.advance(3_000);
    page.setHidden(true);
    await page.settle();
    expect(page.events.map((e) => e.k)).toEqual(['p', 'e']);
  });
});
