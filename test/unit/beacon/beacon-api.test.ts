// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BeaconPage, type PageOptions } from './beacon-harness.ts';

const pages: BeaconPage[] = [];
afterEach(async () => {
  for (const p of pages.splice(0)) await p.close();
});

async function open(options: PageOptions = {}): Promise<BeaconPage> {
  const page = new BeaconPage({ url: 'https://example.com/app', ...options });
  pages.push(page);
  await page.settle();
  return page;
}

const STUB = 'window.cfa=window.cfa||function(){(cfa.q=cfa.q||[]).push(arguments)};';

describe('beacon JavaScript API', () => {
  it('replays calls queued by the stub before the script loaded, in the first request', async () => {
    const page = await open({
      before: (w) =>
        w.eval(
          STUB +
            "cfa('identify','user123');cfa('track','photo_processed',{processed_count:150,total_files:200})",
        ),
    });
    expect(page.sent).toHaveLength(1);
    expect(page.events).toEqual([
      {
        k: 'a',
        s: 'example.com',
        u: 'https://example.com/app',
        i: 'user123',
        n: 'photo_processed',
        p: { processed_count: 150, total_files: 200 },
        g: 0,
      },
      { k: 'p', s: 'example.com', u: 'https://example.com/app', i: 'user123', r: '', g: 0 },
    ]);
  });

  it('sends explicit shares with their props, link and recipient count among them', async () => {
    const page = await open();
    page.run("cfa('share','whatsapp',{link:'https://cloudface-ai.com/s/abc123',recipient_count:5})");
    await page.settle();
    expect(page.sent[1]!.events).toEqual([
      {
        k: 's',
        s: 'example.com',
        u: 'https://example.com/app',
        n: 'whatsapp',
        p: { link: 'https://cloudface-ai.com/s/abc123', recipient_count: 5 },
        g: 0,
      },
    ]);
  });

  it('ties later events to an identified user until identify(null), without cookies or storage', async () => {
    const page = await open();
    page.run("cfa('identify','u-7');cfa('track','a')");
    await page.settle();
    page.run("cfa('identify',null);cfa('track','b')");
    await page.settle();
    expect(page.events.slice(1).map((e) => [e.n, e.i])).toEqual([
      ['a', 'u-7'],
      ['b', null],
    ]);
    expect(page.window.document.cookie).toBe('');
    expect(page.run('JSON.stringify(sessionStorage)')).toBe('{}');
    expect(page.run('localStorage.length <= 1 && !JSON.stringify(localStorage).includes("u-7")')).toBe(true);
  });

  it('ignores unknown commands and never throws into the page, even for props JSON cannot take', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const page = await open();
    page.run("var pageErrors = 0; addEventListener('error', () => pageErrors++)");
    expect(() =>
      page.run(
        "cfa('nope');cfa();cfa('track','bad',{n:{toJSON(){throw new Error('x')}}});cfa('track','big',{n:1n})",
      ),
    ).not.toThrow();
    await page.settle();
    page.run("cfa('track','ok')");
    await page.settle();
    expect(page.events.map((e) => e.n ?? e.k)).toEqual(['p', 'ok']);
    expect(page.run('pageErrors')).toBe(0);
    expect(errors).not.toHaveBeenCalled();
    errors.mockRestore();
  });

  it('records navigator.share calls as native shares with their outcome, passing the result through', async () => {
    const page = await open({
      before: (w) =>
        w.eval(
          `let n = 0; navigator.share = (d) => (++n === 1 ? Promise.resolve() : Promise.reject(Object.assign(new Error('no'), { name: 'AbortError' })));`,
        ),
    });
    const results = (await page.run(`(async () => {
      const a = await navigator.share({ url: 'https://example.com/s/1', title: 't' }).then(() => 'done');
      const b = await navigator.share({ text: 'hi' }).catch((e) => e.name);
      return [a, b];
    })()`)) as string[];
    await page.settle();
    expect(results).toEqual(['done', 'AbortError']);
    expect(page.events.filter((e) => e.k === 's').map(({ n, l, o }) => ({ n, l, o }))).toEqual([
      { n: 'native', l: 'https://example.com/s/1', o: 1 },
      { n: 'native', l: undefined, o: 0 },
    ]);
  });

  it('keeps capturing everything else when the page made navigator.share read-only', async () => {
    const page = await open({
      before: (w) =>
        w.eval(
          "Object.defineProperty(navigator, 'share', { value: () => Promise.resolve(), writable: false })",
        ),
    });
    page.run("cfa('track', 'x')");
    page.advance(1_000);
    page.setHidden(true);
    await page.settle();
    expect(page.events.map((e) => e.k)).toEqual(['p', 'a', 'e']);
  });
});
