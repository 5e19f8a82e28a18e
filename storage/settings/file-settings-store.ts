import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock } from '../types.ts';
import { fsyncPath } from '../rewrite-file.ts';
import {
  checkKey,
  selectDocs,
  SettingsError,
  type NewSettingDoc,
  type SettingDoc,
  type SettingsStore,
} from './settings-store.ts';

export const SETTINGS_FILE = 'settings.json';
const FORMAT = 1;

interface FileOptions {
  clock?: Clock;
  /** a lock older than this was left by a process that died while writing */
  staleLockMs?: number;
  /** how long a writer waits for another process's lock before giving up */
  lockWaitMs?: number;
}

/**
 * Settings in one JSON file in the data directory, replaced atomically (temporary file, fsync,
 * rename), so a crash leaves the old or the new file and never half of one. The collector and the
 * CLI may write at the same time: writers take a lock file (created exclusively) and re-read the
 * file under it, so neither loses the other's change. Readers see another process's write on their
 * next read, found by the file's size and mtime, without a restart.
 */
export class FileSettingsStore implements SettingsStore {
  readonly path: string;
  private readonly lockPath: string;
  private readonly clock: Clock;
  private readonly staleLockMs: number;
  private readonly lockWaitMs: number;
  private cached: { stamp: string; docs: Map<string, SettingDoc> } | null = null;
  // In-process writes go one at a time; the lock file orders them against other processes.
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    options: FileOptions = {},
  ) {
    this.path = join(dir, SETTINGS_FILE);
    this.lockPath = `${this.path}.lock`;
    this.clock = options.clock ?? systemClock;
    this.staleLockMs = options.staleLockMs ?? 10_000;
    this.lockWaitMs = options.lockWaitMs ?? 5_000;
  }

  async list<T>(kind: string, site?: string): Promise<SettingDoc<T>[]> {
    checkKey(kind);
    return selectDocs<T>((await this.load()).values(), kind, site);
  }

  async kinds(): Promise<string[]> {
    return [...new Set([...(await this.load()).values()].map((doc) => doc.kind))].sort();
  }

  async get<T>(kind: string, id: string): Promise<SettingDoc<T> | null> {
    checkKey(kind, id);
    return ((await this.load()).get(key(kind, id)) as SettingDoc<T> | undefined) ?? null;
  }

  async put<T>(doc: NewSettingDoc<T>): Promise<SettingDoc<T>> {
    checkKey(doc.kind, doc.id);
    const stored: SettingDoc<T> = { ...doc, updated: this.clock() };
    return this.change((docs) => {
      docs.set(key(doc.kind, doc.id), stored);
      return stored;
    });
  }

  async remove(kind: string, id: string): Promise<boolean> {
    checkKey(kind, id);
    return this.change((docs) => docs.delete(key(kind, id)));
  }

  async close(): Promise<void> {
    await this.writes.catch(() => undefined);
  }

  /** The file's documents, read again only when the file changed since the last read. */
  private async load(): Promise<Map<string, SettingDoc>> {
    const stamp = await this.stamp();
    if (this.cached?.stamp === stamp) return this.cached.docs;
    const docs =
      stamp === 'missing' ? new Map<string, SettingDoc>() : parse(await readText(this.path), this.path);
    this.cached = { stamp, docs };
    return docs;
  }

  private async stamp(): Promise<string> {
    try {
      const s = await stat(this.path);
      return `${s.size}:${s.mtimeMs}:${s.ino}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
      throw error;
    }
  }

  private change<R>(edit: (docs: Map<string, SettingDoc>) => R): Promise<R> {
    const run = this.writes.catch(() => undefined).then(() => this.locked(edit));
    this.writes = run;
    return run;
  }

  private async locked<R>(edit: (docs: Map<string, SettingDoc>) => R): Promise<R> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.lock();
    try {
      this.cached = null; // another process may have written since our last read
      const docs = new Map(await this.load());
      const result = edit(docs);
      await this.write(docs);
      this.cached = null;
      return result;
    } finally {
      await unlink(this.lockPath).catch(() => undefined);
    }
  }

  private async write(docs: Map<string, SettingDoc>): Promise<void> {
    const tmp = `${this.path}.${process.pid}.tmp`;
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify({ format: FORMAT, docs: [...docs.values()] }, null, 1) + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.path);
    await fsyncPath(this.dir);
  }

  private async lock(): Promise<void> {
    const deadline = Date.now() + this.lockWaitMs;
    for (;;) {
      try {
        const handle = await open(this.lockPath, 'wx', 0o600);
        await handle.writeFile(String(process.pid));
        await handle.close();
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const age = await stat(this.lockPath).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > this.staleLockMs) await unlink(this.lockPath).catch(() => undefined);
      else if (Date.now() > deadline)
        throw new SettingsError(`settings are locked by another process (${this.lockPath})`);
      else await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

const key = (kind: string, id: string) => `${kind}\n${id}`;

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    // Replaced between stat and read: the new file is read on the next call.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return JSON.stringify({ format: FORMAT, docs: [] });
    throw error;
  }
}

/** Parses the file; a damaged file is an error naming it, never an empty set of accounts. */
function parse(text: string, path: string): Map<string, SettingDoc> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new SettingsError(`${path} is not valid JSON; restore it from a backup or fix it by hand`);
  }
  const docs = (data as { docs?: unknown }).docs;
  if (!Array.isArray(docs)) throw new SettingsError(`${path} has no "docs" list`);
  const map = new Map<string, SettingDoc>();
  for (const doc of docs as SettingDoc[]) {
    if (typeof doc?.kind !== 'string' || typeof doc.id !== 'string') continue;
    map.set(key(doc.kind, doc.id), {
      kind: doc.kind,
      id: doc.id,
      site: typeof doc.site === 'string' ? doc.site : null,
      updated: Number(doc.updated) || 0,
      body: doc.body,
    });
  }
  return map;
}
