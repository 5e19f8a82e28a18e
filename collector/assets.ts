import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

export interface Asset {
  body: string;
  etag: string;
  contentType: string;
}

/** Reads a built file (dist/…) once, with a strong ETag from its content. */
export async function loadAsset(path: string, contentType: string): Promise<Asset> {
  let body: string;
  try {
    body = await readFile(path, 'utf8');
  } catch {
    throw new Error(`${path} is missing: run "npm run build" first`);
  }
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, etag, contentType };
}
