import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../collector/config.ts';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toMatchObject({
      port: 8550,
      dataDir: '/srv/app/data',
      adminToken: null,
      sites: [],
      trustProxy: false,
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
      trustProxy: true,
      retentionDays: 400,
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be a whole number from 0 to 65535, got "eighty"'],
    [{ PORT: '70000' }, 'PORT must be a whole number'],
    [{ ANALYTICS_TRUST_PROXY: 'maybe' }, 'ANALYTICS_TRUST_PROXY must be 1 or 0'],
    [
      { ANALYTICS_SITES: 'ok.com,bad site' },
      'ANALYTICS_SITES must be comma-separated domain names, got "bad site"',
    ],
    [{ ANALYTICS_ADMIN_TOKEN: 'short' }, 'ANALYTICS_ADMIN_TOKEN must be at least 16 characters'],
    [{ ANALYTICS_RETENTION_DAYS: '0' }, 'ANALYTICS_RETENTION_DAYS must be a whole number from 1'],
  ])('fails on %o naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never echoes a bad admin token', () => {
    expect(() => loadConfig({ ANALYTICS_ADMIN_TOKEN: 'secret1' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret1') }),
    );
  });
});
