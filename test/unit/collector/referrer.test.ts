import { describe, expect, it } from 'vitest';
import { parsePageUrl } from '../../../collector/pipeline/page-url.ts';
import { parse as parseReferrer } from '@tryghost/referrer-parser';
import { classifyReferrer, classifySource } from '../../../collector/pipeline/referrer.ts';
import { ReferrerTable } from '../../../collector/pipeline/referrer-table.ts';

function classify(pageUrl: string, referrer: string) {
  return classifySource(parsePageUrl(pageUrl, false)!, referrer, new URL(pageUrl).hostname);
}

describe('classifySource', () => {
  it.each([
    ['no referrer is direct', 'https://ex.com/', '', { referrer: '', source: '', channel: 'direct' }],
    [
      'an internal referrer is direct',
      'https://ex.com/b',
      'https://ex.com/a',
      { referrer: '', source: '', channel: 'direct' },
    ],
    [
      'www. of the same site is internal',
      'https://ex.com/b',
      'https://www.ex.com/a',
      { referrer: '', source: '', channel: 'direct' },
    ],
    [
      'Google is search',
      'https://ex.com/',
      'https://www.google.com/',
      { referrer: 'https://www.google.com/', source: 'Google', channel: 'search' },
    ],
    [
      'Hacker News is social',
      'https://ex.com/',
      'https://news.ycombinator.com/item',
      { referrer: 'https://news.ycombinator.com/item', source: 'Hacker News', channel: 'social' },
    ],
    [
      'Gmail is email',
      'https://ex.com/',
      'https://mail.google.com/',
      { referrer: 'https://mail.google.com/', source: 'Gmail', channel: 'email' },
    ],
    [
      'an unknown site is referral',
      'https://ex.com/',
      'https://www.someblog.net/post',
      { referrer: 'https://www.someblog.net/post', source: 'someblog.net', channel: 'referral' },
    ],
    [
      'UTM overrides the referrer',
      'https://ex.com/?utm_source=newsletter&utm_medium=email',
      'https://www.google.com/',
      { referrer: 'https://www.google.com/', source: 'newsletter', channel: 'email' },
    ],
    [
      'paid UTM medium',
      'https://ex.com/?utm_source=google&utm_medium=cpc',
      '',
      { referrer: '', source: 'google', channel: 'paid' },
    ],
    [
      'unknown UTM medium is a campaign',
      'https://ex.com/?utm_source=partner&utm_medium=banner2',
      '',
      { referrer: '', source: 'partner', channel: 'campaign' },
    ],
    [
      'a shared WhatsApp link',
      'https://ex.com/s/abc?ref=whatsapp',
      '',
      { referrer: '', source: 'whatsapp', channel: 'social' },
    ],
    [
      'ref naming a known domain',
      'https://ex.com/?ref=news.ycombinator.com',
      '',
      { referrer: '', source: 'Hacker News', channel: 'social' },
    ],
    [
      'ref naming an unknown site',
      'https://ex.com/?ref=producthunt',
      '',
      { referrer: '', source: 'producthunt', channel: 'referral' },
    ],
  ])('%s', (_name, pageUrl, referrer, expected) => {
    expect(classify(pageUrl, referrer)).toEqual(expected);
  });
});

describe('classifyReferrer agrees with @tryghost/referrer-parser', () => {
  const keys = ReferrerTable.load().keys();
  // What parse() says, mapped to our channels the way the collector always did.
  function expected(referrer: string) {
    const parsed = parseReferrer(referrer);
    const medium = parsed.referrerMedium;
    return {
      source: medium ? parsed.referrerSource : (parsed.referrerUrl ?? '').replace(/^www\./, ''),
      channel: medium === 'search' || medium === 'social' || medium === 'email' ? medium : 'referral',
    };
  }

  it('reads the installed table', () => {
    expect(keys.length).toBeGreaterThan(2000);
  });

  it('over every key of its table, with and without a path', () => {
    const urls = keys.flatMap((key, i) =>
      i % 4 === 0
        ? [`https://${key}`, `https://${key}${key.includes('/') ? 'x/y' : '/a/b'}`]
        : [`https://${key}`],
    );
    const differ = urls.filter(
      (url) => JSON.stringify(classifyReferrer(url)) !== JSON.stringify(expected(url)),
    );
    expect(differ).toEqual([]);
  });

  it.each([
    'https://www.google.com.evil.example/',
    'https://google.co.uk/imgres?x=1',
    'https://www.bing.com/images/search/more',
    'https://orange.fr/webmail/inbox',
    'https://orange.fr/news',
    'https://ghost.org/explore/x',
    'https://ghost.org/pricing',
    'https://unknown-site.example/a',
    'https://www.unknown-site.example:8080/a',
    'android-app://com.google.android.gm',
    'https://xn--bcher-kva.example/',
    'http://localhost:3000/',
    'not a url',
  ])('%s', (url) => {
    expect(classifyReferrer(url)).toEqual(expected(url));
  });
});
