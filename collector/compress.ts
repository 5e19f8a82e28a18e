import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import {
  brotliCompress,
  constants,
  createBrotliCompress,
  createGzip,
  gzip,
  type BrotliOptions,
  type ZlibOptions,
} from 'node:zlib';
import type { MiddlewareHandler } from 'hono';

/*
 * Brotli or gzip by Accept-Encoding for text answers over `threshold` bytes: JSON, CSV, the
 * dashboard's scripts, styles and map data, the beacon. main.js and the map's countries JSON
 * shrink to about a quarter (see docs/query-api.md for the measured bytes).
 *   - Answers with an ETag (the static files) are compressed once at the best level and kept, so
 *     the cost is paid once per file and encoding, not per request.
 *   - Other answers of a known length (JSON) are compressed whole at a fast level: brotli 4
 *     compresses a 100 KB overall answer in about 2 ms, level 11 would take 100 ms.
 *   - Downloads (the CSV export, a user's data export) go through a stream flushed on every chunk,
 *     so they keep streaming.
 * The ingest endpoint is left alone: its answers are empty and it must stay cheap.
 */

const COMPRESSIBLE = /^(application\/(json|javascript|manifest\+json)|text\/|image\/svg\+xml)/i;
const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

type Encoding = 'br' | 'gzip';

export interface CompressOptions {
  /** smaller answers go out as they are (default 1024 bytes) */
  threshold?: number;
  /** paths never compressed */
  skip?: (path: string) => boolean;
}

export function compress(options: CompressOptions = {}): MiddlewareHandler {
  const threshold = options.threshold ?? 1024;
  const kept = new Map<string, Uint8Array>();
  return async (c, next) => {
    if (options.skip?.(c.req.path)) return next();
    await next();
    const res = c.res;
    const type = res.headers.get('Content-Type') ?? '';
    if (
      c.req.method === 'HEAD' ||
      !res.body ||
      res.status === 204 ||
      res.status === 206 ||
      res.status === 304 ||
      res.headers.has('Content-Encoding') ||
      !COMPRESSIBLE.test(type) ||
      /no-transform/i.test(res.headers.get('Cache-Control') ?? '')
    )
      return;
    const length = res.headers.get('Content-Length');
    if (length !== null && Number(length) < threshold) return;
    res.headers.append('Vary', 'Accept-Encoding');
    const encoding = pick(c.req.header('Accept-Encoding'));
    if (!encoding) return;

    // Downloads (the CSV export, a user's data export) are streams of unknown length: never
    // buffered whole, compressed as they flow.
    const streamed = length === null && res.headers.has('Content-Disposition');
    if (streamed) {
      const flushing =
        encoding === 'br'
          ? createBrotliCompress({ flush: constants.BROTLI_OPERATION_FLUSH, params: brotliParams(4) })
          : createGzip({ flush: constants.Z_SYNC_FLUSH, level: 6 });
      const body = Readable.toWeb(Readable.fromWeb(res.body as never).pipe(flushing)) as ReadableStream;
      c.res = encoded(res, body, encoding);
      return;
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.byteLength < threshold) {
      c.res = new Response(bytes as BodyInit, res);
      return;
    }
    const etag = res.headers.get('ETag');
    const key = etag ? `${encoding} ${c.req.path} ${etag}` : null;
    let packed = key ? kept.get(key) : undefined;
    if (!packed) {
      packed = await squeeze(bytes, encoding, etag ? 'best' : 'fast');
      if (key) {
        if (kept.size > 64) kept.clear();
        kept.set(key, packed);
      }
    }
    c.res = encoded(res, packed, encoding);
    c.res.headers.set('Content-Length', String(packed.byteLength));
    // A strong ETag names exact bytes; the compressed body is other bytes of the same file.
    if (etag && !etag.startsWith('W/')) c.res.headers.set('ETag', `W/${etag}`);
  };
}

function encoded(res: Response, body: ReadableStream | Uint8Array, encoding: Encoding): Response {
  const out = new Response(body as BodyInit, res);
  out.headers.delete('Content-Length');
  out.headers.set('Content-Encoding', encoding);
  return out;
}

async function squeeze(bytes: Uint8Array, encoding: Encoding, effort: 'best' | 'fast'): Promise<Uint8Array> {
  if (encoding === 'br') {
    const options: BrotliOptions = { params: brotliParams(effort === 'best' ? 11 : 4) };
    options.params![constants.BROTLI_PARAM_SIZE_HINT] = bytes.byteLength;
    return new Uint8Array(await brotliAsync(bytes, options));
  }
  const options: ZlibOptions = { level: effort === 'best' ? 9 : 6 };
  return new Uint8Array(await gzipAsync(bytes, options));
}

function brotliParams(quality: number): Record<number, number> {
  return { [constants.BROTLI_PARAM_QUALITY]: quality };
}

/** br when the client takes it, else gzip; a q=0 refuses an encoding. */
export function pick(header: string | undefined): Encoding | null {
  if (!header) return null;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const weight = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    q.set(name!, weight ? Number(weight.slice(2)) || 0 : 1);
  }
  const weight = (e: string) => q.get(e) ?? q.get('*') ?? 0;
  if (weight('br') > 0 && weight('br') >= weight('gzip')) return 'br';
  if (weight('gzip') > 0) return 'gzip';
  return null;
}
