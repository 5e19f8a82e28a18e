import type { EventStore, Clock, TimeRange } from '../../storage/types.ts';
import type { StoredRecord } from '../../storage/schema.ts';
import type { Dimension, NormalizedQuery } from '../../shared/api.ts';
import type { BackendStatus, QueryBackend } from '../backend.ts';
import { events } from './events.ts';
import { MemoryIndex } from './index.ts';
import type { QueryBudget } from '../budget.ts';
import { journeys } from './journeys.ts';
import { newVsReturningUsers } from './new-returning.ts';
import { retention } from './retention.ts';
import { DayCache, rolledAggregate, rolledFunnel, rolledPropKeys, rolledTopLists } from './rollup.ts';

/**
 * The embedded backend: answers from the in-memory index, which loads the store's history in
 * the background (the server answers /healthz meanwhile) and takes every newly stored record.
 */
export class MemoryBackend implements QueryBackend {
  readonly index = new MemoryIndex();
  private readonly days = new DayCache();
  /** set by whoever builds the dashboard ranges' rollups after loading (see server/collector.ts) */
  warm = false;
  private loading: Promise<void> | null = null;
  private loaded = false;
  /** the load failed: new records go straight into the index (it holds what was read) */
  private failed = false;
  private progress = 0;
  /** records stored while the history loads; appended after it, so order stays by time */
  private pending: StoredRecord[] = [];
  private loadStart = 0;
  private stopped = false;

  /**
   * `warmStart` (index snapshots, see snapshot/snapshot.ts) may fill the empty index with every record
   * stored before `to`; when it resolves false the history is streamed from the store instead.
   */
  constructor(
    private readonly clock: Clock,
    private readonly warmStart?: (
      index: MemoryIndex,
      to: number,
      progress: (p: number) => void,
    ) => Promise<boolean>,
    budget?: QueryBudget,
  ) {
    if (budget) this.index.budget = budget;
  }

  /** Starts streaming the store's history into the index; resolves when done. */
  load(store: EventStore): Promise<void> {
    this.loading ??= this.stream(store);
    return this.loading;
  }

  /** The collector's onStored hook. */
  add(records: readonly StoredRecord[]): void {
    if (this.loaded || this.failed || this.loading === null) this.index.append(records);
    else for (const r of records) if (r.ts >= this.loadStart) this.pending.push(r);
  }

  /**
   * Drops the records `keep` rejects (retention purge, per-user erasure), rebuilding columns
   * and dictionaries so erased strings leave memory; about 2 s per million records.
   */
  retain(keep: (record: StoredRecord) => boolean): void {
    this.index.retain(keep);
  }

  /** Forgets everything and reloads from the store (after the store changed underneath). */
  async rebuild(store: EventStore): Promise<void> {
    await this.loading?.catch(() => undefined);
    this.index.retain(() => false);
    this.loaded = false;
    this.failed = false;
    this.loading = null;
    await this.load(store);
  }

  /** Stops a load in progress (at the next batch), so closing never waits for a long history. */
  stop(): void {
    this.stopped = true;
  }

  version(): number {
    return this.index.version;
  }

  status(): BackendStatus {
    return {
      ready: this.loaded,
      rows: this.index.length,
      progress: this.loaded ? 1 : this.progress,
      warm: this.warm,
    };
  }

  // Each answer starts (or joins) the turn's query budget, which the row loops check.
  query: QueryBackend['query'] = async (q) => this.timed(() => rolledAggregate(this.index, q, this.days));
  funnel: QueryBackend['funnel'] = async (q) => this.timed(() => rolledFunnel(this.index, q, this.days));
  retention: QueryBackend['retention'] = async (q) => this.timed(() => retention(this.index, q));
  journeys: QueryBackend['journeys'] = async (q) => this.timed(() => journeys(this.index, q));
  events: QueryBackend['events'] = async (q) => this.timed(() => events(this.index, q));
  sites: QueryBackend['sites'] = async () => {
    this.index.ready();
    return this.index.cols.dicts.site.values.filter((site) => site !== '').sort();
  };
  numericPropKeys: QueryBackend['numericPropKeys'] = async (q) =>
    this.timed(() => rolledPropKeys(this.index, q, this.days));
  /** New vs returning users from each user's first record (see new-returning.ts); compose/new-returning.ts uses it. */
  newVsReturning = async (base: NormalizedQuery) => this.timed(() => newVsReturningUsers(this.index, base));
  /** Several page-view top lists in one pass (see top-lists.ts); compose/overall.ts uses it when present. */
  topLists = async (base: NormalizedQuery, dims: readonly Dimension[]) =>
    this.timed(() => rolledTopLists(this.index, base, dims, this.days));

  private timed<T>(run: () => T): T {
    this.index.budget.begin();
    this.index.budget.check();
    return run();
  }

  private async stream(store: EventStore): Promise<void> {
    try {
      await this.streamHistory(store);
    } catch (error) {
      // Records stored meanwhile are acknowledged: they must not wait in `pending` for a load
      // that will never finish. The index keeps what it read and stays not ready.
      this.failed = true;
      this.index.append(this.pending);
      this.pending = [];
      this.index.ready();
      throw error;
    }
  }

  private async streamHistory(store: EventStore): Promise<void> {
    this.loadStart = this.clock();
    const warm = (await this.warmStart?.(this.index, this.loadStart, (p) => (this.progress = p))) ?? false;
    let first = NaN;
    let sinceYield = 0;
    for await (const batch of warm ? [] : recordBatches(store, { to: this.loadStart })) {
      if (Number.isNaN(first)) first = batch[0]!.ts;
      this.index.append(batch);
      sinceYield += batch.length;
      if (sinceYield >= 4096) {
        sinceYield = 0;
        // Days are read oldest first, so the last record's time says how far along we are.
        this.progress = Math.min(
          0.99,
          (batch[batch.length - 1]!.ts - first) / Math.max(1, this.loadStart - first),
        );
        // Yield so /healthz and ingestion keep answering while a big history loads.
        await new Promise((resolve) => setImmediate(resolve));
        if (this.stopped) return;
      }
    }
    this.index.append(this.pending);
    this.pending = [];
    this.index.ready();
    this.loaded = true;
  }
}

/** The store's records in batches: its own scanBatches when it has one, else scan() gathered. */
async function* recordBatches(store: EventStore, range: TimeRange): AsyncGenerator<StoredRecord[]> {
  if (store.scanBatches) {
    yield* store.scanBatches(range);
    return;
  }
  let batch: StoredRecord[] = [];
  for await (const record of store.scan(range)) {
    batch.push(record);
    if (batch.length === 4096) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
