import { describe, expect, it } from 'vitest';
import { expandShortForms } from '../../../collector/pipeline/short-forms.ts';
import { parseEventBody } from '../../../collector/pipeline/validate.ts';

const U = 'https://example.com/next?utm_source=x';

describe('expandShortForms (beacons since 2026-12-06)', () => {
  it.each([
    [
      'a body led by the clock: each g becomes the age',
      [5_000, { k: 'p', u: U, g: 5_000 }, { k: 'a', u: U, n: 'x', g: 1_000 }],
      [
        { k: 'p', u: U, g: 0 },
        { k: 'a', u: U, n: 'x', g: 4_000 },
      ],
    ],
    [
      "an engagement's path on u's origin (u is already the next page)",
      [9, { k: 'e', u: U, v: '/photos#album', d: 5, g: 9 }],
      [{ k: 'e', u: 'https://example.com/photos#album', d: 5, g: 0 }],
    ],
    [
      'a share with an outcome and no name: native',
      [9, { k: 's', u: U, l: 'https://example.com/s/1', o: 0, g: 9 }],
      [{ k: 's', u: U, n: 'native', l: 'https://example.com/s/1', o: 0, g: 0 }],
    ],
    [
      "an older beacon's batch (ages, full URLs, named shares) unchanged",
      [
        { k: 'e', u: 'https://example.com/a', d: 5, g: 300 },
        { k: 's', u: U, n: 'native', o: 1, g: 300 },
      ],
      [
        { k: 'e', u: 'https://example.com/a', d: 5, g: 300 },
        { k: 's', u: U, n: 'native', o: 1, g: 300 },
      ],
    ],
    ['one event', { k: 'p', u: U }, [{ k: 'p', u: U }]],
    [
      'a named share with an outcome keeps its name',
      { k: 's', u: U, n: 'x', o: 1 },
      [{ k: 's', u: U, n: 'x', o: 1 }],
    ],
    ['a float first is no clock', [1.5, { k: 'p', u: U }], [1.5, { k: 'p', u: U }]],
    ['not an object', 'x', ['x']],
  ])('%s', (_name, raw, expected) => {
    expect(expandShortForms(raw)).toEqual(expected);
  });

  it.each([
    ['a path that is no path (it could change the host)', [1, { k: 'e', u: U, v: '.evil.org/', d: 5 }], 'v:'],
    ['an event timed after the clock', [1_000, { k: 'p', u: U, g: 1_001 }], 'g:'],
    ['a clock alone', [1_000], 'empty batch'],
    [
      'a clock and 26 events',
      [1, ...Array(26).fill({ k: 'p', u: U, g: 1 })],
      'batch of 26 events exceeds 25',
    ],
  ])('lets the validator refuse %s', (_name, raw, message) => {
    const result = parseEventBody(JSON.stringify(raw));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });

  it('a clock and 25 events is a full batch', () => {
    const result = parseEventBody(JSON.stringify([1, ...Array(25).fill({ k: 'p', u: U, g: 1 })]));
    expect(result.ok && result.events.length).toBe(25);
  });
});
