import { readdir, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSaltStore } from '../../../storage/salts.ts';
import { visitorId } from '../../../collector/pipeline/visitor.ts';
import { tempDir } from '../../support/helpers.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-20T10:00:00Z');

describe('daily salts', () => {
  it('keeps one salt per UTC day, stable across instances sharing a data dir', async () => {
    const { dir, cleanup } = await tempDir();
    const a = await new FileSaltStore(dir).saltFor(T0);
    const b = await new FileSaltStore(dir).saltFor(T0 + 3600_000);
    expect(a.equals(b)).toBe(true);
    const tomorrow = await new FileSaltStore(dir).saltFor(T0 + DAY);
    expect(tomorrow.equals(a)).toBe(false);
    await cleanup();
  });

  it('deletes every salt older than yesterday', async () => {
    const { dir, cleanup } = await tempDir();
    await mkdir(join(dir, 'salts'));
    await writeFile(join(dir, 'salts', '2026-11-01'), 'x'.repeat(32));
    const store = new FileSaltStore(dir);
    await store.saltFor(T0 - DAY);
    await store.saltFor(T0);
    await store.prune(T0);
    expect((await readdir(join(dir, 'salts'))).sort()).toEqual(['2026-11-19', '2026-11-20']);
    await store.prune(T0 + 2 * DAY);
    expect(await readdir(join(dir, 'salts'))).toEqual([]);
    await cleanup();
  });
});

describe('visitorId', () => {
  const salt = Buffer.alloc(32, 1);
  it('is 16 hex chars and changes with any input', () => {
    const id = visitorId(salt, 'ex.com', '1.2.3.4', 'UA');
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(visitorId(salt, 'ex.com', '1.2.3.4', 'UA')).toBe(id);
    expect(visitorId(Buffer.alloc(32, 2), 'ex.com', '1.2.3.4', 'UA')).not.toBe(id);
    expect(visitorId(salt, 'other.com', '1.2.3.4', 'UA')).not.toBe(id);
    expect(visitorId(salt, 'ex.com', '1.2.3.5', 'UA')).not.toBe(id);
    expect(visitorId(salt, 'ex.com', '1.2.3.4', 'UA2')).not.toBe(id);
  });
});
