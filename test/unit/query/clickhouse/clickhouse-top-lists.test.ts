import { describe, expect, it } from 'vitest';
import { raw } from '../../../../query/clickhouse/sql.ts';
import { splitKey, topListStatements } from '../../../../query/clickhouse/top-lists.ts';
import type { SessionKeys } from '../../../../query/clickhouse/session-tables.ts';
import { baseQuery } from '../../../../query/compose/query.ts';
import type { Dimension, Filter } from '../../../../shared/api.ts';

// The batched top lists' SQL shapes: which tables each case reads decides its cost (see
// query/clickhouse/top-lists.ts); the answers themselves are checked against the
// in-memory engine on a real server in test/e2e/clickhouse-parity*.test.ts.
const scope = { table: raw('`db`.`events`'), site: 'a.example', from: 1_000, to: 2_000 };
const keys: SessionKeys = { units: raw('`db`.`tmp_units`'), attributes: raw('`db`.`tmp_attrs`') };
const base = (filters: Filter[] = []) => ({ ...baseQuery('a.example', 1_000, 2_000), filters });

describe('topListStatements', () => {
  it('answers record dimensions in one arrayJoin over the events, without session tables', () => {
    const statements = topListStatements(scope, base(), ['country', 'browser', 'time:day'], null);
    expect(statements).toHaveLength(1);
    const text = statements[0]!.text;
    expect(text).toContain("concat('0:', toString(country))");
    expect(text).toContain("concat('1:', toString(browser))");
    expect(text).toContain("kind = 'pageview'");
    expect(text).toContain("site = 'a.example'");
    expect(text).not.toContain('tmp_');
  });

  it('reads only the session attributes for unfiltered session dimensions', () => {
    const dims: Dimension[] = ['country', 'entry_page', 'utm_campaign'];
    const [records, sessions] = topListStatements(scope, base(), dims, keys);
    expect(records!.text).not.toContain('tmp_');
    expect(sessions!.text).toContain('FROM `db`.`tmp_attrs`');
    expect(sessions!.text).not.toContain('tmp_units');
    expect(sessions!.text).toContain("concat('1:', s_entry)");
    expect(sessions!.text).toContain("concat('2:', s_utm_campaign)");
  });

  it('keys the page views with their sessions when a filter is about sessions', () => {
    const filters: Filter[] = [['is', 'channel', ['search']]];
    const [records, sessions] = topListStatements(scope, base(filters), ['device', 'exit_page'], keys);
    for (const s of [records!, sessions!]) {
      expect(s.text).toContain('ANY LEFT JOIN `db`.`tmp_units` USING (unit)');
      expect(s.text).toContain('`db`.`tmp_attrs` USING (sess)');
      expect(s.text).toContain("s_channel IN ('search')");
    }
  });

  it('keys only the page views for a record filter with session dimensions', () => {
    const filters: Filter[] = [['contains', 'page', ['blog']]];
    const [sessions] = topListStatements(scope, base(filters), ['source'], keys);
    expect(sessions!.text).toContain('tmp_units');
    expect(sessions!.text).toContain("position(lowerUTF8(toString(path)), 'blog') > 0");
    expect(sessions!.text).toContain('GROUP BY sess, v');
  });

  it('quotes hostile prop keys and filter values', () => {
    const filters: Filter[] = [['is', 'event:props:x', ["' OR 1=1 --"]]];
    const [statement] = topListStatements(scope, base(filters), ["event:props:it's"], null);
    expect(statement!.text).toContain("indexOf(prop_keys, 'it\\'s')");
    expect(statement!.text).toContain("IN ('\\' OR 1=1 --')");
  });

  it('asks nothing for no dimensions', () => {
    expect(topListStatements(scope, base(), [], null)).toEqual([]);
  });
});

describe('splitKey', () => {
  it.each([
    ['0:/pricing', 0, '/pricing'],
    ['12:', 12, ''],
    ['3:https://ref.example/a:b', 3, 'https://ref.example/a:b'],
  ])('%s', (key, index, value) => {
    expect(splitKey(key)).toEqual([index, value]);
  });
});
