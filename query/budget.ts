import { RetryLaterError } from '../shared/retry-later.ts';

/**
 * A time budget for query work. The in-memory engine is synchronous: a query holds the event
 * loop until it ends, so ingestion and /healthz wait meanwhile. Its row and group loops call
 * `check()` every few thousand rows, which throws QueryTimeoutError once the current turn of the
 * event loop has spent more than `ms` on one request's queries. Each request (QueryService
 * method) starts the clock afresh; every backend call in its turn shares it (an `overall` runs
 * about twenty queries in one turn), so the budget bounds how long a request holds the loop.
 */
export class QueryBudget {
  /** No limit: what a bare MemoryBackend (tests, the library) uses. */
  static readonly unlimited = new QueryBudget(Infinity);
  private started = -1;
  private limit: number;
  private pinned = false;
  private resetPending = false;

  constructor(
    readonly ms: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.limit = ms;
  }

  /** Starts the turn's clock unless it runs already; it stops when the loop turns. */
  begin(): void {
    if (this.ms === Infinity || this.started >= 0) return;
    this.open(this.ms);
  }

  /**
   * Starts the clock afresh for a new request (QueryService calls it), unless `pin` gave this
   * turn a budget of its own.
   */
  restart(): void {
    if (this.ms === Infinity || this.pinned) return;
    this.open(this.ms);
  }

  /** Gives the current turn a budget of `ms` that requests do not restart (the warm-up's slices). */
  pin(ms: number): void {
    if (this.ms === Infinity) return;
    this.open(ms);
    this.pinned = true;
  }

  private open(ms: number): void {
    this.limit = ms;
    this.started = this.now();
    if (this.resetPending) return;
    this.resetPending = true;
    setImmediate(() => {
      this.started = -1;
      this.pinned = false;
      this.resetPending = false;
    });
  }

  /** Throws once the turn used up the budget; cheap, but loops call it every ROWS_PER_CHECK rows. */
  check(): void {
    if (this.started >= 0 && this.now() - this.started > this.limit) throw new QueryTimeoutError(this.limit);
  }
}

/** Loops test `(j & CHECK_MASK) === 0` to call check() every 4096 rows (about 0.1–1 ms of work). */
export const CHECK_MASK = 4095;

/** A query ran out of its budget; the HTTP layer answers 503 with Retry-After. */
export class QueryTimeoutError extends RetryLaterError {
  constructor(readonly budgetMs: number) {
    // Finished day blocks stay cached, so a retry after 2 s usually gets further.
    super(
      `the query needed more than its ${budgetMs} ms budget (ANALYTICS_QUERY_TIMEOUT_MS); ` +
        'retry shortly (finished days are kept), or ask for a shorter range or fewer dimensions',
      2,
    );
    this.name = 'QueryTimeoutError';
  }
}
