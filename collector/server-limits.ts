import { readFile } from 'node:fs/promises';
import type { ServerOptions } from 'node:http';

/** How long a client may take and how many may be connected at once (security review H4). */
export interface ServerLimits {
  /** the request line and all headers must arrive within this */
  headersTimeoutMs: number;
  /** the whole request, body included, must arrive within this */
  requestTimeoutMs: number;
  /** an idle keep-alive connection is closed after this */
  keepAliveTimeoutMs: number;
  /** open connections at most; more are closed as soon as they are accepted */
  maxConnections: number;
}

/**
 * File descriptors kept for everything that is not a client socket: day files of every record
 * kind (today and yesterday), the snapshot, salts, gzip jobs, stdio. When sockets take them all,
 * appends fail with EMFILE, which is worse than refusing a connection.
 */
export const RESERVED_FDS = 128;

/** The soft `ulimit -n` from the text of /proc/self/limits; null when it cannot be read. */
export function parseFdSoftLimit(limits: string): number | null {
  const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(limits);
  if (!match) return null;
  return match[1] === 'unlimited' ? Infinity : Number(match[1]);
}

/** The soft fd limit of this process (Linux); null elsewhere. */
export async function fdSoftLimit(): Promise<number | null> {
  const text = await readFile('/proc/self/limits', 'utf8').catch(() => '');
  return parseFdSoftLimit(text);
}

/**
 * The configured connection cap, lowered so sockets always leave RESERVED_FDS free (or half the
 * descriptors, under a very low limit).
 */
export function connectionCap(configured: number, fdLimit: number | null): number {
  if (fdLimit === null || !Number.isFinite(fdLimit)) return configured;
  const reserve = Math.min(RESERVED_FDS, Math.floor(fdLimit / 2));
  return Math.max(1, Math.min(configured, fdLimit - reserve));
}

/**
 * Options for http.createServer. Node checks the header and request deadlines only every
 * `connectionsCheckingInterval` (30 s by default, which made a 60 s header timeout about 90 s),
 * so the check runs often enough for the configured deadline to hold within about a quarter of it.
 */
export function serverOptions(limits: ServerLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}
