/**
 * Totals of list pages whose count is expensive, such as the send history of a campaign with a
 * million attempts, where each page would otherwise count the whole index range again.
 *
 * A count below `exactBelow` is never cached, so small lists stay exact. A larger one is reused
 * for `freshMs`. After that it is still returned, while one query counts again in the background,
 * until it is `staleMs` old. Concurrent requests for a count not cached yet share one query.
 */
export class CountCache {
  private readonly entries = new Map<string, CachedCount>();

  constructor(
    private readonly options: { exactBelow: number; freshMs: number; staleMs: number; maxEntries: number } = {
      exactBelow: 10_000,
      freshMs: 1_000,
      staleMs: 5_000,
      maxEntries: 1_000,
    },
  ) {}

  /** Returns the count of `key`, from the cache when it is recent enough, else from `count`. */
  async get(key: string, count: () => Promise<number>): Promise<number> {
    const entry = this.entries.get(key);
    const age = entry?.value === undefined ? Infinity : Date.now() - entry.countedAt;
    if (entry?.value !== undefined && age <= this.options.freshMs) {
      return entry.value;
    }
    if (entry?.value !== undefined && age <= this.options.staleMs) {
      // The refresh's failure shows on the next request that needs a count at once.
      this.refresh(key, count).catch(() => undefined);
      return entry.value;
    }
    return this.refresh(key, count);
  }

  private refresh(key: string, count: () => Promise<number>): Promise<number> {
    const entry = this.entries.get(key);
    if (entry?.pending !== undefined) {
      return entry.pending;
    }
    const pending = count().then(
      (value) => {
        this.store(key, value);
        return value;
      },
      (error: unknown) => {
        this.entries.delete(key);
        throw error;
      },
    );
    this.entries.set(key, { ...(entry ?? { countedAt: 0 }), pending });
    return pending;
  }

  private store(key: string, value: number): void {
    if (value < this.options.exactBelow) {
      this.entries.delete(key);
      return;
    }
    this.entries.delete(key);
    if (this.entries.size >= this.options.maxEntries) {
      // Maps keep insertion order, and every store re-inserts its key, so the first key is the oldest.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, countedAt: Date.now() });
  }
}

interface CachedCount {
  readonly value?: number;
  readonly countedAt: number;
  readonly pending?: Promise<number>;
}
