import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../collector/config.ts';
import { createCollector } from '../../server/collector.ts';
import { emptyRecord } from '../../storage/schema.ts';
import type { EventStore } from '../../storage/types.ts';
import { tempDir } from '../support/helpers.ts';

const TOKEN = 'admin-token-0123456789abcdef';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanups.splice(0)) await c();
});

/** A store whose erasure fails the way an unexpected disk error does. */
const failing: EventStore = {
  append: async () => undefined,
  scan: async function* () {},
  health: () => ({ backend: 'test', written: 0, quarantinedLines: 0, lastWriteError: null }),
  eraseUser: async () => {
    throw new Error('unexpected failure');
  },
  exportUser: async function* () {
    yield emptyRecord('pageview', 0, 'example.com');
  },
  purgeBefore: async () => 0,
  close: async () => undefined,
};

describe('the 500 log line', () => {
  it('names the route pattern, never the user id in the path', async () => {
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const collector = await createCollector({
      config: loadConfig({ ANALYTICS_DATA_DIR: dir, ANALYTICS_ADMIN_TOKEN: TOKEN }),
      store: failing,
    });
    cleanups.unshift(() => collector.close());
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const user = 'alice@example.com';
    const res = await collector.app.request(`/api/analytics/user/${encodeURIComponent(user)}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(500);
    const logged = errors.mock.calls.map((call) => call.join(' ')).join('\n');
    expect(logged).toContain('DELETE /api/analytics/user/:user_id failed');
    expect(logged).not.toContain('alice');
  });
});
