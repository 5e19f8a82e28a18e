import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_DIR } from '../storage/day-files.ts';

/**
 * The admin token: from ANALYTICS_ADMIN_TOKEN, else the one kept in data/admin-token, else a new
 * random one written there (mode 0600) so it survives restarts.
 */
export async function resolveAdminToken(configured: string | null, dataDir: string): Promise<string> {
  if (configured) return configured;
  const path = join(dataDir, 'admin-token');
  const existing = (await readFile(path, 'utf8').catch(() => '')).trim();
  if (existing.length >= 16) return existing;
  await mkdir(dataDir, { recursive: true, mode: PRIVATE_DIR });
  const token = randomBytes(24).toString('base64url');
  await writeFile(path, token + '\n', { mode: 0o600 });
  return token;
}

/** Constant-time comparison; hashing first makes the lengths equal without leaking the real one. */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
