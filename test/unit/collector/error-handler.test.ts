import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../collector/config.ts';
import { createCollector } from '../../../server/collector.ts';
import { StoreUnavailableError, type EventStore } from '../../../storage/types.ts';
import { tempDir } from '../../support/helpers.ts';

const TOKEN = 'admin-token-0123456789abcdef';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanups.splice(0)) await c();
});

/** A store on a full disk: every write and rewrite refuses, with a message naming a file. */
const full: EventStore = {
  append: async () => {
    throw new StoreUnavailableError('ENOSPC: /data/events/2026-12-06/action.jsonl');
  },
  scan: async function* () {},
  health: () => ({ backend: 'test', written: 0, quarantinedLines: 0, lastWriteError: 'ENOSPC' }),
  eraseUser: async () => {
    throw new StoreUnavailableError('ENOSPC: /data/events/2026-12-06/pageview.jsonl.rewrite.tmp');
  },
  exportUser: async function* () {},
  purgeBefore: async () => 0,
  close: async () => undefined,
};

async function collectorOn(store: EventStore) {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const collector = await createCollector({
    config: loadConfig({
      ANALYTICS_DATA_DIR: dir,
      ANALYTICS_ADMIN_TOKEN: TOKEN,
      ANALYTICS_SITES: 'example.com',
    }),
    store,
  });
  cleanups.unshift(() => collector.close());
  await collector.queryReady;
  return collector;
}

const auth = { authorization: `Bearer ${TOKEN}` };

describe('the one error handler', () => {
  it('answers every route whose store is unavailable 503 + Retry-After, without the file names and without a 500 log', async () => {
    const collector = await collectorOn(full);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const answers = [
      await collector.app.request('/api/analytics/track', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: 'u1', action: 'signup' }),
      }),
      await collector.app.request('/api/analytics/user/u1', { method: 'DELETE', headers: auth }),
      await collector.app.request('/api/event', {
        method: 'POST',
        headers: {
          'content-type': 'text/plain',
          'user-agent':
            'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36',
        },
        body: JSON.stringify({ k: 'p', s: 'example.com', u: 'https://example.com/' }),
      }),
    ];
    for (const res of answers) {
      expect(res.status, res.url).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.json()).toEqual({ error: 'storage is unavailable, retry later' });
    }
    expect(errors).not.toHaveBeenCalled();
  });

  it('answers a body past the track limit 413 with the JSON reason, and a bad one 400', async () => {
    const collector = await collectorOn(full);
    const post = (body: string) =>
      collector.app.request('/api/analytics/track', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body,
      });
    const big = await post(JSON.stringify({ user_id: 'u1', action: 'x'.repeat(100_000) }));
    expect(big.status).toBe(413);
    expect((await big.json()).error).toMatch(/^body exceeds \d+ bytes$/);
    const bad = await post('{"user_id":');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'body is not valid JSON' });
  });
});
