import { afterEach, describe, expect, it } from 'vitest';
import { isSpamReferrer, loadReferrerSpam } from '../../collector/referrer-spam.ts';
import { adminHealth, postEvent, testCollector } from '../support/helpers.ts';

const page = { k: 'p', s: 'example.com', u: 'https://example.com/' };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(env: Record<string, string> = {}) {
  const t = await testCollector(env);
  cleanups.push(t.cleanup);
  return t.collector;
}

async function drops(collector: Awaited<ReturnType<typeof setup>>) {
  return (await adminHealth(collector)).drops;
}

describe('Origin checking against ANALYTICS_SITES', () => {
  it.each([
    ['the site itself', 'https://example.com', 202],
    ['a subdomain of the site', 'https://www.example.com', 202],
    ['a local port of the site', 'http://example.com:8080', 202],
    ['another site', 'https://evil.com', 403],
    ['a look-alike suffix', 'https://notexample.com', 403],
    ['a sandboxed frame (Origin: null)', 'null', 403],
    ['a non-web scheme', 'chrome-extension://abcdef', 403],
  ])('answers %s with %i', async (_name, origin, status) => {
    const collector = await setup({ ANALYTICS_SITES: 'example.com' });
    const res = await postEvent(collector, page, { headers: { origin } });
    expect(res.status).toBe(status);
    if (status === 403) {
      expect((await res.json()).error).toBe('Origin is not a site in ANALYTICS_SITES');
      expect(await drops(collector)).toEqual({ site_not_allowed: 1 });
    }
  });

  it('lets requests without Origin through to the site check, and any Origin when no sites are configured', async () => {
    const limited = await setup({ ANALYTICS_SITES: 'example.com' });
    expect((await postEvent(limited, page)).status).toBe(202);
    expect((await postEvent(limited, { ...page, s: 'evil.com' })).status).toBe(403);
    const open = await setup();
    expect((await postEvent(open, page, { headers: { origin: 'https://elsewhere.org' } })).status).toBe(202);
  });
});

describe('referrer spam', () => {
  it('ships the maintained list', async () => {
    const list = await loadReferrerSpam();
    expect(list.size).toBeGreaterThan(500);
    expect(list.has('semalt.com')).toBe(true);
    expect([...list].every((h) => /^[a-z0-9.-]+$/.test(h))).toBe(true);
  });

  it.each([
    ['https://semalt.com/page', true],
    ['https://some.sub.semalt.com/', true],
    ['https://SEMALT.COM', true],
    ['https://notsemalt.com/', false],
    ['https://news.ycombinator.com/item', false],
    ['not a url', false],
    [undefined, false],
  ])('classifies %s as spam: %s', async (referrer, spam) => {
    expect(isSpamReferrer(referrer, await loadReferrerSpam())).toBe(spam);
  });

  it('drops spam page views with 204, keeps the rest of a batch, and counts them in /healthz', async () => {
    const collector = await setup();
    const spam = await postEvent(collector, { ...page, r: 'https://buttons-for-website.com/' });
    expect(spam.status).toBe(204);
    expect(spam.headers.get('x-cfa-dropped')).toBe('referrer_spam');
    const mixed = await postEvent(collector, [
      { ...page, r: 'https://x.darodar.com/' },
      { ...page, r: 'https://news.ycombinator.com/' },
    ]);
    expect(await mixed.json()).toEqual({ accepted: 1, dropped: { referrer_spam: 1 } });
    expect(await drops(collector)).toEqual({ referrer_spam: 2 });
  });
});

describe('caps', () => {
  it('refuses a batch over 25 events and a body over 16 KiB, counting both', async () => {
    const collector = await setup();
    const batch = await postEvent(
      collector,
      Array.from({ length: 26 }, () => page),
    );
    expect(batch.status).toBe(400);
    expect((await batch.json()).error).toContain('exceeds 25');
    const big = await postEvent(collector, 'x'.repeat(20_000));
    expect(big.status).toBe(413);
    expect(await drops(collector)).toEqual({ invalid: 1, too_large: 1 });
  });
});
