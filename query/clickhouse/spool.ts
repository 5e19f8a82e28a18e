import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { readLines } from '../../storage/line-reader.ts';
import { parseRecordLine, serializeRecord, type StoredRecord } from '../../storage/schema.ts';

/**
 * The local disk spool: batches ClickHouse could not take, fsynced before the collector answers
 * 202, and replayed in file-name (time) order once ClickHouse answers again. One file per batch
 * keeps replay simple: a file is deleted only after its whole insert succeeded.
 */
export class Spool {
  private seq = 0;

  constructor(
    readonly dir: string,
    private readonly clock: () => number,
  ) {}

  /** Writes the batch to a new file and fsyncs file and folder; resolves once it is durable. */
  async write(records: readonly StoredRecord[]): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const name = `${String(this.clock()).padStart(15, '0')}-${String(this.seq++).padStart(6, '0')}-${randomBytes(3).toString('hex')}.jsonl`;
    const tmp = join(this.dir, `.${name}.tmp`);
    const file = await open(tmp, 'w', 0o600);
    try {
      await file.writeFile(records.map((r) => serializeRecord(r) + '\n').join(''));
      await file.sync();
    } finally {
      await file.close();
    }
    // The rename makes the batch visible to replay only when it is whole.
    await rename(tmp, join(this.dir, name));
    const folder = await open(this.dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }

  /** Spooled batch files, oldest first. */
  async files(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names.filter((n) => n.endsWith('.jsonl') && !n.startsWith('.')).sort();
  }

  /** The records of one file and how many of its lines were unreadable. */
  async read(name: string): Promise<{ records: StoredRecord[]; corrupt: number }> {
    const records: StoredRecord[] = [];
    let corrupt = 0;
    for await (const line of readLines(join(this.dir, name))) {
      const record = parseRecordLine(line);
      if (record) records.push(record);
      else corrupt += 1;
    }
    return { records, corrupt };
  }

  remove(name: string): Promise<void> {
    return unlink(join(this.dir, name));
  }
}
