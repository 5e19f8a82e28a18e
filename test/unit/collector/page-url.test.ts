import { describe, expect, it } from 'vitest';
import { parsePageUrl, sanitizeReferrer } from '../../../collector/pipeline/page-url.ts';

describe('parsePageUrl', () => {
  it('keeps the path and UTM/ref parameters, drops other query strings and fragments', () => {
    const page = parsePageUrl(
      'https://Example.com/pricing?utm_source=news&utm_medium=email&utm_campaign=launch&token=secret&ref=whatsapp#top',
      false,
    );
    expect(page).toEqual({
      host: 'example.com',
      path: '/pricing',
      utm_source: 'news',
      utm_medium: 'email',
      utm_campaign: 'launch',
      utm_term: '',
      utm_content: '',
      ref: 'whatsapp',
    });
  });

  it('keeps the fragment as part of the path with hash routing', () => {
    expect(parsePageUrl('https://example.com/app#/photos/1?x=1', true)?.path).toBe('/app#/photos/1?x=1');
    expect(parsePageUrl('https://example.com/app#', true)?.path).toBe('/app');
  });

  it('takes source= when ref= is absent', () => {
    expect(parsePageUrl('https://example.com/?source=producthunt', false)?.ref).toBe('producthunt');
  });

  it('returns null for a URL that does not parse', () => {
    expect(parsePageUrl('not a url', false)).toBeNull();
  });

  it('caps parameter values at 200 characters', () => {
    expect(
      parsePageUrl(`https://example.com/?utm_source=${'a'.repeat(500)}`, false)?.utm_source,
    ).toHaveLength(200);
  });
});

describe('sanitizeReferrer', () => {
  it.each([
    ['https://www.google.com/search?q=private+words', 'https://www.google.com/search'],
    ['https://news.ycombinator.com/item?id=1#c', 'https://news.ycombinator.com/item'],
    ['android-app://com.google.android.gm/', 'android-app://com.google.android.gm'],
    ['javascript:alert(1)', ''],
    ['file:///etc/passwd', ''],
    ['garbage', ''],
    [undefined, ''],
  ])('%s → %s', (raw, expected) => {
    expect(sanitizeReferrer(raw)).toBe(expected);
  });
});
