import { describe, expect, it } from 'vitest';
import { forgetSession, recalledSession, rememberSession } from '../../../dashboard/lib/auth.ts';
import { readSession } from '../../../dashboard/lib/session.ts';
import { clearsApiCache, isPersonalApi } from '../../../dashboard/lib/sw-keys.ts';

/** Storage's three methods over a Map. */
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

describe('the note of who signed in, for a tab opened offline', () => {
  const owner = readSession({
    kind: 'account',
    user: { name: 'olga' },
    roles: { '*': 'owner' },
    csrf: 'c-1',
  })!;

  it('keeps who and their roles, never the CSRF token, and forgets them on sign-out', () => {
    const s = storage();
    expect(recalledSession(s)).toBeNull();
    rememberSession(s, owner);
    expect(recalledSession(s)).toEqual({ ...owner, csrf: '' });
    forgetSession(s);
    expect(recalledSession(s)).toBeNull();
  });

  it('notes no public link (its visitors get no offline copy) and shrugs off a garbled note', () => {
    const s = storage();
    rememberSession(
      s,
      readSession({ kind: 'link', site: 'a.test', roles: { 'a.test': 'viewer' }, csrf: 'x' })!,
    );
    expect(recalledSession(s)).toBeNull();
    s.setItem('cfa-signed-in', '{not json');
    expect(recalledSession(s)).toBeNull();
    s.setItem('cfa-signed-in', JSON.stringify({ kind: 'root', roles: { '*': 'god' } }));
    expect(recalledSession(s)).toBeNull();
  });
});
