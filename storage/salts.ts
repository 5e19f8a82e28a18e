import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm, writeFile, link, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DAY_PATTERN, utcDay } from './day-files.ts';

/** Source of the daily salt behind visitor hashes; the ClickHouse backend shares it across collectors. */
export interface SaltStore {
  /** The salt of the UTC day containing `now`, created on first use. */
  saltFor(now: number): Promise<Buffer>;
  /** Deletes every salt except today's and yesterday's, so no hash can be recomputed after 48 h. */
  prune(now: number): Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * Salts as files in data/salts/YYYY-MM-DD (32 random bytes, mode 0600). Created with a hard link
 * from a temporary file, which fails if another process made it first, so two collectors on one
 * data dir still agree on the day's salt.
 */
export class FileSaltStore implements SaltStore {
  private cache = new Map<string, Buffer>();

  constructor(private readonly dataDir: string) {}

  private get dir(): string {
    return join(this.dataDir, 'salts');
  }

  async saltFor(now: number): Promise<Buffer> {
    const day = utcDay(now);
    const cached = this.cache.get(day);
    if (cached) return cached;
    const salt = await this.readOrCreate(day);
    this.cache.set(day, salt);
    if (this.cache.size > 2) await this.prune(now);
    return salt;
  }

  async prune(now: number): Promise<void> {
    const keep = new Set([utcDay(now), utcDay(now - DAY_MS)]);
    for (const day of this.cache.keys()) if (!keep.has(day)) this.cache.delete(day);
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      if (DAY_PATTERN.test(name) && !keep.has(name)) await rm(join(this.dir, name), { force: true });
    }
  }

  private async readOrCreate(day: string): Promise<Buffer> {
    const path = join(this.dir, day);
    const existing = await readFile(path).catch(() => null);
    if (existing && existing.length === 32) return existing;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, randomBytes(32), { mode: 0o600 });
    try {
      await link(tmp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    return readFile(path);
  }
}
