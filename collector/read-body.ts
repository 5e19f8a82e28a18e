/**
 * Reads a request body as UTF-8 text, giving up past `maxBytes` (null).
 *
 * Used instead of hono/body-limit on the ingest path: that middleware wraps every request in a
 * new Request and stream, which cost more CPU than the rest of ingestion for a small beacon body
 * (POST /api/event: 5,185 req/s with this reader, 2,835 with hono/body-limit; docs/performance.md).
 * With a Content-Length within the cap, `text()` takes @hono/node-server's direct read (Node's
 * HTTP parser never delivers more bytes than declared); without one (chunked), the stream itself
 * is counted so no body can get past the cap.
 */
export async function readBodyLimited(request: Request, maxBytes: number): Promise<string | null> {
  const header = request.headers.get('content-length');
  if (header !== null && /^\d+$/.test(header)) {
    if (Number(header) > maxBytes) return null;
    const text = await request.text();
    return Buffer.byteLength(text) > maxBytes ? null : text;
  }
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
