// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../../shared/wire.ts';
import { BeaconPage, type PageOptions } from './beacon-harness.ts';

const pages: BeaconPage[] = [];
afterEach(async () => {
  for (const p of pages.splice(0)) await p.close();
});

async function open(options: PageOptions = {}): Promise<BeaconPage> {
  const page = new BeaconPage({ url: 'https://example.com/', ...options });
  pages.push(page);
  await page.settle();
  return page;
}

const stored = (page: BeaconPage) => JSON.parse(String(page.run('localStorage.cfa_q'))) as WireEvent[];

describe('beacon transport', () => {
  it('sends events raised in the same tick in one text/plain sendBeacon request', async () => {
    const page = await open();
    page.run("cfa('track','a');cfa('track','b');cfa('share','qr')");
    await page.settle();
    expect(page.sent.map((s) => [s.via, s.events.map((e) => e.n ?? e.k)])).toEqual([
      ['beacon', ['p']],
      ['beacon', ['a', 'b', 'qr']],
    ]);
  });

  it('leads each request with its clock and writes engagements and native shares short', async () => {
    const page = await open({
      url: 'https://example.com/photos?utm_source=x',
      before: (w) => w.eval('navigator.share = () => Promise.resolve()'),
    });
    const t0 = page.now;
    page.advance(3_000);
    page.run("history.pushState({}, '', '/albums')");
    await page.run("navigator.share({ url: 'https://example.com/s/1' })");
    await page.settle();
    expect(page.bodies).toEqual([
      [t0, { k: 'p', s: 'example.com', u: 'https://example.com/photos?utm_source=x', r: '', g: t0 }],
      [
        t0 + 3_000,
        {
          k: 'e',
          s: 'example.com',
          u: 'https://example.com/albums',
          v: '/photos',
          d: 3_000,
          x: 20,
          g: t0 + 3_000,
        },
        { k: 'p', s: 'example.com', u: 'https://example.com/albums', r: '', g: t0 + 3_000 },
      ],
      [
        t0 + 3_000,
        {
          k: 's',
          s: 'example.com',
          u: 'https://example.com/albums',
          l: 'https://example.com/s/1',
          o: 1,
          g: t0 + 3_000,
        },
      ],
    ]);
  });

  it('falls back to fetch keepalive when the browser refuses sendBeacon', async () => {
    const page = await open({ beaconAccepts: false });
    expect(page.sent.map((s) => s.via)).toEqual(['fetch']);
    expect(page.run('localStorage.cfa_q')).toBe('[]');
  });

  it('keeps events that could not be sent, and the next page load sends them with their age', async () => {
    const first = await open({ beaconAccepts: false, fetchResult: 'network' });
    first.run("cfa('track','photo_processed')");
    await first.settle();
    expect(stored(first).map((e) => e.k)).toEqual(['p', 'a']);

    const t0 = first.now;
    const queue = String(first.run('localStorage.cfa_q'));
    const second = await open({
      now: t0 + 60_000,
      url: 'https://example.com/next',
      before: (w) => w.localStorage.setItem('cfa_q', queue),
    });
    expect(second.sent).toHaveLength(1);
    expect(second.events.map((e) => [e.k, e.u, e.g])).toEqual([
      ['p', 'https://example.com/', 60_000],
      ['a', 'https://example.com/', 60_000],
      ['p', 'https://example.com/next', 0],
    ]);
    expect(second.run('localStorage.cfa_q')).toBe('[]');
  });

  it('queues while offline, persists the queue, and flushes it when back online', async () => {
    const page = await open({ online: false });
    page.run("cfa('track','x')");
    await page.settle();
    expect(page.sent).toEqual([]);
    expect(stored(page).map((e) => e.k)).toEqual(['p', 'a']);
    page.online = true;
    page.advance(5_000);
    page.fire('online');
    await page.settle();
    expect(page.sent).toHaveLength(1);
    expect(page.events.map((e) => [e.k, e.g])).toEqual([
      ['p', 5_000],
      ['a', 5_000],
    ]);
  });

  it('keeps at most the newest 50 events and sends at most 25 per request', async () => {
    const page = await open({ online: false });
    page.run("for (let i = 0; i < 60; i++) cfa('track', 'e' + i)");
    await page.settle();
    const kept = stored(page);
    expect(kept).toHaveLength(50);
    expect(kept[0]!.n).toBe('e10');
    page.online = true;
    page.fire('online');
    await page.settle();
    expect(page.sent.map((s) => s.events.length)).toEqual([25, 25]);
  });

  it('does not retry a batch the collector refused as invalid', async () => {
    const page = await open({ beaconAccepts: false, fetchResult: 400 });
    expect(page.sent).toHaveLength(1);
    expect(page.run('localStorage.cfa_q')).toBe('[]');
  });

  it('keeps working when storage throws', async () => {
    const page = await open({
      before: (w) =>
        Object.defineProperty(w, 'localStorage', {
          get() {
            throw new Error('SecurityError');
          },
        }),
    });
    expect(page.events.map((e) => e.k)).toEqual(['p']);
  });
});
