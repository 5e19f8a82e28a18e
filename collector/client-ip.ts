import type { Context } from 'hono';

/**
 * The client's IP: the socket's peer address, or the first X-Forwarded-For hop when the operator
 * said a proxy in front is trusted. Without that setting the header is ignored, since anyone can
 * send it. The value must stay inside the request: see collector/ingest.ts.
 */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
    const real = c.req.header('x-real-ip')?.trim();
    if (real) return real;
  }
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? '';
}
