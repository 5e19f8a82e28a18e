import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORD_FIELDS, parseRecordLine, serializeRecord } from '../../../storage/schema.ts';
import { CHROME_UA, testCollector } from '../../support/helpers.ts';
import { storedLines } from '../reliability-load.ts';

const TOKEN = 'admin-token-0123456789abcdef';
const RUNS = 200;
const PER_RUN = 50; // 10,000 bodies, sent 50 at a time so group commit batches the fsyncs
const SEED = 20261127;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let t: Awaited<ReturnType<typeof testCollector>>;
beforeAll(async () => {
  t = await testCollector({ ANALYTICS_ADMIN_TOKEN: TOKEN });
});
afterAll(async () => {
  await t.cleanup();
});

// ---- generators: hostile variations of the wire format (shared/wire.ts) ----

const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    '',
    ' ',
    '\u0000',
    '\u202e',
    '\ud800',
    '%00',
  ),
  fc.string({
    unit: fc.constantFrom('\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\n', '\r', '\t'),
    maxLength: 8,
  }),
);
const absurdNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -0, 5e-324, 2 ** 53, -1),
);
const anyScalar = fc.oneof(nasty, absurdNumber, fc.boolean(), fc.constant(null));
const url = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.constantFrom(
    'javascript:alert(1)',
    'https://example.com/\u0000',
    'http://',
    'https://[::1]/x',
    'data:,x',
  ),
  nasty,
);
const props = fc.dictionary(nasty, fc.oneof(anyScalar, fc.jsonValue({ maxDepth: 3 })), { maxKeys: 40 });
const wireEvent = fc.record(
  {
    k: fc.oneof(fc.constantFrom('p', 'e', 'a', 's'), nasty),
    s: fc.oneof(fc.constantFrom('example.com', 'EXAMPLE.com', 'a.b.c:8080'), fc.domain(), nasty),
    u: url,
    r: url,
    n: fc.oneof(fc.constantFrom('photo_processed', 'whatsapp'), nasty),
    p: fc.oneof(props, anyScalar),
    d: fc.oneof(absurdNumber, nasty),
    x: absurdNumber,
    i: fc.oneof(fc.constantFrom('user123', ''), nasty),
    l: url,
    c: absurdNumber,
    o: fc.oneof(fc.constantFrom(0, 1), absurdNumber),
    g: absurdNumber,
    h: fc.oneof(fc.constant(1), anyScalar),
    ts: absurdNumber,
    ip: fc.constant('6.6.6.6'),
    __proto__: fc.constant({ polluted: true }),
    constructor: fc.constant({ prototype: { polluted: true } }),
  },
  { requiredKeys: [] },
);
const validish = fc.record({
  k: fc.constantFrom('p', 'e', 'a', 's'),
  s: fc.constant('example.com'),
  u: fc.webUrl({ withQueryParameters: true }),
  n: fc.constantFrom('photo_processed', 'whatsapp', 'search'),
  p: fc.dictionary(
    fc.string({ minLength: 1, maxLength: 20 }),
    fc.oneof(fc.string(), fc.integer(), fc.boolean()),
    {
      maxKeys: 5,
    },
  ),
  i: fc.string({ maxLength: 30 }),
});

const text = fc.oneof(
  fc.json({ maxDepth: 4 }),
  wireEvent.map((e) => JSON.stringify(e)),
  fc.array(wireEvent, { maxLength: 40 }).map((a) => JSON.stringify(a)),
  fc.array(validish, { minLength: 1, maxLength: 25 }).map((a) => JSON.stringify(a)),
  validish.map((e) => JSON.stringify(e)),
  fc.integer({ min: 1, max: 100_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 1, max: 5_000 }).map((n) => '{"p":'.repeat(n) + '1' + '}'.repeat(n)),
  fc
    .integer({ min: 1, max: 30_000 })
    .map((n) => JSON.stringify({ k: 'p', s: 'example.com', u: 'https://example.com/' + 'x'.repeat(n) })),
  fc.constantFrom(
    '',
    'null',
    '[]',
    '{}',
    '1e999',
    '-1e999',
    'NaN',
    '{"k":"p"',
    '\ufeff{}',
    '[' + '{},'.repeat(5000) + '{}]',
  ),
  fc.string({ unit: 'binary', maxLength: 300 }),
);
const body = fc.oneof(
  { weight: 6, arbitrary: text },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 600 }) }, // invalid UTF-8 and raw bytes
  {
    weight: 1,
    arbitrary: fc.constant(new Uint8Array([0x7b, 0x22, 0x6b, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])),
  },
);
const contentType = fc.constantFrom(
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/json',
  'APPLICATION/JSON; charset=latin1',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  '',
  'text/html',
);
const request = fc.record({
  body,
  contentType,
  origin: fc.option(fc.oneof(fc.constantFrom('null', 'https://example.com'), nasty), { nil: undefined }),
  gpc: fc.boolean(),
});

const ALLOWED_INGEST = new Set([202, 204, 400, 403, 413, 415, 429]);

async function send(r: { body: string | Uint8Array; contentType: string; origin?: string; gpc: boolean }) {
  const headers: Record<string, string> = { 'user-agent': CHROME_UA, 'x-forwarded-for': '81.2.69.160' };
  if (r.contentType) headers['content-type'] = r.contentType;
  if (r.origin !== undefined && /^[\t\x20-\x7e]*$/.test(r.origin)) headers.origin = r.origin;
  if (r.gpc) headers['sec-gpc'] = '1';
  const res = await t.collector.app.request('/api/event', {
    method: 'POST',
    headers,
    body: typeof r.body === 'string' ? r.body : new Uint8Array(r.body),
  });
  const answer = await res.text();
  return { status: res.status, answer };
}

/** encodeURIComponent throws on lone surrogates; those become U+FFFD so the request can be sent. */
function enc(value: string): string {
  return encodeURIComponent(
    value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
  );
}

function heapMb(): number {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

describe('fuzzing the write endpoints', () => {
  it(`POST /api/event survives ${RUNS * PER_RUN} hostile bodies: no 5xx, flat memory, every stored line a valid record`, async () => {
    const statuses = new Map<number, number>();
    let sent = 0;
    let heapAfterWarmup = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: PER_RUN, maxLength: PER_RUN }), async (batch) => {
        const answers = await Promise.all(batch.map(send));
        for (const { status, answer } of answers) {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          expect(ALLOWED_INGEST.has(status), `status ${status}: ${answer.slice(0, 200)}`).toBe(true);
          if (answer) expect(() => JSON.parse(answer)).not.toThrow();
        }
        sent += batch.length;
        if (sent === 40 * PER_RUN) heapAfterWarmup = heapMb();
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    expect(sent).toBeGreaterThanOrEqual(10_000);
    const growth = heapMb() - heapAfterWarmup;
    console.log(
      `fuzz: ${sent} bodies, statuses ${JSON.stringify(Object.fromEntries(statuses))}, heap growth ${growth.toFixed(1)} MB`,
    );
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    expect(statuses.get(202) ?? 0).toBeGreaterThan(200); // the fuzzer reached storage, not only the validator
    // Memory stays flat: caches are bounded (UA LRU 2,000 entries), nothing accumulates per request.
    expect(growth).toBeLessThan(40);
    // No prototype was polluted by __proto__ / constructor keys.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);

    let records = 0;
    for (const { file, text, lines } of await storedLines(t.dir)) {
      expect(text.endsWith('\n'), file).toBe(true);
      for (const line of lines) {
        const record = parseRecordLine(line);
        expect(record, line).not.toBeNull();
        // Round trip: the line is exactly what the schema writes, so it holds no other key or type.
        expect(serializeRecord(record!)).toBe(line);
        expect(Object.keys(JSON.parse(line)).every((k) => k in RECORD_FIELDS)).toBe(true);
        for (const value of Object.values(record!.props))
          expect(['string', 'number', 'boolean']).toContain(typeof value);
        expect(Object.hasOwn(record!.props, '__proto__')).toBe(false);
        records += 1;
      }
    }
    expect(records).toBeGreaterThan(200);
  }, 180_000);

  it('DELETE /api/analytics/user/{id} and its export survive 300 hostile ids each', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    await fc.assert(
      fc.asyncProperty(fc.oneof(nasty, fc.string({ unit: 'binary', maxLength: 400 })), async (id) => {
        const path = `/api/analytics/user/${enc(id)}`;
        for (const [method, url] of [
          ['GET', `${path}/export`],
          ['DELETE', path],
        ] as const) {
          const res = await t.collector.app.request(url, { method, headers: auth });
          const answer = await res.text();
          expect([200, 400, 404], `${method} ${JSON.stringify(id)}: ${res.status}`).toContain(res.status);
          expect(() => JSON.parse(answer)).not.toThrow();
        }
      }),
      { numRuns: 300, seed: SEED },
    );
  }, 120_000);
});

// Server-side tracking (the seed's track / track-share) and the POST query endpoints, with the
// seed's field names: hostile values, unknown keys and generic garbage.
const trackBody = fc.record(
  {
    site: fc.oneof(fc.constant('example.com'), fc.domain(), nasty),
    session_id: fc.oneof(fc.constantFrom('s1', 's2'), nasty, absurdNumber),
    user_id: fc.oneof(fc.constantFrom('user123', 'user456'), nasty, absurdNumber),
    action: fc.oneof(fc.constantFrom('photo_processed', 'search_performed'), nasty),
    platform: fc.oneof(fc.constantFrom('whatsapp', 'email', 'qr'), nasty),
    data: fc.oneof(
      props,
      anyScalar,
      validish.map((e) => e.p),
    ),
    recipient_count: fc.oneof(fc.integer({ min: 0, max: 10 }), absurdNumber, nasty),
    path: fc.oneof(fc.constantFrom('/', '/photos'), nasty),
  },
  { requiredKeys: [] },
);
// Bodies the seed's own calls would send (an action, or a share), so storage is reached too.
const wellFormedTrack = fc.oneof(
  fc.record({
    site: fc.constant('example.com'),
    user_id: fc.string({ minLength: 1, maxLength: 30 }),
    action: fc.constantFrom('photo_processed', 'search_performed'),
    data: validish.map((e) => e.p),
  }),
  fc.record({
    site: fc.constant('example.com'),
    session_id: fc.string({ minLength: 1, maxLength: 30 }),
    platform: fc.constantFrom('whatsapp', 'email', 'qr'),
    data: validish.map((e) => e.p),
    recipient_count: fc.integer({ min: 0, max: 10 }),
  }),
);
const queryBody = fc.record(
  {
    site: fc.oneof(fc.constant('example.com'), nasty),
    metrics: fc.array(fc.oneof(fc.constantFrom('visitors', 'pageviews', 'bounce_rate'), nasty), {
      maxLength: 5,
    }),
    dimensions: fc.array(fc.oneof(fc.constantFrom('path', 'country', 'entry_page'), nasty), { maxLength: 5 }),
    filters: fc.oneof(
      props,
      fc.array(fc.oneof(anyScalar, fc.array(anyScalar, { maxLength: 4 })), { maxLength: 5 }),
    ),
    steps: fc.array(fc.oneof(nasty, props), { maxLength: 30 }),
    date_range: fc.oneof(nasty, fc.constantFrom('7d', '30d', 'all'), fc.array(nasty, { maxLength: 3 })),
    limit: absurdNumber,
    __proto__: fc.constant({ polluted: true }),
  },
  { requiredKeys: [] },
);
const serverBody = fc.oneof(
  { weight: 2, arbitrary: trackBody.map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: wellFormedTrack.map((b) => JSON.stringify(b)) },
  { weight: 2, arbitrary: queryBody.map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: text },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) },
);
const SERVER_WRITES = ['/api/analytics/track', '/api/analytics/track-share'];
const SERVER_POSTS = [...SERVER_WRITES, '/api/analytics/query', '/api/analytics/funnel'];

describe('fuzzing the server-side write and query endpoints', () => {
  it(`answers ${SERVER_POSTS.length * 750} hostile POST bodies without a 5xx, storing only valid records`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...SERVER_POSTS), serverBody, contentType), {
          minLength: PER_RUN,
          maxLength: PER_RUN,
        }),
        async (batch) => {
          const answers = await Promise.all(
            batch.map(async ([path, b, type]) => {
              const res = await t.collector.app.request(path, {
                method: 'POST',
                headers: { authorization: `Bearer ${TOKEN}`, ...(type ? { 'content-type': type } : {}) },
                body: typeof b === 'string' ? b : new Uint8Array(b),
              });
              return { path, status: res.status, answer: await res.text() };
            }),
          );
          for (const { path, status, answer } of answers) {
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            expect(status, `${path}: ${answer.slice(0, 200)}`).toBeLessThan(500);
            expect(status).not.toBe(401);
          }
        },
      ),
      { numRuns: (SERVER_POSTS.length * 750) / PER_RUN, seed: SEED },
    );
    console.log(`fuzz: server-side statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    // Tracking reached storage once mounted (a 404 everywhere means the routes are not mounted).
    if (!statuses.has(404)) expect(statuses.get(202) ?? 0).toBeGreaterThan(50);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    for (const { lines } of await storedLines(t.dir)) {
      for (const line of lines) expect(serializeRecord(parseRecordLine(line)!)).toBe(line);
    }
  }, 180_000);
});

// The query API's routes are mounted by the query engine; every one of these paths must answer
// hostile parameters without a 5xx (a 404 while a route does not exist yet is fine).
const QUERY_PATHS = [
  '/api/analytics/overall',
  '/api/analytics/users',
  '/api/analytics/realtime',
  '/api/analytics/user/user123',
  '/api/analytics/funnel',
  '/api/analytics/retention',
  '/api/analytics/journeys',
  '/api/analytics/virality',
];
const PARAM_NAMES = [
  'date_range',
  'steps',
  'window',
  'user_id',
  'days',
  'from',
  'to',
  'site',
  'period',
  'interval',
  'metric',
  'metrics',
  'dimension',
  'by',
  'filter',
  'filters',
  'limit',
  'offset',
  'page',
  'sort',
  'order',
  'tz',
  'compare',
  'kind',
  'name',
  'path',
  'q',
];
// Sent without encoding: broken percent escapes and an escaped invalid UTF-8 sequence.
const raw = ['%', '%zz', '%ff%fe', '%00', '%ED%A0%80', '%E0%80%AF'];
const paramValue = fc.oneof(
  nasty,
  absurdNumber.map(String),
  fc.constantFrom(
    '30',
    '-1',
    '0',
    '1e9',
    '99999999999999999999',
    '2026-11-27',
    '2026-13-45',
    'today',
    '7d',
    'x'.repeat(5000),
  ),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.constantFrom(...raw),
);

describe('fuzzing the query parameters', () => {
  it(`answers ${QUERY_PATHS.length * 100} hostile query strings without a 5xx`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...QUERY_PATHS),
        fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PARAM_NAMES), nasty), paramValue), { maxLength: 8 }),
        async (path, params) => {
          const query = params
            .map(([k, v]) => (raw.includes(v) ? `${enc(k)}=${v}` : `${enc(k)}=${enc(v)}`))
            .join('&');
          const res = await t.collector.app.request(`${path}?${query}`, {
            headers: { authorization: `Bearer ${TOKEN}` },
          });
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect(res.status, `${path}?${query.slice(0, 300)}`).toBeLessThan(500);
        },
      ),
      { numRuns: QUERY_PATHS.length * 100, seed: SEED },
    );
    console.log(`fuzz: query statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  }, 120_000);
});
