import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { expandClick, tagProps } from '../../../collector/pipeline/click.ts';
import { classifyLinkClick, sharedLink } from '../../../collector/pipeline/link-click.ts';
import { parseEventBody } from '../../../collector/pipeline/validate.ts';
import { kindFile, utcDay } from '../../../storage/day-files.ts';
import { fixedClock, postEvent, testCollector } from '../../support/helpers.ts';
import { BeaconPage } from './beacon-harness.ts';

const PAGE = 'https://example.com/photos?utm_source=x';

describe('link clicks (classifyLinkClick)', () => {
  it.each([
    [
      'https://wa.me/?text=Look%20https%3A%2F%2Fexample.com%2Fs%2Fabc',
      { kind: 'share', channel: 'whatsapp', link: 'https://example.com/s/abc' },
    ],
    [
      'https://api.whatsapp.com/send?text=https://example.com/s/abc.',
      { kind: 'share', channel: 'whatsapp', link: 'https://example.com/s/abc' },
    ],
    ['whatsapp://send?text=hi', { kind: 'share', channel: 'whatsapp', link: 'https://example.com/photos' }],
    [
      'mailto:bob@example.org?subject=Hi&body=See%20https://example.com/s/1',
      { kind: 'share', channel: 'email', link: 'https://example.com/s/1' },
    ],
    ['mailto:bob@example.org', { kind: 'share', channel: 'email', link: 'https://example.com/photos' }],
    [
      'sms:+15551234?body=https://example.com/s/2',
      { kind: 'share', channel: 'sms', link: 'https://example.com/s/2' },
    ],
    [
      'https://t.me/share/url?url=https%3A%2F%2Fexample.com%2Fs%2F3',
      { kind: 'share', channel: 'telegram', link: 'https://example.com/s/3' },
    ],
    [
      'https://twitter.com/intent/tweet?url=https://example.com/s/4',
      { kind: 'share', channel: 'x', link: 'https://example.com/s/4' },
    ],
    [
      'https://x.com/intent/post?text=https://example.com/s/4',
      { kind: 'share', channel: 'x', link: 'https://example.com/s/4' },
    ],
    [
      'https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fexample.com%2Fs%2F5',
      { kind: 'share', channel: 'facebook', link: 'https://example.com/s/5' },
    ],
    [
      'https://www.linkedin.com/sharing/share-offsite/?url=https://example.com/s/6',
      { kind: 'share', channel: 'linkedin', link: 'https://example.com/s/6' },
    ],
    [
      'https://www.reddit.com/submit?url=https://example.com/s/7',
      { kind: 'share', channel: 'reddit', link: 'https://example.com/s/7' },
    ],
    [
      'https://other.org/docs/page?token=secret',
      { kind: 'action', name: 'outbound_link', link: 'https://other.org/docs/page' },
    ],
    [
      'https://example.com/files/report.PDF?v=2',
      { kind: 'action', name: 'file_download', link: 'https://example.com/files/report.PDF' },
    ],
    [
      'https://cdn.other.org/app.dmg',
      { kind: 'action', name: 'file_download', link: 'https://cdn.other.org/app.dmg' },
    ],
    ['tel:+15551234', { kind: 'action', name: 'outbound_link', link: 'tel:' }],
    ['javascript:void(0)', null],
    ['https://example.com/about', null],
  ])('%s', (href, expected) => {
    expect(classifyLinkClick(href, PAGE)).toEqual(expected);
  });

  it('sharedLink keeps a plain shared URL, resolves relative ones and falls back to the page', () => {
    expect(sharedLink('https://cloudface-ai.com/s/abc123?ref=wa#x', PAGE)).toBe(
      'https://cloudface-ai.com/s/abc123?ref=wa',
    );
    expect(sharedLink('/s/9', PAGE)).toBe('https://example.com/s/9');
    expect(sharedLink(undefined, PAGE)).toBe('https://example.com/photos');
    expect(sharedLink('', PAGE)).toBe('https://example.com/photos');
  });
});

describe('clicks (expandClick)', () => {
  const U = { u: 'https://example.com/', g: 0 };
  it.each([
    [
      'a tagged element',
      { k: 'c', ...U, p: { cfaEvent: 'go', cfaPropMode: 'fast', id: 'x' }, q: false },
      { k: 'a', ...U, n: 'go', p: { mode: 'fast' } },
    ],
    [
      'a tagged link (or a link inside a tagged element) is the action, with the link as its target',
      { k: 'c', ...U, p: { cfaEvent: 'go' }, l: 'https://other.org/', q: false },
      { k: 'a', ...U, n: 'go', p: {}, l: 'https://other.org/' },
    ],
    [
      'a share with its own link',
      { k: 'c', ...U, p: { share: 'copy', shareLink: '/s/1' }, l: 'https://example.com/x', q: false },
      { k: 's', ...U, n: 'copy', l: '/s/1' },
    ],
    ['a share without a link', { k: 'c', ...U, p: { share: 'copy' }, q: false }, { k: 's', ...U, n: 'copy' }],
    [
      'a QR download',
      { k: 'c', ...U, p: {}, l: 'https://example.com/qr.png', q: true },
      { k: 's', ...U, n: 'qr', l: 'https://example.com/qr.png' },
    ],
    [
      'a plain link',
      { k: 'c', ...U, p: {}, l: 'https://other.org/', q: false },
      { k: 'l', ...U, l: 'https://other.org/' },
    ],
    [
      'an empty data-cfa-event is no action',
      { k: 'c', ...U, p: { cfaEvent: '' }, l: 'x:' },
      { k: 'l', ...U, l: 'x:' },
    ],
    ['not a click', { k: 'p', ...U, p: { cfaEvent: 'go' } }, { k: 'p', ...U, p: { cfaEvent: 'go' } }],
    ['a click without data attributes', { k: 'c', ...U, p: 'x' }, { k: 'c', ...U, p: 'x' }],
    ['not an object', 'c', 'c'],
  ])('%s', (_name, raw, expected) => {
    expect(expandClick(raw)).toEqual(expected);
  });

  it('tagProps turns dataset names back into the data-cfa-prop-KEY they came from', () => {
    expect(
      tagProps({
        cfaEvent: 'e',
        cfaPropProcessed_count: '150',
        cfaPropFileType: 'pdf',
        cfaPropA1: 'x',
        cfaProp: 'no',
        share: 'qr',
      }),
    ).toEqual({ processed_count: '150', 'file-type': 'pdf', a1: 'x' });
  });

  it('the validator expands clicks, and refuses one without data attributes', () => {
    const parsed = parseEventBody(
      JSON.stringify([
        { k: 'c', u: 'https://example.com/', p: { cfaEvent: 'go', cfaPropN: '1' }, q: false },
        { k: 'e', u: 'https://example.com/', d: 5, x: 100, h: '' },
      ]),
    );
    expect(parsed).toEqual({
      ok: true,
      events: [
        { k: 'a', s: 'example.com', u: 'https://example.com/', n: 'go', p: { n: '1' } },
        { k: 'e', s: 'example.com', u: 'https://example.com/', d: 5, x: 100, h: '' },
      ],
    });
    expect(
      parseEventBody(JSON.stringify({ k: 'c', u: 'https://example.com/', l: 'https://o.org/' })),
    ).toEqual({
      ok: false,
      error: expect.stringContaining('k:'),
    });
    // A forbidden prop name is refused after expansion, like any other.
    expect(
      parseEventBody(
        JSON.stringify({ k: 'c', u: 'https://example.com/', p: { cfaEvent: 'go', cfaProp__proto__: 1 } }),
      ),
    ).toMatchObject({ ok: false });
  });
});

describe('the collector stores what the beacon sends', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  /** A real collector on a temporary data dir (testCollector), closed and removed after the test. */
  const collectorAt = async (now: number) => {
    const t = await testCollector({}, fixedClock(now));
    cleanups.push(t.cleanup);
    return t;
  };

  it('a whole visit: page view, SPA page view, engagement, tagged action, shares, native share, user id', async () => {
    const T0 = Date.parse('2026-11-20T10:00:00Z');
    const page = new BeaconPage({
      url: 'https://example.com/photos?utm_source=newsletter&utm_campaign=launch',
      referrer: 'https://www.google.com/',
      tag: { site: 'example.com' },
      html: `<a id="wa" href="https://wa.me/?text=https%3A%2F%2Fexample.com%2Fs%2Fabc">WhatsApp</a>
        <button id="go" data-cfa-event="photo_processed" data-cfa-prop-processed_count="150">go</button>
        <a id="qr" download="qr-abc.png" href="data:image/png;base64,AAAA">QR</a>`,
      // The page handles its links itself (happy-dom would otherwise navigate away).
      before: (w) =>
        w.eval(
          "navigator.share = () => Promise.resolve(); document.addEventListener('click', (e) => e.preventDefault())",
        ),
    });
    cleanups.push(() => page.close());
    await page.settle();
    page.run("cfa('identify', 42)");
    page.scrollTo(1200);
    page.advance(8_000);
    page.click('#go');
    page.click('#wa');
    page.click('#qr');
    await page.settle();
    await page.run("navigator.share({ url: 'https://example.com/s/native' })");
    page.run("cfa('share', 'email', { link: 'https://example.com/s/mail', recipient_count: 5, note: 'x' })");
    page.run("history.pushState({}, '', '/albums')");
    page.advance(2_000);
    page.setHidden(true);
    await page.settle();

    const { collector, dir } = await collectorAt(T0);
    // The bodies as the beacon sent them: the collector reads their clock and short forms itself.
    for (const body of page.bodies) {
      const res = await postEvent(collector, body);
      expect(res.status, await res.clone().text()).toBe(202);
    }
    const lines = async (kind: 'pageview' | 'engagement' | 'action' | 'share') =>
      (await readFile(kindFile(dir, utcDay(T0), kind), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));

    expect(await lines('pageview')).toEqual([
      expect.objectContaining({
        path: '/photos',
        referrer: 'https://www.google.com/',
        utm_source: 'newsletter',
        utm_campaign: 'launch',
        site: 'example.com',
      }),
      expect.objectContaining({ path: '/albums', user: '42' }),
    ]);
    expect((await lines('pageview'))[1].referrer).toBeUndefined();
    expect(await lines('engagement')).toEqual([
      expect.objectContaining({ path: '/photos', engaged_ms: 8_000, scroll: 50, user: '42' }),
      expect.objectContaining({ path: '/albums', engaged_ms: 2_000 }),
    ]);
    expect(await lines('action')).toEqual([
      expect.objectContaining({ name: 'photo_processed', props: { processed_count: '150' }, user: '42' }),
    ]);
    expect(
      (await lines('share')).map(({ name, link, recipients, outcome, props }) => ({
        name,
        link,
        recipients,
        outcome,
        props,
      })),
    ).toEqual([
      {
        name: 'whatsapp',
        link: 'https://example.com/s/abc',
        recipients: undefined,
        outcome: undefined,
        props: undefined,
      },
      {
        name: 'qr',
        link: 'https://example.com/photos',
        recipients: undefined,
        outcome: undefined,
        props: undefined,
      },
      {
        name: 'native',
        link: 'https://example.com/s/native',
        recipients: undefined,
        outcome: 'completed',
        props: undefined,
      },
      {
        name: 'email',
        link: 'https://example.com/s/mail',
        recipients: 5,
        outcome: undefined,
        props: { note: 'x' },
      },
    ]);
  });

  it('takes the site from the page URL when the tag has no data-site, and reads identify(null) as anonymous', async () => {
    const { collector, dir } = await collectorAt(Date.parse('2026-11-20T10:00:00Z'));
    const res = await postEvent(collector, [
      { k: 'p', u: 'https://shop.example.com/a', r: '' },
      { k: 'a', u: 'https://shop.example.com/a', n: 'x', i: null },
    ]);
    expect(res.status).toBe(202);
    const text = await readFile(kindFile(dir, '2026-11-20', 'pageview'), 'utf8');
    expect(JSON.parse(text).site).toBe('shop.example.com');
    const action = JSON.parse(await readFile(kindFile(dir, '2026-11-20', 'action'), 'utf8'));
    expect(action.user).toBeUndefined();
  });

  it('rejects a link click without a link', async () => {
    const { collector } = await collectorAt(Date.now());
    const res = await postEvent(collector, { k: 'l', u: 'https://example.com/' });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toContain('l: link clicks need a link');
  });
});
