import { describe, expect, it } from 'vitest';
import { clientAddress, trustedMatcher, type ClientIpPolicy } from '../../../collector/client-ip.ts';
import { loadConfig } from '../../../collector/config.ts';
import { ipv6Groups, limiterKey, normalizeIp } from '../../../collector/ip.ts';

/** The policy exactly as the environment would configure it. */
function policy(env: Record<string, string>): ClientIpPolicy {
  const config = loadConfig(env);
  return { trust: config.trustProxy, header: config.clientIpHeader };
}

function resolve(env: Record<string, string>, socket: string, header?: string): string {
  const p = policy(env);
  return clientAddress({ socket, header }, p, trustedMatcher(p.trust));
}

describe('client address', () => {
  it.each([
    // name, env, socket, header, expected
    ['no trust: the socket, XFF ignored', {}, '203.0.113.9', '1.2.3.4', '203.0.113.9'],
    ['no trust: the socket, mapped IPv4 unwrapped', {}, '::ffff:203.0.113.9', undefined, '203.0.113.9'],
    [
      '1 hop: a single XFF entry',
      { ANALYTICS_TRUST_PROXY: '1' },
      '127.0.0.1',
      '198.51.100.7',
      '198.51.100.7',
    ],
    [
      '1 hop: the rightmost entry, not the spoofed leftmost',
      { ANALYTICS_TRUST_PROXY: '1' },
      '127.0.0.1',
      '198.51.100.7, 203.0.113.50',
      '203.0.113.50',
    ],
    ['true means 1 hop', { ANALYTICS_TRUST_PROXY: 'true' }, '127.0.0.1', 'x, 203.0.113.50', '203.0.113.50'],
    [
      '2 hops: the second from the right',
      { ANALYTICS_TRUST_PROXY: '2' },
      '10.0.0.2',
      'spoof, 198.51.100.7, 10.0.0.1',
      '198.51.100.7',
    ],
    [
      '2 hops, short list: the leftmost',
      { ANALYTICS_TRUST_PROXY: '2' },
      '10.0.0.2',
      '198.51.100.7',
      '198.51.100.7',
    ],
    ['1 hop, no XFF: the socket', { ANALYTICS_TRUST_PROXY: '1' }, '127.0.0.1', undefined, '127.0.0.1'],
    ['1 hop, empty XFF: the socket', { ANALYTICS_TRUST_PROXY: '1' }, '127.0.0.1', ' , ', '127.0.0.1'],
    [
      'proxy list: the first untrusted hop from the right',
      { ANALYTICS_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' },
      '127.0.0.1',
      '6.6.6.6, 198.51.100.7, 10.1.2.3',
      '198.51.100.7',
    ],
    [
      'proxy list: an untrusted socket is the client, XFF ignored',
      { ANALYTICS_TRUST_PROXY: '10.0.0.0/8' },
      '198.51.100.99',
      '1.2.3.4',
      '198.51.100.99',
    ],
    [
      'proxy list: every hop trusted gives the leftmost',
      { ANALYTICS_TRUST_PROXY: 'loopback,private' },
      '127.0.0.1',
      '10.0.0.5, 192.168.1.1',
      '10.0.0.5',
    ],
    [
      'proxy list, IPv6 CIDR and a bracketed IPv6 hop',
      { ANALYTICS_TRUST_PROXY: '2001:db8:ffff::/48' },
      '2001:db8:ffff::1',
      '[2001:DB8:1::7], 2001:db8:ffff::2',
      '2001:db8:1::7',
    ],
    [
      'proxy list, mapped IPv4 socket matched as IPv4',
      { ANALYTICS_TRUST_PROXY: '127.0.0.1' },
      '::ffff:127.0.0.1',
      '::ffff:198.51.100.7',
      '198.51.100.7',
    ],
    [
      'X-Real-IP when configured, from a trusted hop count',
      { ANALYTICS_TRUST_PROXY: '1', ANALYTICS_CLIENT_IP_HEADER: 'x-real-ip' },
      '127.0.0.1',
      '198.51.100.7',
      '198.51.100.7',
    ],
    [
      'X-Real-IP from an untrusted peer is ignored',
      { ANALYTICS_TRUST_PROXY: '127.0.0.1', ANALYTICS_CLIENT_IP_HEADER: 'x-real-ip' },
      '203.0.113.9',
      '198.51.100.7',
      '203.0.113.9',
    ],
  ] as const)('%s', (_name, env, socket, header, expected) => {
    expect(resolve(env, socket, header)).toBe(expected);
  });
});

describe('address normalisation and limiter keys', () => {
  it.each([
    ['::ffff:93.184.216.34', '93.184.216.34'],
    ['::FFFF:5db8:d822', '93.184.216.34'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['fe80::1%eth0', 'fe80::1'],
    [' 81.2.69.160 ', '81.2.69.160'],
  ])('normalizes %s to %s', (raw, expected) => {
    expect(normalizeIp(raw)).toBe(expected);
  });

  it.each([
    ['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
    ['2001:db8::', [0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]],
    ['1:2:3:4:5:6:7:8', [1, 2, 3, 4, 5, 6, 7, 8]],
    ['64:ff9b::192.0.2.33', [0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x221]],
    ['1.2.3.4', null],
  ])('expands %s', (ip, groups) => {
    expect(ipv6Groups(ip)).toEqual(groups);
  });

  it('keys IPv6 by /64 and IPv4 by address, one key for both spellings of a mapped address', () => {
    expect(limiterKey('2001:db8:1:2:aaaa::1')).toBe(limiterKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(limiterKey('2001:db8:1:2::1')).not.toBe(limiterKey('2001:db8:1:3::1'));
    expect(limiterKey('::ffff:198.51.100.7')).toBe(limiterKey('198.51.100.7'));
    expect(limiterKey('198.51.100.7')).not.toBe(limiterKey('198.51.100.8'));
  });
});
