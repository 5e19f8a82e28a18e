import { describe, expect, it } from 'vitest';
import { forgetToken, judgeToken, markVerified, saveToken, takeToken } from '../../../dashboard/lib/auth.ts';
import { clearsApiCache, isPersonalApi } from '../../../dashboard/lib/sw-keys.ts';

/** sessionStorage's three methods over a Map. */
function storage() {
  const map = new Map<string, string>();
  return {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
}

describe('what the service worker keeps in Cache Storage', () => {
  it.each([
    ['/api/analytics/users', '', true],
    ['/api/analytics/user/alice%40example.com', '', true],
    ['/api/analytics/user/alice/export', '', true],
    ['/api/analytics/realtime', '', true],
    ['/api/analytics/query', '{"metrics":["events"],"dimensions":["user"]}', true],
    ['/api/analytics/query', '{"metrics":["events"],"filters":[["is","user",["alice"]]]}', true],
    ['/api/analytics/overall', '', false],
    ['/api/analytics/query', '{"metrics":["visitors"],"dimensions":["page"]}', false],
    ['/api/analytics/retention', '', false],
    ['/api/analytics/sites', '', false],
  ])('%s %s → personal: %s', (path, body, personal) => {
    expect(isPersonalApi(path, body)).toBe(personal);
  });

  it('is emptied by a refused token, not by other errors', () => {
    expect([200, 304, 400, 401, 403, 404, 429, 500, 503].filter(clearsApiCache)).toEqual([401, 403]);
  });
});

describe('judging the token check', () => {
  const live = { ok: true as const, cachedAt: null };
  const cached = { ok: true as const, cachedAt: 1_700_000_000_000 };
  const offline = { ok: false as const, status: 0 };

  it('opens on a live answer, refuses 401/403, reports a lockout', () => {
    const s = storage();
    expect(judgeToken(live, 't1', s)).toBe('open');
    expect(judgeToken({ ok: false, status: 401 }, 't1', s)).toBe('refused');
    expect(judgeToken({ ok: false, status: 403 }, 't1', s)).toBe('refused');
    expect(judgeToken({ ok: false, status: 429 }, 't1', s)).toBe('locked');
    expect(judgeToken({ ok: false, status: 500 }, 't1', s)).toBe('open');
  });

  it('never takes a cached or offline answer as proof of a token this tab has not seen accepted', () => {
    const s = storage();
    expect(judgeToken(cached, 'anything', s)).toBe('offline');
    expect(judgeToken(offline, 'anything', s)).toBe('offline');
    markVerified(s, 'real-token');
    expect(judgeToken(cached, 'real-token', s)).toBe('open');
    expect(judgeToken(offline, 'real-token', s)).toBe('open');
    expect(judgeToken(cached, 'another-token', s)).toBe('offline');
  });

  it('forgets that a token was accepted on logout or refusal, and a new token starts unproven', () => {
    const s = storage();
    markVerified(s, 'real-token');
    forgetToken(s);
    expect(judgeToken(cached, 'real-token', s)).toBe('offline');
    markVerified(s, 'real-token');
    saveToken(s, 'typed-token');
    expect(judgeToken(offline, 'typed-token', s)).toBe('offline');
    expect(takeToken({ hash: '#token=from-link', storage: s }).token).toBe('from-link');
    expect(judgeToken(cached, 'from-link', s)).toBe('offline');
  });
});
