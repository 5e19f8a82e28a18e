/**
 * Collects items from many callers into one write, flushed when `maxItems` are waiting or
 * `maxWaitMs` after the first one arrived, whichever comes first. Each caller's promise settles
 * with the write that carried its items. One write runs at a time.
 */
export class Batcher<T> {
  private pending: { items: readonly T[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private count = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private due = false;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly maxItems: number,
    private readonly maxWaitMs: number,
  ) {}

  submit(items: readonly T[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ items, resolve, reject });
      this.count += items.length;
      if (this.count >= this.maxItems) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.maxWaitMs);
    });
  }

  /** Writes whatever is waiting now and resolves when nothing is pending or in flight. */
  async flush(): Promise<void> {
    if (this.pending.length > 0) this.kick();
    while (this.running) await this.running;
  }

  private kick(): void {
    this.due = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running ??= this.drain();
  }

  private async drain(): Promise<void> {
    while (this.due && this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      this.count = 0;
      this.due = false;
      try {
        await this.write(batch.flatMap((job) => job.items));
        for (const job of batch) job.resolve();
      } catch (error) {
        for (const job of batch) job.reject(error);
      }
      // Items that arrived during the write wait for their own size or time trigger.
      if (this.pending.length > 0 && !this.due) {
        if (this.count >= this.maxItems) this.due = true;
        else this.timer ??= setTimeout(() => this.kick(), this.maxWaitMs);
      }
    }
    this.running = null;
  }
}
