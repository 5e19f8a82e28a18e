import { join } from 'node:path';
import type { RecordKind } from './schema.ts';
import { DAY_MS, isoTime } from '../shared/time.ts';

/**
 * Layout of the JSON Lines store: data/events/YYYY-MM-DD/<kind>.jsonl, one file per record kind
 * per UTC day, gzipped to <kind>.jsonl.gz once the day is closed. A day per folder keeps
 * retention a single rmdir and lets readers skip whole days by name.
 */

/**
 * Modes of everything the store creates: events, index snapshots, quarantine and exports hold
 * user ids and browsing paths, so only the collector's own user may read them. Passed on create;
 * the umask can only clear bits, so these hold whatever the umask is.
 */
export const PRIVATE_DIR = 0o700;
export const PRIVATE_FILE = 0o600;

export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export function utcDay(ts: number): string {
  // isoTime formats each day once: this runs for every stored record.
  return isoTime(ts).slice(0, 10);
}

/** Start of the UTC day, epoch ms. */
export function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

export function dayEnd(day: string): number {
  return dayStart(day) + DAY_MS;
}

export function eventsDir(dataDir: string): string {
  return join(dataDir, 'events');
}

export function dayDir(dataDir: string, day: string): string {
  return join(eventsDir(dataDir), day);
}

export function kindFile(dataDir: string, day: string, kind: RecordKind, compressed = false): string {
  return join(dayDir(dataDir, day), `${kind}.jsonl${compressed ? '.gz' : ''}`);
}

export function quarantineDir(dataDir: string): string {
  return join(dataDir, 'quarantine');
}
