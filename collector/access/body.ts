import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { readBodyLimited } from '../read-body.ts';

const MAX_BYTES = 16 * 1024;

/** The JSON object of a sign-in or admin request; anything else is a 400 (413 past 16 KiB). */
export async function jsonObject(c: Context): Promise<Record<string, unknown>> {
  const text = await readBodyLimited(c.req.raw, MAX_BYTES);
  if (text === null) throw new HTTPException(413, { message: `body exceeds ${MAX_BYTES} bytes` });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HTTPException(400, { message: 'body is not valid JSON' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HTTPException(400, { message: 'body must be a JSON object' });
  return value as Record<string, unknown>;
}

/** A 400 naming what is wrong. */
export function badRequest(message: string): never {
  throw new HTTPException(400, { message });
}
