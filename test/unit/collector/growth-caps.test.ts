import { describe, expect, it } from 'vitest';
import { DEFAULT_CAP_LIMITS, GrowthCaps, OTHER, type CapLimits } from '../../../collector/growth-caps.ts';
import { loadConfig } from '../../../collector/config.ts';
import { isSiteName } from '../../../collector/pipeline/site-name.ts';
import { emptyRecord, type RecordKind, type StoredRecord } from '../../../storage/schema.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 11, 6, 10);
const SMALL: CapLimits = {
  sitesPerDay: 2,
  sites: 3,
  names: 2,
  propKeysPerName: 2,
  propKeys: 3,
  paths: 2,
  referrers: 2,
  utm: 1,
  links: 1,
};

function record(fields: Partial<StoredRecord> & { kind?: RecordKind } = {}, ts = T0): StoredRecord {
  return { ...emptyRecord(fields.kind ?? 'pageview', ts, fields.site ?? 'a.com'), path: '/', ...fields };
}

function action(name: string, props: Record<string, number> = {}, ts = T0, site = 'a.com'): StoredRecord {
  return record({ kind: 'action', name, props, site }, ts);
}

describe('growth caps', () => {
  it('drops records of new sites past the per-day cap, and past the total cap on later days', () => {
    const caps = new GrowthCaps(SMALL, true);
    expect(caps.admit(record({ site: 'a.com' }))).toBeNull();
    expect(caps.admit(record({ site: 'b.com' }))).toBeNull();
    expect(caps.admit(record({ site: 'c.com' }))).toBe('cap_site');
    expect(caps.admit(record({ site: 'a.com' }))).toBeNull();
    // Next day: a fresh per-day budget, but only one more site fits the total of 3.
    expect(caps.admit(record({ site: 'c.com' }, T0 + DAY))).toBeNull();
    expect(caps.admit(record({ site: 'd.com' }, T0 + DAY))).toBe('cap_site');
    // Sites seen before still count against the day but not the total.
    expect(caps.admit(record({ site: 'a.com' }, T0 + DAY))).toBeNull();
    expect(caps.status()).toMatchObject({ sites_today: 2, sites_total: 3 });
  });

  it('leaves sites alone when ANALYTICS_SITES bounds them', () => {
    const caps = new GrowthCaps(SMALL, false);
    for (const site of ['a.com', 'b.com', 'c.com', 'd.com', 'e.com'])
      expect(caps.admit(record({ site }))).toBeNull();
  });

  it('drops actions and shares with a new name past the cap, per site and day', () => {
    const caps = new GrowthCaps(SMALL, true);
    expect(caps.admit(action('one'))).toBeNull();
    expect(caps.admit(record({ kind: 'share', name: 'whatsapp' }))).toBeNull();
    expect(caps.admit(action('three'))).toBe('cap_name');
    expect(caps.admit(record({ kind: 'share', name: 'telegram' }))).toBe('cap_name');
    expect(caps.admit(action('one'))).toBeNull();
    expect(caps.admit(action('three', {}, T0, 'b.com'))).toBeNull();
    expect(caps.admit(action('three', {}, T0 + DAY))).toBeNull();
  });

  it('strips prop keys past the per-name and per-site caps and keeps the action', () => {
    const caps = new GrowthCaps(SMALL, true);
    const first = action('buy', { a: 1, b: 2, c: 3 });
    expect(caps.admit(first)).toBeNull();
    expect(first.props).toEqual({ a: 1, b: 2 });
    const again = action('buy', { a: 5, b: 6 });
    expect(caps.admit(again)).toBeNull();
    expect(again.props).toEqual({ a: 5, b: 6 });
    // Another name: its own two keys, but the site holds only 3 distinct keys in all.
    const other = action('view', { a: 1, x: 1, y: 1 });
    expect(caps.admit(other)).toBeNull();
    expect(other.props).toEqual({ a: 1, x: 1 });
    expect(caps.status().replaced.prop_key).toBe(2);
  });

  it.each([
    ['path', { path: '/new' }],
    ['referrer', { referrer: 'https://new.example/x' }],
    ['source', { source: 'New Source' }],
    ['utm_campaign', { utm_campaign: 'new' }],
    ['link', { link: 'https://out.example/' }],
  ] as const)('stores a new %s past its cap as "(other)" and counts it', (field, value) => {
    const limits: CapLimits = { ...SMALL, paths: 1, referrers: 1, utm: 1, links: 1 };
    const caps = new GrowthCaps(limits, true);
    const known = record({ kind: 'action', name: 'n', path: '/', [field]: 'known' });
    expect(caps.admit(known)).toBeNull();
    const fresh = record({ kind: 'action', name: 'n', ...value });
    expect(caps.admit(fresh)).toBeNull();
    expect(fresh[field]).toBe(OTHER);
    expect(caps.status().replaced[field]).toBe(1);
    const repeat = record({ kind: 'action', name: 'n', path: '/', [field]: 'known' });
    caps.admit(repeat);
    expect(repeat[field]).toBe('known');
  });

  it('forgets the day at UTC midnight, by the record time', () => {
    const caps = new GrowthCaps(SMALL, true);
    const midnight = Date.UTC(2026, 11, 7);
    caps.admit(record({ path: '/a' }, midnight - 2));
    caps.admit(record({ path: '/b' }, midnight - 1));
    const late = record({ path: '/c' }, midnight - 1);
    caps.admit(late);
    expect(late.path).toBe(OTHER);
    const next = record({ path: '/c' }, midnight);
    caps.admit(next);
    expect(next.path).toBe('/c');
  });

  it('counts seeded records against the cap without replacing them, and ignores other days', () => {
    const caps = new GrowthCaps(SMALL, true);
    caps.roll(T0);
    caps.seed(action('old', { k: 1 }, T0 - DAY));
    caps.seed(action('one', { a: 1, b: 2 }));
    caps.seed(action('two', {}, T0, 'b.com'));
    caps.seed(record({ path: '/x' }));
    caps.seed(record({ path: '/y' }));
    caps.seedSite('c.com');
    expect(caps.status()).toMatchObject({ sites_today: 2, sites_total: 3 });
    expect(caps.admit(record({ site: 'd.com' }))).toBe('cap_site');
    expect(caps.admit(action('two'))).toBeNull();
    expect(caps.admit(action('old'))).toBe('cap_name');
    const keys = action('one', { a: 1, c: 1 });
    caps.admit(keys);
    expect(keys.props).toEqual({ a: 1 });
    const path = record({ path: '/z' });
    caps.admit(path);
    expect(path.path).toBe(OTHER);
  });

  it('has defaults generous for a real site', () => {
    expect(DEFAULT_CAP_LIMITS).toEqual({
      sitesPerDay: 100,
      sites: 1000,
      names: 1000,
      propKeysPerName: 50,
      propKeys: 200,
      paths: 50_000,
      referrers: 10_000,
      utm: 5000,
      links: 10_000,
    });
  });
});

describe('site names', () => {
  it.each([
    ['example.com', true],
    ['WWW.Example.COM', true],
    ['localhost', true],
    ['localhost:8080', true],
    ['127.0.0.1', true],
    ['xn--bcher-kva.example', true],
    ['[::1]', false],
    ['_under_score.com', false],
    ['a..b', false],
    ['.example.com', false],
    ['example.com.', false],
    ['', false],
    ['a'.repeat(254), false],
  ])('%j is a site name: %s', (site, ok) => {
    expect(isSiteName(site)).toBe(ok);
  });
});

describe('growth cap configuration', () => {
  it('reads each cap from its variable and names a bad one', () => {
    const config = loadConfig({ ANALYTICS_CAP_PATHS: '123', ANALYTICS_CAP_NAME_KEYS: '7' });
    expect(config.caps).toEqual({ ...DEFAULT_CAP_LIMITS, paths: 123, propKeysPerName: 7 });
    expect(() => loadConfig({ ANALYTICS_CAP_NAMES: '0' })).toThrow(
      /ANALYTICS_CAP_NAMES must be a whole number/,
    );
    expect(() => loadConfig({ ANALYTICS_CAP_SITES: 'lots' })).toThrow(/ANALYTICS_CAP_SITES must be/);
  });
});
