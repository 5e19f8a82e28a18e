/**
 * The queries the benchmark times, through the real HTTP API: the seed's endpoints at the four
 * dashboard ranges, three general queries with filters, the default funnel and retention.
 */
export interface QueryCase {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

export function querySet(userId: string): QueryCase[] {
  const get = (name: string, path: string): QueryCase => ({ name, method: 'GET', path });
  const post = (name: string, path: string, body: unknown): QueryCase => ({
    name,
    method: 'POST',
    path,
    body,
  });
  return [
    get('overall 24h', '/api/analytics/overall?days=1'),
    get('overall 7d', '/api/analytics/overall?days=7'),
    get('overall 30d', '/api/analytics/overall?days=30'),
    get('overall 90d', '/api/analytics/overall?days=90'),
    get(
      'overall 30d, country US',
      `/api/analytics/overall?days=30&filters=${encodeURIComponent('[["is","country",["US"]]]')}`,
    ),
    get('overall 30d, one site', '/api/analytics/overall?days=30&site=cloudface-ai.com'),
    get('users 30d', '/api/analytics/users?days=30'),
    get('user/{id} 30d', `/api/analytics/user/${encodeURIComponent(userId)}?days=30`),
    get('user/{id} 90d', `/api/analytics/user/${encodeURIComponent(userId)}?days=90`),
    get('realtime', '/api/analytics/realtime'),
    post('query: pages of mobile visits 30d', '/api/analytics/query', {
      metrics: ['visitors', 'pageviews', 'bounce_rate', 'time_on_page'],
      dimensions: ['page'],
      filters: [['is', 'device', ['mobile']]],
      date_range: '30d',
    }),
    post('query: country × channel, not direct 30d', '/api/analytics/query', {
      metrics: ['visitors', 'sessions', 'session_duration'],
      dimensions: ['country', 'channel'],
      filters: [['is_not', 'channel', ['direct']]],
      date_range: '30d',
    }),
    post('query: country × channel, not direct 90d', '/api/analytics/query', {
      metrics: ['visitors', 'sessions', 'session_duration'],
      dimensions: ['country', 'channel'],
      filters: [['is_not', 'channel', ['direct']]],
      date_range: '90d',
    }),
    post('query: photos processed per day, US 30d', '/api/analytics/query', {
      metrics: ['actions', 'prop_sum:processed_count'],
      dimensions: ['time:day'],
      filters: [
        ['is', 'event:name', ['photo_processed']],
        ['is', 'country', ['US']],
      ],
      date_range: '30d',
    }),
    post('funnel (default) 30d', '/api/analytics/funnel', { date_range: '30d' }),
    get('retention 30d', '/api/analytics/retention?date_range=30d'),
    get('retention 90d', '/api/analytics/retention?date_range=90d'),
    get('journeys 30d', '/api/analytics/journeys?date_range=30d'),
    get('virality 30d', '/api/analytics/virality?days=30'),
    get(
      'properties of photo_processed 30d',
      '/api/analytics/properties?action=photo_processed&date_range=30d',
    ),
  ];
}
