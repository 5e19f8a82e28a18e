/**
 * Reads a request body as UTF-8 text, giving up past `maxBytes` (null). A lying or missing
 * Content-Length cannot get past the cap: the stream itself is counted. Used instead of
 * hono/body-limit on the ingest path because that middleware wraps every request in a new
 * Request and stream, which cost more CPU than the rest of ingestion for a small beacon body.
 */
export async function readBodyLimited(request: Request, maxBytes: number): Promise<string | null> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) return null;
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
