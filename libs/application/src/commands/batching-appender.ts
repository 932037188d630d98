import { AppendResult, EventStore, StreamAppend, WrongExpectedRevisionError } from '@sms/event-store';

interface Pending {
  readonly append: StreamAppend;
  resolve(result: AppendResult | WrongExpectedRevisionError): void;
  reject(error: unknown): void;
}

/**
 * Groups appends issued at about the same time by concurrent handlers into one appendToStreams
 * call: hundreds of senders each appending one event then cost one round trip instead of hundreds.
 * Each stream's expected revision is still checked on its own.
 */
export class BatchingAppender {
  private queue: Pending[] = [];
  private flushScheduled = false;
  private inFlight = 0;

  constructor(
    private readonly store: EventStore,
    private readonly maxBatch = 500,
    private readonly maxConcurrentFlushes = 2,
  ) {}

  append(append: StreamAppend): Promise<AppendResult | WrongExpectedRevisionError> {
    return new Promise((resolve, reject) => {
      this.queue.push({ append, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0 && this.inFlight < this.maxConcurrentFlushes) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      void this.write(batch).finally(() => {
        this.inFlight -= 1;
        if (this.queue.length > 0) this.scheduleFlush();
      });
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      const results = await this.store.appendToStreams(batch.map((pending) => pending.append));
      results.forEach((result, index) => batch[index].resolve(result));
    } catch (error) {
      batch.forEach((pending) => pending.reject(error));
    }
  }
}
