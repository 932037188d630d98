/** Provider message ids remembered at most, so that a flood of foreign receipts cannot grow memory without bound. */
const MAX_REMEMBERED = 100_000;

/**
 * When each delivery receipt that matched no attempt was first seen. A receipt can overtake the
 * record of its own submit, so it is refused at first and the SMSC delivers it again. A receipt
 * that still matches nothing after the grace period never will: its attempt ended UNKNOWN without
 * a provider message id, or another system shares the SMPP account. It is then acknowledged and
 * dropped, so that the SMSC stops redelivering it.
 */
export class UnmatchedReceipts {
  private firstSeen = new Map<string, number>();

  constructor(
    private readonly graceMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a sighting of `providerMessageId` and returns whether its grace period is over. */
  graceOver(providerMessageId: string): boolean {
    const now = this.now();
    const first = this.firstSeen.get(providerMessageId);
    if (first === undefined) {
      this.remember(providerMessageId, now);
      return this.graceMs === 0;
    }
    if (now - first < this.graceMs) {
      return false;
    }
    this.firstSeen.delete(providerMessageId);
    return true;
  }

  /** Forgets an id whose attempt turned up, so that a later receipt for it starts afresh. */
  matched(providerMessageId: string): void {
    this.firstSeen.delete(providerMessageId);
  }

  get size(): number {
    return this.firstSeen.size;
  }

  private remember(providerMessageId: string, now: number): void {
    if (this.firstSeen.size >= MAX_REMEMBERED) {
      // Drops the oldest half at once: a Map keeps insertion order, and rebuilding it frees the space.
      this.firstSeen = new Map([...this.firstSeen].slice(MAX_REMEMBERED / 2));
    }
    this.firstSeen.set(providerMessageId, now);
  }
}
