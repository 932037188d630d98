import {
  comparePositions,
  EventFilter,
  EventSubscription,
  GlobalPosition,
  InvalidEventStoreArgumentError,
  RecordedEvent,
  START_POSITION,
} from '../event-store.port';
import { ReadAllPage, ReadAllPageRequest } from './read-events';

export const DEFAULT_POLL_INTERVAL_MS = 25;
export const DEFAULT_SUBSCRIPTION_BATCH_SIZE = 500;

export interface PollingSubscriptionOptions {
  readonly after?: GlobalPosition;
  readonly filter?: EventFilter;
  readonly batchSize: number;
  readonly pollIntervalMs: number;
}

/**
 * Catch-up then live subscription that polls `readPage`. It re-reads at once after a full batch,
 * waits `pollIntervalMs` after a short one, and wakes early when `notify()` reports an append.
 * A read error ends the iteration by throwing it to the consumer.
 */
export class PollingSubscription implements EventSubscription {
  private position: GlobalPosition;
  private closed = false;
  private iterated = false;
  private wakeRequested = false;
  private endSleep: (() => void) | undefined;
  private pendingRead: Promise<unknown> | undefined;

  constructor(
    private readonly readPage: (request: ReadAllPageRequest) => Promise<ReadAllPage>,
    private readonly options: PollingSubscriptionOptions,
    private readonly onClose: (subscription: PollingSubscription) => void,
  ) {
    if (!Number.isSafeInteger(options.batchSize) || options.batchSize < 1) {
      throw new InvalidEventStoreArgumentError('maxCount', `${String(options.batchSize)} is not a valid batch size: use an integer >= 1`);
    }
    if (!Number.isFinite(options.pollIntervalMs) || options.pollIntervalMs < 0) {
      throw new InvalidEventStoreArgumentError('pollIntervalMs', `${String(options.pollIntervalMs)} is not valid: use a number >= 0`);
    }
    this.position = options.after ?? START_POSITION;
  }

  [Symbol.asyncIterator](): AsyncIterator<readonly RecordedEvent[]> {
    if (this.iterated) {
      throw new Error('This subscription is already being iterated: open another one with subscribeToAll()');
    }
    this.iterated = true;
    return this.batches();
  }

  /** Wakes a waiting subscription at once, because this process has just appended events. */
  notify(): void {
    this.wakeRequested = true;
    this.endSleep?.();
  }

  /** Ends the iteration and resolves once no read of this subscription is in flight. */
  async close(): Promise<void> {
    this.closed = true;
    this.endSleep?.();
    await this.pendingRead?.catch(() => undefined);
    this.onClose(this);
  }

  private async *batches(): AsyncGenerator<readonly RecordedEvent[]> {
    try {
      while (!this.closed) {
        this.wakeRequested = false;
        const read = this.readPage({ after: this.position, maxCount: this.options.batchSize, filter: this.options.filter });
        this.pendingRead = read;
        const page = await read;
        this.pendingRead = undefined;
        if (this.closed) {
          return;
        }

        const last = page.events.at(-1);
        if (last) {
          this.position = last.position;
        }
        const full = page.events.length >= this.options.batchSize;
        if (!full) {
          this.skipToHorizon(page.horizon);
        }

        if (last) {
          yield page.events;
        }
        if (!full) {
          await this.sleep();
        }
      }
    } finally {
      this.closed = true;
      this.endSleep?.();
      this.onClose(this);
    }
  }

  /**
   * Moves past every event below the horizon. A short page has returned every matching event
   * there, so the next read need not scan the ones the filter rejected again.
   */
  private skipToHorizon(horizon: number): void {
    const scanned: GlobalPosition = { commit: horizon - 1, prepare: Number.MAX_SAFE_INTEGER };
    if (horizon > 0 && comparePositions(scanned, this.position) > 0) {
      this.position = scanned;
    }
  }

  private sleep(): Promise<void> {
    if (this.closed || this.wakeRequested) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.endSleep?.(), this.options.pollIntervalMs);
      this.endSleep = () => {
        clearTimeout(timer);
        this.endSleep = undefined;
        resolve();
      };
    });
  }
}
