import { describe, expect, it } from 'vitest';
import { parsePageUrl } from '../../collector/pipeline/page-url.ts';
import { classifySource } from '../../collector/pipeline/referrer.ts';

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
