/**
 * A time budget for query work. The in-memory engine is synchronous: a query holds the event
 * loop until it ends, so ingestion and /healthz wait meanwhile. Its row and group loops call
 * `check()` every few thousand rows, which throws QueryTimeoutError once the current turn of the
 * event loop has spent more than `ms` on queries. Every query started in one turn shares that
 * turn's budget (an `overall` runs about twenty in one turn), so the budget bounds how long the
 * loop is held, not how long one query may take.
 */
export class QueryBudget {
  /** No limit: what a bare MemoryBackend (tests, the library) uses. */
  static readonly unlimited = new QueryBudget(Infinity);
  private started = -1;
  private limit: number;

  constructor(
    readonly ms: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.limit = ms;
  }

  /**
   * Starts the turn's clock unless it runs already; it stops when the loop turns. `ms` gives this
   * turn a budget of its own (the start-up warm-up's short slices).
   */
  begin(ms = this.ms): void {
    if (this.ms === Infinity || this.started >= 0) return;
    this.limit = ms;
    this.started = this.now();
    setImmediate(() => (this.started = -1));
  }

  /** Throws once the turn used up the budget; cheap, but loops call it every ROWS_PER_CHECK rows. */
  check(): void {
    if (this.started >= 0 && this.now() - this.started > this.limit) throw new QueryTimeoutError(this.limit);
  }
}

/** Loops test `(j & CHECK_MASK) === 0` to call check() every 4096 rows (about 0.1–1 ms of work). */
export const CHECK_MASK = 4095;

/** A query ran out of its budget; the HTTP layer answers 503 with Retry-After. */
export class QueryTimeoutError extends Error {
  constructor(readonly budgetMs: number) {
    super(
      `the query needed more than its ${budgetMs} ms budget (ANALYTICS_QUERY_TIMEOUT_MS); ` +
        'retry shortly (finished days are kept), or ask for a shorter range or fewer dimensions',
    );
    this.name = 'QueryTimeoutError';
  }
}
