import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../../collector/config.ts';

describe('ANALYTICS_STORE and CLICKHOUSE_* configuration', () => {
  it('defaults to the JSON store', () => {
    expect(loadConfig({})).toMatchObject({ store: 'json', clickhouse: null });
  });

  it('reads the ClickHouse settings with their defaults', () => {
    expect(loadConfig({ ANALYTICS_STORE: 'clickhouse' }).clickhouse).toEqual({
      url: 'http://127.0.0.1:8123',
      database: 'cloudface',
      user: 'default',
      password: '',
      batchRows: 5000,
      flushMs: 1000,
      cluster: null,
    });
    const config = loadConfig({
      ANALYTICS_STORE: 'ClickHouse',
      CLICKHOUSE_URL: 'https://ch.internal:8443',
      CLICKHOUSE_DATABASE: 'analytics_2',
      CLICKHOUSE_USER: 'cfa',
      CLICKHOUSE_PASSWORD: 's3cret pass',
      CLICKHOUSE_BATCH_ROWS: '100',
      CLICKHOUSE_FLUSH_MS: '50',
    });
    expect(config.clickhouse).toEqual({
      url: 'https://ch.internal:8443',
      database: 'analytics_2',
      user: 'cfa',
      password: 's3cret pass',
      batchRows: 100,
      flushMs: 50,
      cluster: null,
    });
  });

  it('reads a cluster of shards: its remote_servers name and every node URL', () => {
    const config = loadConfig({
      ANALYTICS_STORE: 'clickhouse',
      CLICKHOUSE_CLUSTER: 'analytics',
      CLICKHOUSE_CLUSTER_URLS: ' http://ch-1:8123, http://ch-2:8123 ,',
    });
    expect(config.clickhouse?.cluster).toEqual({
      name: 'analytics',
      urls: ['http://ch-1:8123', 'http://ch-2:8123'],
    });
  });

  it.each([
    [{ ANALYTICS_STORE: 'postgres' }, /ANALYTICS_STORE/],
    [{ ANALYTICS_STORE: 'clickhouse', CLICKHOUSE_URL: 'ch:8123' }, /CLICKHOUSE_URL/],
    [{ ANALYTICS_STORE: 'clickhouse', CLICKHOUSE_DATABASE: 'x`; DROP' }, /CLICKHOUSE_DATABASE/],
    [{ ANALYTICS_STORE: 'clickhouse', CLICKHOUSE_BATCH_ROWS: '0' }, /CLICKHOUSE_BATCH_ROWS/],
    [{ ANALYTICS_STORE: 'clickhouse', CLICKHOUSE_FLUSH_MS: 'soon' }, /CLICKHOUSE_FLUSH_MS/],
    [{ ANALYTICS_STORE: 'clickhouse', CLICKHOUSE_CLUSTER: 'analytics' }, /CLICKHOUSE_CLUSTER_URLS/],
    [{ ANALYTICS_STORE: 'clickhouse', CLICKHOUSE_CLUSTER_URLS: 'http://a:8123' }, /CLICKHOUSE_CLUSTER\b/],
    [
      { ANALYTICS_STORE: 'clickhouse', CLICKHOUSE_CLUSTER: 'a b', CLICKHOUSE_CLUSTER_URLS: 'http://a:8123' },
      /CLICKHOUSE_CLUSTER must/,
    ],
    [
      {
        ANALYTICS_STORE: 'clickhouse',
        CLICKHOUSE_CLUSTER: 'c',
        CLICKHOUSE_CLUSTER_URLS: 'http://a:8123,b:9000',
      },
      /CLICKHOUSE_CLUSTER_URLS must/,
    ],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
