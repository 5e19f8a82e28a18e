import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../collector/config.ts';
import {
  connectionCap,
  parseFdSoftLimit,
  RESERVED_FDS,
  serverOptions,
} from '../../../collector/server-limits.ts';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

describe('server limits', () => {
  it.each([
    [LIMITS, 1024],
    [LIMITS.replace('1024                 524288', 'unlimited            unlimited'), Infinity],
    ['', null],
  ])('reads the soft open-file limit from /proc/self/limits (%#)', (text, expected) => {
    expect(parseFdSoftLimit(text)).toBe(expected);
  });

  it.each([
    // configured, fd soft limit, cap
    [1000, 1024, 1024 - RESERVED_FDS],
    [1000, 20_000, 1000],
    [1000, null, 1000],
    [1000, Infinity, 1000],
    [1000, 100, 50],
  ])('caps %i connections at an fd limit of %s to %i', (configured, fds, cap) => {
    expect(connectionCap(configured, fds)).toBe(cap);
  });

  it('has defaults that close slow clients long before Node would (60 s headers checked every 30 s, 300 s requests)', () => {
    const { server } = loadConfig({});
    expect(server).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 20_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 1000,
    });
    expect(serverOptions(server)).toEqual({
      headersTimeout: 10_000,
      requestTimeout: 20_000,
      keepAliveTimeout: 5_000,
      connectionsCheckingInterval: 1000,
    });
  });

  it.each([
    [{ ANALYTICS_MAX_CONNECTIONS: '0' }, 'ANALYTICS_MAX_CONNECTIONS must be a whole number from 1'],
    [{ ANALYTICS_HEADERS_TIMEOUT_MS: 'soon' }, 'ANALYTICS_HEADERS_TIMEOUT_MS must be a whole number'],
    [
      { ANALYTICS_HEADERS_TIMEOUT_MS: '30000', ANALYTICS_REQUEST_TIMEOUT_MS: '20000' },
      'ANALYTICS_REQUEST_TIMEOUT_MS must be at least ANALYTICS_HEADERS_TIMEOUT_MS (30000), got "20000"',
    ],
  ])('refuses %o at start, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
