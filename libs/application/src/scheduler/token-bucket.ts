/**
 * A token bucket refilled at `ratePerSecond`, holding at most one second of tokens, so no
 * window of a second or more holds more than the rate plus the one-second burst.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly ratePerSecond: number,
    nowMs: number,
  ) {
    this.tokens = ratePerSecond;
    this.updatedAt = nowMs;
  }

  available(nowMs: number): number {
    this.refill(nowMs);
    return Math.floor(this.tokens);
  }

  take(count: number, nowMs: number): void {
    this.refill(nowMs);
    this.tokens -= count;
  }

  private refill(nowMs: number): void {
    const elapsed = Math.max(0, nowMs - this.updatedAt) / 1000;
    this.tokens = Math.min(this.ratePerSecond, this.tokens + elapsed * this.ratePerSecond);
    this.updatedAt = nowMs;
  }
}
