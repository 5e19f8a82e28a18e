/**
 * Group commit: every caller that arrives while a write is in flight joins the next batch, and
 * the whole batch is made durable by one write + fsync per file. Under load this turns hundreds
 * of concurrent requests into a handful of fsyncs, and each caller still learns only when its
 * own items are on disk.
 */
export class GroupCommit<T> {
  private pending: { items: readonly T[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private running: Promise<void> | null = null;

  constructor(private readonly writeBatch: (items: T[]) => Promise<void>) {}

  /** Resolves once `items` were written by a successful batch; rejects with that batch's error. */
  submit(items: readonly T[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ items, resolve, reject });
      this.running ??= this.drain();
    });
  }

  /** Resolves when nothing is pending or in flight. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // Yield once so callers from the same tick land in the first batch instead of the second.
    await Promise.resolve();
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        await this.writeBatch(batch.flatMap((job) => job.items));
        for (const job of batch) job.resolve();
      } catch (error) {
        for (const job of batch) job.reject(error);
      }
    }
    this.running = null;
  }
}
