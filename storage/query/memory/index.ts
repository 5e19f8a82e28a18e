import type { StoredRecord } from '../../schema.ts';
import { SESSION_GAP_MS } from '../types.ts';
import { Columns } from './columns.ts';
import { Growable } from './growable.ts';

const SITE_SHIFT = 2 ** 32;

/**
 * The in-memory columnar index: the records sorted by time, plus a session number per row
 * (see "Session" in ../types.ts). Appends in time order are O(1) per record, session numbers
 * included; an append older than the newest row marks the index unsorted and the next reader
 * re-sorts and renumbers (about 0.5 s per million rows; it happens only with clock steps).
 */
export class MemoryIndex {
  cols = new Columns();
  /** session number of each row, 0…sessionCount−1 */
  session = new Growable(Int32Array);
  sessionCount = 0;
  /** row numbers of each kind (by kind code), in time order: queries on one kind skip the rest */
  kindRows: Growable<Int32Array>[] = [];
  /** row numbers of records with a user id, in time order: user queries skip anonymous rows */
  userRows = new Growable(Int32Array);
  /** bumped by every change, for result caches */
  version = 0;
  private sorted = true;
  private lastTs = -Infinity;
  private visitorLast = new Map<number, number>();
  private visitorSession = new Map<number, number>();
  private explicitSession = new Map<number, number>();

  get length(): number {
    return this.cols.length;
  }

  append(records: readonly StoredRecord[]): void {
    if (records.length) this.version++;
    for (const record of records) {
      this.cols.push(record);
      if (record.ts < this.lastTs) this.sorted = false;
      else this.lastTs = record.ts;
      if (this.sorted) this.assignRow(this.cols.length - 1);
    }
  }

  /** Makes rows sorted and sessions numbered; every reader calls this first. */
  ready(): this {
    if (this.sorted) return this;
    this.cols.sortByTime();
    this.renumber();
    this.sorted = true;
    return this;
  }

  /**
   * Keeps only the records `keep` accepts and rebuilds every column and dictionary, so dropped
   * strings (an erased user id) leave memory too. For retention purges and per-user erasure;
   * about 2 s per million rows.
   */
  retain(keep: (record: StoredRecord) => boolean): void {
    this.ready();
    this.version++;
    const old = this.cols;
    this.cols = new Columns();
    this.resetSessions();
    for (let i = 0; i < old.length; i++) {
      const record = old.record(i);
      if (keep(record)) this.cols.push(record);
    }
    this.renumber();
  }

  /** Index of the first row with ts ≥ t (rows are sorted). */
  lowerBound(t: number): number {
    const ts = this.cols.ts.data;
    let lo = 0;
    let hi = this.cols.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first entry of `rows` (row numbers, ascending) whose ts is ≥ t. */
  lowerBoundIn(rows: Int32Array, length: number, t: number): number {
    const ts = this.cols.ts.data;
    let lo = 0;
    let hi = length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[rows[mid]!]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private resetSessions(): void {
    this.kindRows = [];
    this.userRows = new Growable(Int32Array);
    this.session = new Growable(Int32Array);
    this.sessionCount = 0;
    this.visitorLast.clear();
    this.visitorSession.clear();
    this.explicitSession.clear();
    this.lastTs = -Infinity;
  }

  private renumber(): void {
    this.resetSessions();
    this.session.reserve(this.cols.length);
    for (let i = 0; i < this.cols.length; i++) this.assignRow(i);
    if (this.cols.length) this.lastTs = this.cols.ts.data[this.cols.length - 1]!;
  }

  private assignRow(i: number): void {
    const kind = this.cols.dict.kind.data[i]!;
    (this.kindRows[kind] ??= new Growable(Int32Array)).push(i);
    if (this.cols.dict.user.data[i] !== 0) this.userRows.push(i);
    this.assignSession(i);
  }

  private assignSession(i: number): void {
    const cols = this.cols;
    const site = cols.dict.site.data[i]! * SITE_SHIFT;
    const explicit = cols.dict.session.data[i]!;
    if (explicit !== 0) {
      let id = this.explicitSession.get(site + explicit);
      if (id === undefined) this.explicitSession.set(site + explicit, (id = this.sessionCount++));
      this.session.push(id);
      return;
    }
    const key = site + cols.dict.visitor.data[i]!;
    const ts = cols.ts.data[i]!;
    const last = this.visitorLast.get(key);
    let id = this.visitorSession.get(key);
    if (last === undefined || id === undefined || ts - last > SESSION_GAP_MS) {
      id = this.sessionCount++;
      this.visitorSession.set(key, id);
    }
    this.visitorLast.set(key, ts);
    this.session.push(id);
  }
}
