/**
 * Lets through one log line per interval for a repeating event and counts the ones it holds back,
 * so a failing listener or a flapping peer cannot flood the log.
 */
export class LogThrottle {
  private lastLoggedAt = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(private readonly intervalMs: number) {}

  /** Calls `log` with the number of events suppressed since the last line, or counts this one as suppressed. */
  record(log: (suppressedSinceLastLine: number) => void): void {
    const now = Date.now();
    if (now - this.lastLoggedAt < this.intervalMs) {
      this.suppressed += 1;
      return;
    }
    const suppressed = this.suppressed;
    this.suppressed = 0;
    this.lastLoggedAt = now;
    log(suppressed);
  }
}
