import { isbot } from 'isbot';
import { UAParser } from 'ua-parser-js';
import { Lru } from './lru.ts';

export interface Client {
  browser: string;
  os: string;
  /** desktop, mobile, tablet, console, smarttv, wearable, embedded */
  device: string;
  bot: boolean;
}

// isbot's maintained list covers crawlers and most headless tools; these catch automation that
// still presents a normal browser string.
const HEADLESS = /headless|phantomjs|electron|puppeteer|playwright|selenium|webdriver|lighthouse|slimerjs/i;
const MAX_UA = 1000;

/**
 * Parses user agents with ua-parser-js 1.x (MIT; 2.x is AGPL). Parsing costs ~20 µs and a few
 * hundred distinct strings cover most traffic, so results are cached.
 */
export class UserAgentParser {
  private cache = new Lru<string, Client>(2000);

  parse(userAgent: string): Client {
    const ua = userAgent.slice(0, MAX_UA);
    const cached = this.cache.get(ua);
    if (cached) return cached;
    const client = parseUncached(ua);
    this.cache.set(ua, client);
    return client;
  }
}

export function parseUncached(ua: string): Client {
  if (!ua.trim()) return { browser: '', os: '', device: '', bot: true };
  const result = new UAParser(ua).getResult();
  return {
    browser: result.browser.name ?? '',
    os: result.os.name ?? '',
    device: result.device.type ?? 'desktop',
    bot: isbot(ua) || HEADLESS.test(ua),
  };
}
