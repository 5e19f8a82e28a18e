import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../collector/config.ts';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toMatchObject({
      port: 8550,
      dataDir: '/srv/app/data',
      adminToken: null,
      sites: [],
      trustProxy: null,
      clientIpHeader: 'x-forwarded-for',
      honorGpc: true,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        PORT: '9000',
        ANALYTICS_DATA_DIR: '/var/lib/cfa',
        ANALYTICS_ADMIN_TOKEN: 'a'.repeat(20),
        ANALYTICS_SITES: 'Example.com, shop.example.com',
        ANALYTICS_TRUST_PROXY: '1',
        ANALYTICS_RETENTION_DAYS: '400',
      },
      '/',
    );
    expect(config).toMatchObject({
      port: 9000,
      dataDir: '/var/lib/cfa',
      adminToken: 'a'.repeat(20),
      sites: ['example.com', 'shop.example.com'],
      trustProxy: { hops: 1 },
      retentionDays: 400,
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be a whole number from 0 to 65535, got "eighty"'],
    [{ PORT: '70000' }, 'PORT must be a whole number'],
    [
      { ANALYTICS_TRUST_PROXY: 'maybe' },
      'ANALYTICS_TRUST_PROXY must be a number of proxy hops (1-32) or a comma list of proxy addresses/CIDRs ("maybe" is not an address), got "maybe"',
    ],
    [{ ANALYTICS_TRUST_PROXY: '99' }, 'ANALYTICS_TRUST_PROXY must be a number of proxy hops (1-32)'],
    [{ ANALYTICS_TRUST_PROXY: '10.0.0.0/33' }, '("10.0.0.0/33" has a bad prefix length), got "10.0.0.0/33"'],
    [{ ANALYTICS_TRUST_PROXY: '::1/129' }, '"::1/129" has a bad prefix length'],
    [{ ANALYTICS_TRUST_PROXY: '10.0.0.1/8/1' }, '"10.0.0.1/8/1" is not an address'],
    [{ ANALYTICS_TRUST_PROXY: ',' }, 'empty list'],
    [
      { ANALYTICS_CLIENT_IP_HEADER: 'x-real-ip' },
      'ANALYTICS_CLIENT_IP_HEADER=x-real-ip needs ANALYTICS_TRUST_PROXY',
    ],
    [
      { ANALYTICS_TRUST_PROXY: '1', ANALYTICS_CLIENT_IP_HEADER: 'x real ip' },
      'ANALYTICS_CLIENT_IP_HEADER must be a header name such as x-real-ip, got "x real ip"',
    ],
    [
      { ANALYTICS_SITES: 'ok.com,bad site' },
      'ANALYTICS_SITES must be comma-separated domain names, got "bad site"',
    ],
    [{ ANALYTICS_ADMIN_TOKEN: 'short' }, 'ANALYTICS_ADMIN_TOKEN must be at least 16 characters'],
    [{ ANALYTICS_RETENTION_DAYS: '0' }, 'ANALYTICS_RETENTION_DAYS must be a whole number from 1'],
  ])('fails on %o naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it.each([
    ['0', null],
    ['off', null],
    ['true', { hops: 1 }],
    ['1', { hops: 1 }],
    ['2', { hops: 2 }],
    ['127.0.0.1', { proxies: ['127.0.0.1'] }],
    ['10.0.0.0/8, 2001:DB8::/32', { proxies: ['10.0.0.0/8', '2001:db8::/32'] }],
    ['loopback', { proxies: ['127.0.0.0/8', '::1/128'] }],
  ])('reads ANALYTICS_TRUST_PROXY=%s', (value, expected) => {
    expect(loadConfig({ ANALYTICS_TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it('reads ANALYTICS_CLIENT_IP_HEADER', () => {
    const config = loadConfig({ ANALYTICS_TRUST_PROXY: '1', ANALYTICS_CLIENT_IP_HEADER: 'X-Real-IP' });
    expect(config.clientIpHeader).toBe('x-real-ip');
  });

  it('never echoes a bad admin token', () => {
    expect(() => loadConfig({ ANALYTICS_ADMIN_TOKEN: 'secret1' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret1') }),
    );
  });
});
