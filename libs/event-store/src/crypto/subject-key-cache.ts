/** An unwrapped data key and the id that envelopes sealed with it carry. */
export interface DataKey {
  readonly keyId: string;
  readonly key: Buffer;
}

/**
 * Data keys in memory, at most `maxEntries`, least recently used first out. An entry also expires
 * after `ttlMs`, which bounds how long a process other than the one that erased a subject can
 * still decrypt it from its cache.
 */
export class SubjectKeyCache {
  private entries = new Map<string, { readonly dataKey: DataKey; readonly expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(subject: string): DataKey | undefined {
    const entry = this.entries.get(subject);
    if (entry === undefined) {
      return undefined;
    }
    this.entries.delete(subject);
    if (entry.expiresAt <= this.now()) {
      return undefined;
    }
    // Re-inserted, so the Map's insertion order stays the order of last use.
    this.entries.set(subject, entry);
    return entry.dataKey;
  }

  set(subject: string, dataKey: DataKey): void {
    this.entries.delete(subject);
    this.entries.set(subject, { dataKey, expiresAt: this.now() + this.ttlMs });
    if (this.entries.size > this.maxEntries) {
      this.evictOldest();
    }
  }

  /**
   * Drops the least recently used tenth of the entries into a new Map. Removing one entry per
   * insert from the front of the Map cost a scan over every entry removed before it, 9% of an
   * import's CPU in a V8 profile, because a Map keeps removed entries until it is rebuilt.
   */
  private evictOldest(): void {
    const keep = this.maxEntries - Math.floor(this.maxEntries / 10);
    let excess = this.entries.size - keep;
    const kept = new Map<string, { readonly dataKey: DataKey; readonly expiresAt: number }>();
    for (const [subject, entry] of this.entries) {
      if (excess > 0) {
        excess -= 1;
      } else {
        kept.set(subject, entry);
      }
    }
    this.entries = kept;
  }

  delete(subject: string): void {
    this.entries.delete(subject);
  }

  get size(): number {
    return this.entries.size;
  }
}
