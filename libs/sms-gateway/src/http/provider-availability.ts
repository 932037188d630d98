/**
 * A circuit breaker over the provider's responses, plus the pause a Retry-After header requests.
 *
 * After `failureThreshold` submits in a row find the provider down (no response, a refused
 * connection, a 5xx), the circuit opens for `openMs`: submits are rejected without a request.
 * Then one submit goes through as a probe while the others are still rejected. Its response closes
 * the circuit, or opens it for another `openMs`.
 */
export class ProviderAvailability {
  private consecutiveFailures = 0;
  private blockedUntilMs = 0;
  private blockReason = '';
  private probeInFlight = false;

  constructor(
    private readonly failureThreshold: number,
    private readonly openMs: number,
  ) {}

  /** Returns undefined when a submit may go now, else the reason it may not. */
  admit(nowMs: number): string | undefined {
    if (nowMs < this.blockedUntilMs) {
      return `${this.blockReason}; no submits until ${new Date(this.blockedUntilMs).toISOString()}`;
    }
    if (!this.isTripped()) {
      return undefined;
    }
    if (this.probeInFlight) {
      return `${this.blockReason}; a probe submit is in flight`;
    }
    this.probeInFlight = true;
    return undefined;
  }

  /** Records that the provider responded; returns true when this closed an open circuit. */
  recordUp(): boolean {
    const wasTripped = this.isTripped();
    this.consecutiveFailures = 0;
    this.probeInFlight = false;
    return wasTripped;
  }

  /** Records that the provider was down; returns true when this opened the circuit, which was closed or probing. */
  recordDown(nowMs: number, reason: string): boolean {
    this.consecutiveFailures += 1;
    this.probeInFlight = false;
    if (!this.isTripped()) {
      return false;
    }
    const wasOpen = this.isOpen(nowMs);
    this.block(nowMs + this.openMs, `provider down on ${this.consecutiveFailures} submits in a row, last: ${reason}`);
    return !wasOpen;
  }

  /** Holds every submit back until `untilMs`, as a Retry-After header requests. */
  pause(untilMs: number, reason: string): void {
    this.block(untilMs, reason);
  }

  isOpen(nowMs: number): boolean {
    return nowMs < this.blockedUntilMs;
  }

  private isTripped(): boolean {
    return this.consecutiveFailures >= this.failureThreshold;
  }

  private block(untilMs: number, reason: string): void {
    if (untilMs > this.blockedUntilMs) {
      this.blockedUntilMs = untilMs;
      this.blockReason = reason;
    }
  }
}
