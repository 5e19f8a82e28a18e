import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm, writeFile, link, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DAY_PATTERN, utcDay } from './day-files.ts';
import { StoreUnavailableError } from './types.ts';

/** Source of the daily salt behind visitor hashes; the ClickHouse backend shares it across collectors. */
export interface SaltStore {
  /** The salt of the UTC day containing `now`, created on first use. */
  saltFor(now: number): Promise<Buffer>;
  /** Deletes every salt except today's and yesterday's, so no hash can be recomputed after 48 h. */
  prune(now: number): Promise<void>;
  /** why the last salt could not be made (cleared once one is), for /healthz */
  lastError?(): string | null;
}

/** Writes a new salt file exclusively (`wx`, mode 0600); a test injects a failing one. */
export type SaltWriter = (path: string, salt: Buffer) => Promise<void>;

const writeSalt: SaltWriter = (path, salt) => writeFile(path, salt, { mode: 0o600, flag: 'wx' });

const SALT_BYTES = 32;

const DAY_MS = 86_400_000;

/**
 * Salts as files in data/salts/YYYY-MM-DD (32 random bytes, mode 0600). Created with a hard link
 * from a temporary file, which fails if another process made it first, so two collectors on one
 * data dir still agree on the day's salt.
 */
export class FileSaltStore implements SaltStore {
  private cache = new Map<string, Buffer>();
  private failure: string | null = null;

  constructor(
    private readonly dataDir: string,
    private readonly write: SaltWriter = writeSalt,
    private readonly log: (line: string) => void = (line) => console.error(line),
  ) {}

  lastError(): string | null {
    return this.failure;
  }

  private get dir(): string {
    return join(this.dataDir, 'salts');
  }

  /**
   * Rejects with StoreUnavailableError (the request is answered 503 + Retry-After, like a failed
   * append) when the salt can be neither read nor made, e.g. on a full disk at the start of a UTC
   * day; the reason is logged once per distinct error, not once per request.
   */
  async saltFor(now: number): Promise<Buffer> {
    const day = utcDay(now);
    const cached = this.cache.get(day);
    if (cached) return cached;
    let salt: Buffer;
    try {
      salt = await this.readOrCreate(day);
    } catch (error) {
      const message = (error as Error).message;
      if (message !== this.failure) this.log(`salts: could not make the salt of ${day}: ${message}`);
      this.failure = message;
      throw new StoreUnavailableError(`no salt for ${day}: ${message}`);
    }
    if (this.failure !== null) this.log(`salts: the salt of ${day} is in place again`);
    this.failure = null;
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

  /**
   * Only a whole 32-byte file is ever used: a salt is written to a temporary file and linked into
   * place only once complete, so a shorter one (0 bytes after a full disk under an older version,
   * a torn write, a hand edit) was never used for a hash and is replaced.
   */
  private async readOrCreate(day: string): Promise<Buffer> {
    const path = join(this.dir, day);
    const existing = await this.readSalt(path);
    if (existing) return existing;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      // Inside the try: a write that fails part-way (ENOSPC) still leaves a file to unlink.
      await this.write(tmp, randomBytes(SALT_BYTES));
      try {
        await link(tmp, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        // Another collector made it first, unless what is there is not a whole salt.
        if (!(await this.readSalt(path))) await rename(tmp, path);
      }
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    const salt = await this.readSalt(path);
    if (!salt) throw new Error(`${path} does not hold a ${SALT_BYTES}-byte salt`);
    return salt;
  }

  private async readSalt(path: string): Promise<Buffer | null> {
    const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    return bytes && bytes.length === SALT_BYTES ? bytes : null;
  }
}
