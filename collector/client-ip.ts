import { BlockList, isIP } from 'node:net';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { TrustProxy } from './config.ts';
import { normalizeIp } from './ip.ts';

/** The pieces of a request that say who the client is. */
export interface ClientAddressInput {
  /** the socket's peer address */
  socket: string;
  /** the configured client-IP header, when one was sent */
  header: string | undefined;
}

export interface ClientIpPolicy {
  trust: TrustProxy;
  /** lower-case header name: x-forwarded-for (a list, walked from the right) or a single-value header */
  header: string;
}

/**
 * Decides the client address from what the trusted proxies added and nothing else (security
 * review H3). A reverse proxy appends the peer it saw to X-Forwarded-For, so only the right end of
 * the list is trustworthy; everything to the left is whatever the client sent.
 *
 * - no trust: the socket's peer; headers are ignored since anyone can send them.
 * - `{ hops: n }`: n proxies stand in front, as Express's numeric `trust proxy`: the client is
 *   the n-th address counted from the socket leftwards through X-Forwarded-For (1 = the rightmost
 *   hop), or the leftmost when the list is shorter.
 * - `{ proxies }`: addresses and networks of the proxies; walking from the socket leftwards, the
 *   first address that is not a trusted proxy is the client.
 *
 * A single-value header (X-Real-IP) is taken as a whole when the peer is trusted.
 */
export function clientAddress(input: ClientAddressInput, policy: ClientIpPolicy, trusted: Trusted): string {
  const socket = normalizeIp(input.socket);
  const { trust } = policy;
  if (trust === null) return socket;
  if (policy.header !== 'x-forwarded-for') {
    const value = input.header?.trim();
    return value && ('hops' in trust || trusted(socket)) ? normalizeIp(value) : socket;
  }
  const hops = (input.header ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean)
    .reverse();
  const chain = [socket, ...hops.map(normalizeIp)];
  if ('hops' in trust) return chain[Math.min(trust.hops, chain.length - 1)]!;
  for (const address of chain) if (!trusted(address)) return address;
  return chain[chain.length - 1]!;
}

export type Trusted = (address: string) => boolean;

/** A matcher for the configured proxy addresses and networks (IPv4 and IPv6). */
export function trustedMatcher(trust: TrustProxy): Trusted {
  if (trust === null || 'hops' in trust) return () => false;
  const list = new BlockList();
  for (const entry of trust.proxies) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return (address) => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/** The socket's peer; '' for requests that never had a socket (app.request() in tests). */
function socketAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? '';
  } catch {
    return '';
  }
}

/**
 * The request's client IP under the configured policy. The value must stay inside the request:
 * see collector/ingest.ts.
 */
export function clientIpResolver(policy: ClientIpPolicy): (c: Context) => string {
  const trusted = trustedMatcher(policy.trust);
  return (c) =>
    clientAddress({ socket: socketAddress(c), header: c.req.header(policy.header) }, policy, trusted);
}
