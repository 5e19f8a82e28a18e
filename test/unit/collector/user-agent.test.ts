import { describe, expect, it } from 'vitest';
import { UserAgentParser, parseUncached } from '../../../collector/pipeline/user-agent.ts';
import { CHROME_UA, IPHONE_UA } from '../../support/helpers.ts';

describe('user agent parsing', () => {
  it.each([
    ['desktop Chrome', CHROME_UA, { browser: 'Chrome', os: 'Windows', device: 'desktop', bot: false }],
    ['iPhone Safari', IPHONE_UA, { browser: 'Mobile Safari', os: 'iOS', device: 'mobile', bot: false }],
    ['Googlebot', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', { bot: true }],
    [
      'headless Chrome',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36',
      { bot: true },
    ],
    ['curl', 'curl/8.5.0', { bot: true }],
    ['an empty user agent', '', { bot: true }],
    ['Playwright marker', `${CHROME_UA} Playwright/1.40`, { bot: true }],
  ])('%s', (_name, ua, expected) => {
    expect(parseUncached(ua)).toMatchObject(expected);
  });

  it('returns the cached result for a repeated user agent', () => {
    const parser = new UserAgentParser();
    const first = parser.parse(CHROME_UA);
    expect(parser.parse(CHROME_UA)).toBe(first);
  });

  it('survives a megabyte-long user agent', () => {
    expect(new UserAgentParser().parse('Mozilla/5.0 '.repeat(100_000)).browser).toBeTypeOf('string');
  });
});
