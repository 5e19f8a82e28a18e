import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { eventsDir } from '../../storage/day-files.ts';
import { CHROME_UA } from '../support/helpers.ts';
import type { RunningServer } from '../support/server-process.ts';

/** Shared by the crash, shutdown and privacy tests: bounded loopback load with traceable events. */

export const MAX_EVENTS = 20_000;
const WORKERS = 16;

export interface LoadResult {
  acked: Set<number>;
  sent: Set<number>;
  /** non-2xx answers seen before `interrupt` ran */
  refused: number[];
}

/** Event ids are carried in the page path (/load/<id>), so every stored record names its request. */
export function eventFor(id: number) {
  const u = `https://example.com/load/${id}`;
  return id % 3 === 0
    ? { k: 'a', s: 'example.com', u, n: 'photo_processed', p: { id } }
    : { k: 'p', s: 'example.com', u };
}

/** The id of a stored record, from its path; NaN for records this load did not send. */
export function idOf(path: string): number {
  return Number(/^\/load\/(\d+)$/.exec(path)?.[1]);
}

/**
 * WORKERS concurrent clients send batches of 1–3 events until the server stops answering; as soon
 * as `interruptAfterAcked` events were acknowledged, `interrupt` runs (a kill or a SIGTERM) while
 * other requests are still in flight. `ipFor` picks each request's X-Forwarded-For.
 */
export async function loadUntilInterrupted(
  server: RunningServer,
  interruptAfterAcked: number,
  interrupt: () => void,
  ipFor: (request: number) => string = (n) => `81.2.69.${n % 250}`,
): Promise<LoadResult> {
  const result: LoadResult = { acked: new Set(), sent: new Set(), refused: [] };
  let next = 0;
  let requests = 0;
  let interrupted = false;
  const worker = async () => {
    while (next < MAX_EVENTS) {
      const ids = Array.from({ length: 1 + (next % 3) }, () => next++);
      for (const id of ids) result.sent.add(id);
      let status: number;
      try {
        const res = await fetch(`${server.url}/api/event`, {
          method: 'POST',
          headers: {
            'content-type': 'text/plain',
            'user-agent': CHROME_UA,
            'x-forwarded-for': ipFor(requests++),
          },
          body: JSON.stringify(ids.map(eventFor)),
        });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        return; // the server is gone
      }
      if (status === 202) for (const id of ids) result.acked.add(id);
      else if (!interrupted) result.refused.push(status);
      if (!interrupted && result.acked.size >= interruptAfterAcked) {
        interrupted = true;
        interrupt();
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  return result;
}

/** Every stored line of the data dir's day files, plain or gzipped, with the file it came from. */
export async function storedLines(dir: string): Promise<{ file: string; text: string; lines: string[] }[]> {
  const out: { file: string; text: string; lines: string[] }[] = [];
  for (const entry of await readdir(eventsDir(dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = join(entry.parentPath, entry.name);
    const raw = await readFile(file);
    const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
    out.push({ file, text, lines: text.split('\n').filter(Boolean) });
  }
  return out;
}
