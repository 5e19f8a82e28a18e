import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pick } from '../../../collector/compress.ts';
import type { Collector } from '../../../server/collector.ts';
import { csvLines } from '../../../query/csv.ts';
import type { NormalizedQuery } from '../../../shared/api.ts';
import { collectorOver, fixedClock } from '../../support/helpers.ts';
import { combinationRecords, NOW } from '../../support/query/combinations.ts';

const TOKEN = 'query-api-lists-token-0123456789';
let collector: Collector;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ collector, cleanup } = await collectorOver(
    combinationRecords(),
    {
      ANALYTICS_ADMIN_TOKEN: TOKEN,
      ANALYTICS_SITES: 'c.test,a.test',
      ANALYTICS_CARDS_SITES: 'a.test',
    },
    fixedClock(NOW),
  ));
});
afterAll(async () => {
  await cleanup?.();
});

const auth = { authorization: `Bearer ${TOKEN}` };
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  collector.app.request(path, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

const BREAKDOWN = { date_range: 'all', metrics: ['pageviews', 'visitors'], dimensions: ['page', 'time:day'] };

describe('whole lists', () => {
  it('pages through every row with limit/offset and says how many there are', async () => {
    const first = await (await post('/api/analytics/query', { ...BREAKDOWN, limit: 50 })).json();
    expect(first.results).toHaveLength(50);
    expect(first.total_rows).toBeGreaterThan(300);
    const pages = [];
    for (let offset = 0; offset < first.total_rows; offset += 100)
      pages.push(
        ...(await (await post('/api/analytics/query', { ...BREAKDOWN, limit: 100, offset })).json()).results,
      );
    expect(pages).toHaveLength(first.total_rows);
    expect(new Set(pages.map((r: { dimensions: string[] }) => r.dimensions.join(' '))).size).toBe(
      first.total_rows,
    );
  });

  it('exports every row as CSV with format=csv, whatever the JSON page size', async () => {
    const json = await (await post('/api/analytics/query', { ...BREAKDOWN, limit: 10 })).json();
    const res = await post('/api/analytics/query?format=csv', BREAKDOWN);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="query-page-time_day\.csv"/);
    expect(res.headers.get('x-total-rows')).toBe(String(json.total_rows));
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('page,time:day,pageviews,visitors');
    expect(lines).toHaveLength(json.total_rows + 1);
    // Same order as the JSON answer.
    const top = json.results[0];
    expect(lines[1]).toBe([...top.dimensions, ...top.metrics].join(','));
    expect((await post('/api/analytics/query?format=xml', BREAKDOWN)).status).toBe(400);
  });

  it('keeps spreadsheet formulas out of CSV cells and quotes separators', () => {
    const q = { dimensions: ['page'], metrics: ['visitors'] } as unknown as NormalizedQuery;
    const text = [
      ...csvLines({
        query: q,
        total_rows: 3,
        results: [
          { dimensions: ['=HYPERLINK("x")'], metrics: [1] },
          { dimensions: ['/a,b'], metrics: [2] },
          { dimensions: ['-5'], metrics: [-3] },
        ],
      }),
    ].join('');
    expect(text).toBe('page,visitors\r\n"\'=HYPERLINK(""x"")",1\r\n"/a,b",2\r\n-5,-3\r\n');
  });
});

const CARD_IDS = [
  'photos_processed',
  'links_created',
  'photos_downloaded',
  'total_shares',
  'search_success_rate',
];

describe('site list', () => {
  it('lists ANALYTICS_SITES first, then the other sites found in the data, with what belongs to each', async () => {
    const res = await collector.app.request('/api/analytics/sites', { headers: auth });
    expect(await res.json()).toEqual({
      sites: ['c.test', 'a.test', 'b.test'],
      configured: ['c.test', 'a.test'],
      seen: ['a.test', 'b.test'],
      applies: {
        'c.test': { cards: [], default_funnel: false },
        'a.test': { cards: CARD_IDS, default_funnel: true },
        'b.test': { cards: [], default_funnel: false },
      },
    });
  });
});

describe('cards and the default funnel per site', () => {
  it('shows the shipped cards on their site and in the all-sites view only', async () => {
    const ids = async (query: string) =>
      (
        (
          await (
            await collector.app.request(`/api/analytics/overall?days=7${query}`, { headers: auth })
          ).json()
        ).metrics as { id: string }[]
      ).map((m) => m.id);
    expect(await ids('')).toEqual(CARD_IDS);
    expect(await ids('&site=a.test')).toEqual(CARD_IDS);
    expect(await ids('&site=b.test')).toEqual([]);
  });

  it('answers a funnel without steps on another site 400, naming the site', async () => {
    expect((await post('/api/analytics/funnel', { site: 'a.test', date_range: '7d' })).status).toBe(200);
    const res = await post('/api/analytics/funnel', { site: 'b.test', date_range: '7d' });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/default funnel does not belong to site b\.test/);
    const steps = [
      { type: 'page', value: '*' },
      { type: 'action', value: 'photo_processed' },
    ];
    expect((await post('/api/analytics/funnel', { site: 'b.test', date_range: '7d', steps })).status).toBe(
      200,
    );
  });
});

describe('compression', () => {
  it('sends JSON over 1 KB as brotli or gzip by Accept-Encoding, and the same JSON comes out', async () => {
    const path = '/api/analytics/overall?days=30&limit=100';
    const plain = await collector.app.request(path, { headers: auth });
    expect(plain.headers.get('content-encoding')).toBeNull();
    const text = await plain.text();
    expect(text.length).toBeGreaterThan(1024);
    const br = await collector.app.request(path, {
      headers: { ...auth, 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toMatch(/accept-encoding/i);
    const brBytes = Buffer.from(await br.arrayBuffer());
    expect(brBytes.length).toBeLessThan(text.length / 3);
    expect(brotliDecompressSync(brBytes).toString()).toBe(text);
    const gz = await collector.app.request(path, { headers: { ...auth, 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString()).toBe(text);
  });

  it('leaves small answers and the ingest endpoint alone', async () => {
    const small = await collector.app.request('/api/analytics/sites', {
      headers: { ...auth, 'accept-encoding': 'br, gzip' },
    });
    expect(small.headers.get('content-encoding')).toBeNull();
    const ingest = await collector.app.request('/api/event', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'accept-encoding': 'br, gzip', origin: 'https://a.test' },
      body: JSON.stringify({ n: 'pageview', u: 'https://a.test/', d: 'a.test' }),
    });
    expect(ingest.status).toBeLessThan(500);
    expect(ingest.headers.get('content-encoding')).toBeNull();
  });

  it('compresses the dashboard script once and serves it with a weak ETag', async () => {
    const plain = await collector.app.request('/admin/analytics/main.js');
    const size = (await plain.arrayBuffer()).byteLength;
    const etag = plain.headers.get('etag')!;
    for (let k = 0; k < 2; k++) {
      const br = await collector.app.request('/admin/analytics/main.js', {
        headers: { 'accept-encoding': 'br' },
      });
      expect(br.headers.get('content-encoding')).toBe('br');
      expect(br.headers.get('etag')).toBe(`W/${etag}`);
      const bytes = Buffer.from(await br.arrayBuffer());
      expect(Number(br.headers.get('content-length'))).toBe(bytes.length);
      expect(brotliDecompressSync(bytes).length).toBe(size);
    }
  });

  it('streams a CSV download through gzip', async () => {
    const res = await post('/api/analytics/query?format=csv', BREAKDOWN, { 'accept-encoding': 'gzip' });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    const text = gunzipSync(Buffer.from(await res.arrayBuffer())).toString();
    expect(text.split('\r\n').length - 2).toBe(Number(res.headers.get('x-total-rows')));
  });

  it.each([
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0.5, gzip;q=0.8', 'gzip'],
    ['*', 'br'],
    ['identity', null],
    ['', null],
  ])('Accept-Encoding %j picks %s', (header, want) => {
    expect(pick(header)).toBe(want);
  });
});
