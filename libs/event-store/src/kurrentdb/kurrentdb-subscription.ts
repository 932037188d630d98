import type { AllStreamResolvedEvent, AllStreamSubscription } from '@kurrent/kurrentdb-client';
import { comparePositions, EventFilter, EventSubscription, GlobalPosition, RecordedEvent } from '../event-store.port';
import { fromResolvedEvent, passesFilter } from './kurrentdb-records';

export interface KurrentDbSubscriptionOptions {
  readonly after: GlobalPosition | undefined;
  readonly filter: EventFilter | undefined;
  readonly namespace: string;
  readonly batchSize: number;
}

/**
 * Turns the client's catch-up then live subscription to `$all` into batches. Events are buffered
 * up to `batchSize`; beyond that the client stream is paused, which lets gRPC flow control hold
 * the server back. A batch is yielded as soon as at least one event is buffered.
 */
export class KurrentDbSubscription implements EventSubscription {
  private readonly buffer: RecordedEvent[] = [];
  private failure: unknown;
  private ended = false;
  private closed = false;
  private iterated = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly source: AllStreamSubscription,
    private readonly options: KurrentDbSubscriptionOptions,
    private readonly onClose: (subscription: KurrentDbSubscription) => void,
  ) {
    source.on('data', (resolved: AllStreamResolvedEvent) => this.receive(resolved));
    source.on('error', (error: unknown) => this.finish(error));
    source.on('end', () => this.finish(this.closed ? undefined : new Error('KurrentDB ended the subscription to $all')));
  }

  [Symbol.asyncIterator](): AsyncIterator<readonly RecordedEvent[]> {
    if (this.iterated) {
      throw new Error('This subscription is already being iterated: open another one with subscribeToAll()');
    }
    this.iterated = true;
    return this.batches();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (!this.ended) {
      this.finish(undefined);
      await this.source.unsubscribe().catch(() => undefined);
    }
    this.onClose(this);
  }

  private receive(resolved: AllStreamResolvedEvent): void {
    try {
      const event = fromResolvedEvent(resolved, this.options.namespace);
      const { after } = this.options;
      if (event === undefined || !passesFilter(event, this.options.filter)) {
        return;
      }
      if (after !== undefined && comparePositions(event.position, after) <= 0) {
        return;
      }
      this.buffer.push(event);
      if (this.buffer.length >= this.options.batchSize) {
        this.source.pause();
      }
      this.signal();
    } catch (error) {
      this.finish(error);
    }
  }

  private finish(error: unknown): void {
    if (this.ended) {
      return;
    }
    this.ended = true;
    this.failure = error;
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async *batches(): AsyncGenerator<readonly RecordedEvent[]> {
    try {
      while (!this.closed) {
        if (this.buffer.length > 0) {
          const batch = this.buffer.splice(0, this.options.batchSize);
          if (this.source.isPaused() && !this.ended) {
            this.source.resume();
          }
          yield batch;
          continue;
        }
        if (this.ended) {
          break;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
      if (!this.closed && this.failure !== undefined) {
        throw this.failure;
      }
    } finally {
      await this.close();
    }
  }
}
