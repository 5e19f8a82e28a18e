import { describe, expect, it } from 'vitest';
import { parseEventBody } from '../../../collector/pipeline/validate.ts';

const page = { k: 'p', s: 'example.com', u: 'https://example.com/a' };

describe('parseEventBody', () => {
  it.each([
    ['one page view', page, 1],
    ['a batch', [page, { ...page, k: 'e', d: 1200, x: 55 }], 2],
    [
      'an action with scalar props',
      { ...page, k: 'a', n: 'photo_processed', p: { processed_count: 150, ok: true, s: 'x' } },
      1,
    ],
    ['a share', { ...page, k: 's', n: 'whatsapp', l: 'https://example.com/s/abc', c: 5 }, 1],
    ['unknown keys (stripped for forward compatibility)', { ...page, zz: 1 }, 1],
  ])('accepts %s', (_name, body, count) => {
    const result = parseEventBody(JSON.stringify(body));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.events).toHaveLength(count);
  });

  it.each([
    ['invalid JSON', '{"k":', 'body is not valid JSON'],
    ['an empty batch', '[]', 'empty batch'],
    ['a batch over 25', JSON.stringify(Array(26).fill(page)), 'batch of 26 events exceeds 25'],
    ['a number', '42', 'event'],
    ['null', 'null', 'event'],
    ['an unknown kind', JSON.stringify({ ...page, k: 'z' }), 'k:'],
    ['a javascript: URL', JSON.stringify({ ...page, u: 'javascript:alert(1)' }), 'u: must be an http(s) URL'],
    [
      'a URL over 2,000 chars',
      JSON.stringify({ ...page, u: 'https://example.com/' + 'a'.repeat(2000) }),
      'u:',
    ],
    ['a site with markup', JSON.stringify({ ...page, s: '<img src=x>' }), 's: must be a domain name'],
    ['an action without a name', JSON.stringify({ ...page, k: 'a' }), 'n: actions and shares need a name'],
    ['a name over 120 chars', JSON.stringify({ ...page, k: 'a', n: 'x'.repeat(121) }), 'n:'],
    [
      'a name with control characters',
      JSON.stringify({ ...page, k: 'a', n: 'a\u0000b' }),
      'n: must not contain control characters',
    ],
    ['nested props', JSON.stringify({ ...page, k: 'a', n: 'x', p: { a: { b: 1 } } }), 'p.a:'],
    [
      '31 props',
      JSON.stringify({
        ...page,
        k: 'a',
        n: 'x',
        p: Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, i])),
      }),
      'p: at most 30 props',
    ],
    [
      'a prop value over 2,000 chars',
      JSON.stringify({ ...page, k: 'a', n: 'x', p: { a: 'v'.repeat(2001) } }),
      'p.a:',
    ],
    [
      'a __proto__ prop',
      `{"k":"a","s":"example.com","u":"https://example.com/","n":"x","p":{"__proto__":{"admin":true}}}`,
      'forbidden property name',
    ],
    [
      'a constructor prop',
      JSON.stringify({ ...page, k: 'a', n: 'x', p: { constructor: 1 } }),
      'forbidden property name',
    ],
    ['negative engaged time', JSON.stringify({ ...page, k: 'e', d: -5 }), 'd:'],
    ['negative scroll depth', JSON.stringify({ ...page, k: 'e', x: -1 }), 'x:'],
    ['a huge number', JSON.stringify({ ...page, k: 'e', d: 1e300 }), 'd:'],
    ['a bad event inside a batch', JSON.stringify([page, { ...page, u: 'nope' }]), 'event[1].u:'],
  ])('rejects %s with a message naming the field', (_name, body, message) => {
    const result = parseEventBody(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });

  it('caps scroll depth at 100 (the beacon leaves it to us: a page shorter than the window reads as more)', () => {
    const result = parseEventBody(JSON.stringify({ ...page, k: 'e', d: 5, x: 250 }));
    expect(result).toMatchObject({ ok: true, events: [{ x: 100 }] });
  });

  it('never lets a __proto__ prop touch Object.prototype', () => {
    parseEventBody(
      '{"k":"a","s":"example.com","u":"https://example.com/","n":"x","p":{"__proto__":{"polluted":true}}}',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
