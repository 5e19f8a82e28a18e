import { isIP } from 'node:net';

/**
 * One spelling per client address, so geolocation, the visitor hash and the limiters all see the
 * same client: lower case, no zone id, no brackets, and IPv4-mapped IPv6 (::ffff:1.2.3.4, what a
 * dual-stack socket reports for an IPv4 peer) unwrapped to plain IPv4.
 */
export function normalizeIp(raw: string): string {
  let ip = raw.trim().toLowerCase();
  if (ip.startsWith('[') && ip.includes(']')) ip = ip.slice(1, ip.indexOf(']'));
  const zone = ip.indexOf('%');
  if (zone >= 0) ip = ip.slice(0, zone);
  if (!ip.startsWith('::ffff:')) return ip;
  if (isIP(ip.slice(7)) === 4) return ip.slice(7);
  // The hex spelling of the same thing, ::ffff:102:304
  const groups = ipv6Groups(ip);
  if (!groups || groups.slice(0, 6).join() !== '0,0,0,0,0,65535') return ip;
  return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.');
}

/** The eight 16-bit groups of an IPv6 address, or null when it is not one. */
export function ipv6Groups(ip: string): number[] | null {
  if (isIP(ip) !== 6) return null;
  let text = ip;
  const tail: number[] = [];
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    tail.push((a << 8) | b, (c << 8) | d);
    text = text.slice(0, dotted.index) + '0'; // placeholder group, dropped below
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(rest ?? '');
  if (dotted) (rest === undefined ? left : right).pop();
  const missing = 8 - left.length - right.length - tail.length;
  return [...left, ...new Array<number>(rest === undefined ? 0 : missing).fill(0), ...right, ...tail];
}

/**
 * The key a client is limited by: its IPv4 address, or the /64 network of an IPv6 address. One
 * IPv6 subscriber usually holds a whole /64, so keying by the full address would hand a single
 * client 2^64 fresh buckets (security review L9).
 */
export function limiterKey(ip: string): string {
  const address = normalizeIp(ip);
  if (!address.includes(':')) return address;
  const groups = ipv6Groups(address);
  if (!groups) return address;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}
