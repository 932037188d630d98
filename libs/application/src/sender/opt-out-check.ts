import { Injectable } from '@nestjs/common';
import { ReadModels } from '../read-models/read-models.service';

/** Numbers looked up in the read model per query. */
const LOOKUP_BATCH = 1_000;

interface PendingCheck {
  readonly phoneNumber: string;
  resolve(optedOut: boolean): void;
  reject(error: unknown): void;
}

/**
 * Tells senders whether a number is on the do-not-contact list. The checks that concurrent send
 * handlers issue in the same turn of the event loop share one read-model query, so a burst of
 * hundreds of sends costs one round trip instead of one per message.
 */
@Injectable()
export class OptOutCheck {
  private queue: PendingCheck[] = [];
  private flushScheduled = false;

  constructor(private readonly readModels: ReadModels) {}

  isOptedOut(phoneNumber: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ phoneNumber, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const batch = this.queue.splice(0, LOOKUP_BATCH);
      if (this.queue.length > 0) this.scheduleFlush();
      void this.lookUp(batch);
    });
  }

  private async lookUp(batch: readonly PendingCheck[]): Promise<void> {
    try {
      const optedOut = await this.readModels.optedOutNumbers(batch.map((pending) => pending.phoneNumber));
      batch.forEach((pending) => pending.resolve(optedOut.has(pending.phoneNumber)));
    } catch (error) {
      batch.forEach((pending) => pending.reject(error));
    }
  }
}
