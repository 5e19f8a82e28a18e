import { describe, expect, it } from 'vitest';
import type { Filter } from '../../../../shared/api.ts';
import { SHARED_VISIT } from '../../../../query/compose/virality.ts';
import { entryAnswerable } from '../../../../query/clickhouse/shared-visits.ts';

// sessionsByEntry restricts the units to those holding a page view whose attributes pass the visit
// filter: exact only when the request's own filters read records alone and the visit filter reads
// attributes a session takes from its first page view.
describe('which shared-visit questions are answered without the wide session table', () => {
  it('virality without filters or with record filters', () => {
    expect(entryAnswerable({ filters: [] }, SHARED_VISIT)).toBe(true);
    const records: Filter[] = [
      ['is', 'country', ['DE']],
      ['not', ['contains', 'page', ['/admin']]],
    ];
    expect(entryAnswerable({ filters: records }, SHARED_VISIT)).toBe(true);
  });

  it('falls back under visitor filters (a plain IN subquery, denied inside a Distributed read)', () => {
    const visitor: Filter = ['visitor', ['is', 'event:kind', ['share']]];
    expect(entryAnswerable({ filters: [visitor] }, SHARED_VISIT)).toBe(false);
    expect(entryAnswerable({ filters: [['not', ['or', [visitor]]]] }, SHARED_VISIT)).toBe(false);
  });

  it('falls back when the request filters on a session attribute', () => {
    expect(entryAnswerable({ filters: [['is', 'channel', ['social']]] }, SHARED_VISIT)).toBe(false);
    expect(
      entryAnswerable(
        {
          filters: [
            [
              'or',
              [
                ['is', 'country', ['DE']],
                ['is', 'entry_page', ['/']],
              ],
            ],
          ],
        },
        SHARED_VISIT,
      ),
    ).toBe(false);
  });

  it('takes visit filters on first-page-view attributes only (not entry or exit page, not records)', () => {
    expect(entryAnswerable({ filters: [] }, ['not', ['is', 'utm_campaign', ['x']]])).toBe(true);
    expect(entryAnswerable({ filters: [] }, ['is', 'exit_page', ['/']])).toBe(false);
    expect(
      entryAnswerable({ filters: [] }, [
        'and',
        [
          ['is', 'source', ['x']],
          ['is', 'page', ['/']],
        ],
      ]),
    ).toBe(false);
  });
});
