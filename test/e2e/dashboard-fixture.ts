// Known events for the dashboard's browser tests, written straight into a data dir with the real
// JSON Lines store (as the collector would have stored them), relative to the real clock because
// the collector under test runs as a child process on system time.

import type { Browser } from 'playwright-core';
import { expect } from 'vitest';
import { JsonlStore } from '../../storage/jsonl-store.ts';
import { emptyRecord, type PropValue, type StoredRecord } from '../../storage/schema.ts';
import { tempDir } from '../support/helpers.ts';
import { startServer, type RunningServer } from '../support/server-process.ts';
import { launchChromium } from './chromium.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const SITE = 'cloudface.test';

interface Visit {
  /** how long before now the visit starts */
  ago: number;
  visitor: string;
  user?: string;
  country: string;
  region?: string;
  city?: string;
  browser: string;
  os: string;
  device: string;
  source?: string;
  channel?: string;
  referrer?: string;
  utm?: { source?: string; medium?: string; campaign?: string };
  pages: string[];
  actions?: { name: string; props?: Record<string, PropValue> }[];
  shares?: { channel: string; recipients: number }[];
}

/** One visit as records a minute apart: page views, their engagement, then actions and shares. */
function records(v: Visit, now: number): StoredRecord[] {
  const out: StoredRecord[] = [];
  let ts = now - v.ago;
  const base = (kind: StoredRecord['kind']) => {
    const r = emptyRecord(kind, ts, SITE);
    Object.assign(r, {
      visitor: v.visitor,
      user: v.user ?? '',
      country: v.country,
      region: v.region ?? '',
      city: v.city ?? '',
      browser: v.browser,
      os: v.os,
      device: v.device,
      source: v.source ?? '',
      channel: v.channel ?? 'direct',
      referrer: v.referrer ?? '',
      utm_source: v.utm?.source ?? '',
      utm_medium: v.utm?.medium ?? '',
      utm_campaign: v.utm?.campaign ?? '',
    });
    return r;
  };
  for (const path of v.pages) {
    out.push({ ...base('pageview'), path });
    ts += 30_000;
    out.push({ ...base('engagement'), path, engaged_ms: 25_000, scroll: 60 });
    ts += 30_000;
  }
  for (const a of v.actions ?? []) {
    out.push({ ...base('action'), path: v.pages.at(-1) ?? '/', name: a.name, props: a.props ?? {} });
    ts += 10_000;
  }
  for (const s of v.shares ?? []) {
    out.push({ ...base('share'), path: v.pages.at(-1) ?? '/', name: s.channel, recipients: s.recipients });
    ts += 10_000;
  }
  return out;
}

const chrome = { browser: 'Chrome', os: 'Windows', device: 'desktop' };
const iphone = { browser: 'Mobile Safari', os: 'iOS', device: 'mobile' };
const fr = { country: 'FR', region: 'Île-de-France', city: 'Paris' };
const de = { country: 'DE', region: 'Berlin', city: 'Berlin' };
const us = { country: 'US', region: 'California', city: 'San Francisco' };

/** Visits in the last day, and older ones so each of 24h / 7d / 30d / 90d shows other totals. */
export const VISITS: Visit[] = [
  {
    ago: 3 * HOUR,
    visitor: 'v1',
    user: 'alice',
    ...fr,
    ...chrome,
    source: 'Google',
    channel: 'search',
    referrer: 'https://www.google.com/',
    pages: ['/', '/app', '/pricing'],
    actions: [
      { name: 'photo_processed', props: { processed_count: 150, total_files: 200 } },
      { name: 'link_created' },
    ],
    shares: [{ channel: 'whatsapp', recipients: 5 }],
  },
  {
    ago: 2 * HOUR,
    visitor: 'v2',
    user: 'bob',
    ...de,
    ...iphone,
    source: 'whatsapp',
    channel: 'social',
    utm: { source: 'whatsapp', medium: 'share', campaign: 'launch' },
    pages: ['/s/abc123', '/app'],
    actions: [{ name: 'search_performed', props: { matches_found: 25 } }],
  },
  { ago: 90 * MIN, visitor: 'v3', ...fr, ...iphone, pages: ['/'] },
  {
    ago: 20 * MIN,
    visitor: 'v4',
    ...us,
    ...chrome,
    source: 'Hacker News',
    channel: 'social',
    pages: ['/', '/pricing'],
  },
  {
    ago: 3 * MIN,
    visitor: 'v5',
    ...fr,
    ...chrome,
    pages: ['/app'],
    actions: [{ name: 'photo_processed', props: { processed_count: 10 } }],
  },
  // 3 days ago: in 7d, 30d, 90d
  {
    ago: 3 * DAY,
    visitor: 'w1',
    user: 'alice',
    ...fr,
    ...chrome,
    pages: ['/', '/app'],
    actions: [{ name: 'photo_downloaded' }],
  },
  { ago: 3 * DAY + HOUR, visitor: 'w2', ...de, ...chrome, pages: ['/pricing'] },
  // 20 days ago: in 30d and 90d
  { ago: 20 * DAY, visitor: 'x1', ...us, ...iphone, pages: ['/', '/blog'] },
  { ago: 20 * DAY + HOUR, visitor: 'x2', ...us, ...chrome, pages: ['/blog'] },
  // 60 days ago: only in 90d
  { ago: 60 * DAY, visitor: 'y1', user: 'carol', ...de, ...chrome, pages: ['/', '/app', '/pricing'] },
];

/** The records `visits` stand for, oldest first, as the collector would have stored them. */
export function visitRecords(visits: readonly Visit[], now: number): StoredRecord[] {
  return visits.flatMap((v) => records(v, now)).sort((a, b) => a.ts - b.ts);
}

/** Writes `visits` into `dataDir` through the real store and closes it. */
export async function writeVisits(
  dataDir: string,
  visits: readonly Visit[],
  now = Date.now(),
): Promise<void> {
  const store = await JsonlStore.open({ dataDir, clock: () => now, compressEveryMs: 0 });
  await store.append(visitRecords(visits, now));
  await store.close();
}

export type { Visit };

/**
 * Resolves once the collector's query index has loaded the stored events, so the first page
 * load already sees all of them (the dashboard would otherwise show partial figures first).
 */
export async function indexReady(url: string): Promise<void> {
  for (;;) {
    const health = (await (await fetch(`${url}/healthz`)).json()) as { query_index?: { ready?: boolean } };
    if (health.query_index?.ready !== false) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A running dashboard test bed: the collector over known visits, and Chromium. */
export interface DashboardBed {
  server: RunningServer;
  browser: Browser;
  /** the collector's data dir */
  dir: string;
  /** a call with the admin token (POST when there is a body); any answer but 200 fails the test */
  api<T>(path: string, body?: unknown): Promise<T>;
  /** closes Chromium, stops the collector and removes the data dir */
  stop(): Promise<void>;
}

/**
 * The dashboard tests' common start: `visits` written into a fresh data dir, the real collector
 * over it with `env` (which names the admin token), its index loaded, and Chromium.
 */
export async function startDashboard(
  env: { ANALYTICS_ADMIN_TOKEN: string } & Record<string, string>,
  visits: readonly Visit[] = VISITS,
): Promise<DashboardBed> {
  const t = await tempDir();
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    await server?.stop();
    await t.cleanup();
  };
  try {
    await writeVisits(t.dir, visits);
    server = await startServer({ ANALYTICS_DATA_DIR: t.dir, ...env });
    await indexReady(server.url);
    browser = await launchChromium();
  } catch (error) {
    await stop();
    throw error;
  }
  const url = server.url;
  const api = async <T>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${env.ANALYTICS_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    expect(res.status, `${path} answered ${res.status}`).toBe(200);
    return (await res.json()) as T;
  };
  return { server, browser, dir: t.dir, api, stop };
}
