import type { StoredRecord } from '../../storage/schema.ts';
import { DAY_MS } from '../../shared/time.ts';
import { SESSION_GAP_MS } from '../../shared/api.ts';
import { Columns } from './columns.ts';
import { Growable } from './growable.ts';
import { QueryBudget } from '../budget.ts';

const SITE_SHIFT = 2 ** 32;
/** visitorDay value of a visitor whose rows span several UTC days (or sit in explicit sessions) */
export const NOT_DAY_LOCAL = -1;
const UNSEEN = -2;

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
  /** how long queries may hold the event loop; the query loops check it (see budget.ts) */
  budget = QueryBudget.unlimited;
  /**
   * Per visitor code: the UTC day number all its rows fall on, or NOT_DAY_LOCAL. The collector's
   * visitor ids change with the daily salt, so nearly every visitor is day-local; their rows,
   * sessions and distinct counts never cross a day, which lets day-sized partial results add up
   * exactly (see rollup.ts). Server-side ids (`u:…`), explicit sessions and backdated events
   * across midnight make the rest.
   */
  visitorDay = new Growable(Int32Array);
  /** per user code: the time of the user's first record on any site (NaN: none yet) */
  userFirst = new Growable(Float64Array);
  /** per user code: the site of that first record */
  private userFirstSite = new Growable(Int32Array);
  /** the first record of a user on any other site, keyed site × 2^32 + user */
  private userSiteFirst = new Map<number, number>();
  /** bumped when any day's rows or locality change, so cached day results stay exact */
  epoch = 0;
  private dayVersions = new Map<number, number>();
  /** the day last bumped by assignDay, and during which append (index version) */
  private bumped = { day: NaN, version: -1 };
  /** days that got records while the index was unsorted (their rows are numbered at the sort) */
  private readonly unsortedDays = new Set<number>();
  private nonLocal = new Growable(Int32Array);
  private nonLocalStale = false;
  private sorted = true;
  private lastTs = -Infinity;
  /** per visitor code: the site, last time and number of its open session (site −1: none) */
  private openSessions = newOpenSessions();
  /** the same for a visitor id seen on a second site, keyed site × 2^32 + visitor */
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
      else this.unsortedDays.add(Math.floor(record.ts / DAY_MS));
    }
  }

  /** Makes rows sorted and sessions numbered; every reader calls this first. */
  ready(): this {
    if (this.sorted) return this;
    this.cols.sortByTime();
    // Sorting moves rows but changes no day's data except the days the late records went to (and
    // the days of visitors they made multi-day): keep the other days' versions, so results
    // cached for them stay valid.
    const versions = this.dayVersions;
    const before = this.visitorDay;
    const epoch = this.epoch;
    this.renumber();
    this.epoch = epoch;
    this.dayVersions = versions;
    for (const day of this.unsortedDays) this.bumpDay(day);
    const after = this.visitorDay.data;
    for (let v = 0; v < before.length; v++)
      if (before.data[v] !== after[v] && before.data[v]! >= 0) this.bumpDay(before.data[v]!);
    this.unsortedDays.clear();
    this.sorted = true;
    return this;
  }

  /**
   * Replaces every row with `cols` (rows sorted by time, as an index snapshot holds them) and
   * derives sessions and the rest from them, as after a sort.
   */
  adoptColumns(cols: Columns): void {
    this.version++;
    this.cols = cols;
    this.renumber();
    this.sorted = true;
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

  /** Changes whenever the rows of UTC day `day` (or the locality of its visitors) change. */
  dayVersion(day: number): number {
    return this.dayVersions.get(day) ?? 0;
  }

  /** Time of the first record of user code `user` (on site code `site`, or any site when −1). */
  firstSeen(user: number, site: number): number {
    if (user >= this.userFirst.length) return NaN;
    if (site < 0 || this.userFirstSite.data[user] === site) return this.userFirst.data[user]!;
    return this.userSiteFirst.get(site * SITE_SHIFT + user) ?? NaN;
  }

  /** Rows of visitors that are not day-local, ascending. */
  nonLocalRows(): Growable<Int32Array> {
    if (this.nonLocalStale) {
      const visitors = this.cols.dict.visitor.data;
      const days = this.visitorDay.data;
      const rows = new Growable(Int32Array);
      for (let i = 0; i < this.cols.length; i++) if (days[visitors[i]!] === NOT_DAY_LOCAL) rows.push(i);
      this.nonLocal = rows;
      this.nonLocalStale = false;
    }
    return this.nonLocal;
  }

  private resetSessions(): void {
    this.epoch++;
    this.dayVersions = new Map();
    this.bumped = { day: NaN, version: -1 };
    this.visitorDay = new Growable(Int32Array);
    this.userFirst = new Growable(Float64Array);
    this.userFirstSite = new Growable(Int32Array);
    this.userSiteFirst.clear();
    this.nonLocal = new Growable(Int32Array);
    this.nonLocalStale = false;
    this.kindRows = [];
    this.userRows = new Growable(Int32Array);
    this.session = new Growable(Int32Array);
    this.sessionCount = 0;
    this.openSessions = newOpenSessions();
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
    const user = this.cols.dict.user.data[i]!;
    if (user !== 0) {
      this.userRows.push(i);
      // Rows are assigned in time order, so the first one seen is the earliest.
      const site = this.cols.dict.site.data[i]!;
      while (this.userFirst.length <= user) {
        this.userFirst.push(NaN);
        this.userFirstSite.push(-1);
      }
      if (Number.isNaN(this.userFirst.data[user])) {
        this.userFirst.data[user] = this.cols.ts.data[i]!;
        this.userFirstSite.data[user] = site;
      } else if (this.userFirstSite.data[user] !== site) {
        // Another site than the user's first: its own first record goes to the (rarely used) Map.
        const key = site * SITE_SHIFT + user;
        if (!this.userSiteFirst.has(key)) this.userSiteFirst.set(key, this.cols.ts.data[i]!);
      }
    }
    this.assignSession(i);
    this.assignDay(i);
  }

  private assignDay(i: number): void {
    const day = Math.floor(this.cols.ts.data[i]! / DAY_MS);
    const v = this.cols.dict.visitor.data[i]!;
    const days = this.visitorDay;
    while (days.length <= v) days.push(UNSEEN);
    const was = days.data[v]!;
    // An explicit session can hold several visitors, so its rows never count as day-local.
    const local = this.cols.dict.session.data[i] === 0;
    if (was === UNSEEN) days.data[v] = local ? day : NOT_DAY_LOCAL;
    else if (was !== NOT_DAY_LOCAL && (was !== day || !local)) {
      days.data[v] = NOT_DAY_LOCAL;
      this.bumpDay(was);
      // The visitor's earlier rows now belong to the non-local list: rebuild it when next read.
      this.nonLocalStale = true;
    }
    // One bump per day per append is enough: caches compare versions between appends.
    if (day !== this.bumped.day || this.version !== this.bumped.version) {
      this.bumpDay(day);
      this.bumped = { day, version: this.version };
    }
    if (days.data[v] === NOT_DAY_LOCAL && !this.nonLocalStale) this.nonLocal.push(i);
  }

  private bumpDay(day: number): void {
    this.dayVersions.set(day, (this.dayVersions.get(day) ?? 0) + 1);
  }

  private assignSession(i: number): void {
    const cols = this.cols;
    const siteCode = cols.dict.site.data[i]!;
    const explicit = cols.dict.session.data[i]!;
    if (explicit !== 0) {
      const key = siteCode * SITE_SHIFT + explicit;
      let id = this.explicitSession.get(key);
      if (id === undefined) this.explicitSession.set(key, (id = this.sessionCount++));
      this.session.push(id);
      return;
    }
    // A visitor's open session sits in arrays indexed by visitor code: a Map keyed by
    // (site, visitor) made renumbering 1M rows take most of a second. Visitor ids are hashed
    // with the site, so only a server-side id used on a second site needs the Map.
    const v = cols.dict.visitor.data[i]!;
    const ts = cols.ts.data[i]!;
    const open = this.openSessions;
    while (open.site.length <= v) {
      open.site.push(-1);
      open.lastTs.push(0);
      open.id.push(0);
    }
    const first = open.site.data[v] === -1;
    if (first) open.site.data[v] = siteCode;
    if (open.site.data[v] === siteCode) {
      if (first || ts - open.lastTs.data[v]! > SESSION_GAP_MS) open.id.data[v] = this.sessionCount++;
      open.lastTs.data[v] = ts;
      this.session.push(open.id.data[v]!);
      return;
    }
    const key = siteCode * SITE_SHIFT + v;
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

function newOpenSessions() {
  return {
    site: new Growable(Int32Array),
    lastTs: new Growable(Float64Array),
    id: new Growable(Int32Array),
  };
}
