import { SqlClient } from '@sms/platform';
import { comparePositions, EventStore, EventSubscription, GlobalPosition, RecordedEvent, START_POSITION } from '../event-store.port';
import { StructuredLogger } from '../logger';
import { ProjectionCheckpoints } from './projection-checkpoints';
import { SqlProjection } from './sql-projection';

export interface ProjectionWorkerOptions {
  readonly batchSize: number;
  readonly pollIntervalMs: number;
  readonly retryInitialDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly logger: StructuredLogger;
}

/**
 * Runs one projection: follows the store from the projection's checkpoint and applies each batch
 * in a read-database transaction that also moves the checkpoint. A failing batch is logged and
 * retried with exponential backoff until it succeeds or the worker stops, and is never skipped.
 */
export class ProjectionWorker {
  /** Position of the last event applied, or of the checkpoint loaded at start. */
  position: GlobalPosition = START_POSITION;
  consecutiveFailures = 0;
  lastError: unknown = undefined;

  private stopping = false;
  private running: Promise<void> | undefined;
  private subscription: EventSubscription | undefined;
  private cancelDelay: (() => void) | undefined;

  constructor(
    readonly projection: SqlProjection,
    private readonly store: EventStore,
    private readonly readDb: SqlClient,
    private readonly checkpoints: ProjectionCheckpoints,
    private readonly options: ProjectionWorkerOptions,
    private readonly onProgress: () => void,
  ) {}

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  start(): void {
    if (this.running) {
      return;
    }
    this.stopping = false;
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
  }

  /** Stops following the store and resolves once the batch under way, if any, has committed or rolled back. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.cancelDelay?.();
    await this.subscription?.close();
    await this.running;
  }

  private async run(): Promise<void> {
    const projection = this.projection.name;
    this.options.logger.info({ projection }, 'projection started');

    while (!this.stopping) {
      try {
        await this.follow();
      } catch (error) {
        if (this.stopping) {
          break;
        }
        this.recordFailure(error);
        const attempt = this.consecutiveFailures;
        const retryInMs = this.backoff(attempt);
        this.options.logger.error(
          { projection, position: this.position, attempt, retryInMs, err: error },
          'projection failed to read events, retrying',
        );
        await this.delay(retryInMs);
      }
    }

    this.options.logger.info({ projection, position: this.position }, 'projection stopped');
  }

  private async follow(): Promise<void> {
    this.position = (await this.checkpoints.read(this.readDb, this.projection.name)) ?? START_POSITION;
    if (this.stopping) {
      return;
    }

    const subscription = this.store.subscribeToAll({
      after: this.position,
      filter: this.projection.filter,
      maxCount: this.options.batchSize,
      pollIntervalMs: this.options.pollIntervalMs,
    });
    this.subscription = subscription;
    try {
      for await (const batch of subscription) {
        await this.applyWithRetries(batch);
        if (this.stopping) {
          break;
        }
      }
    } finally {
      this.subscription = undefined;
      await subscription.close();
    }
  }

  private async applyWithRetries(batch: readonly RecordedEvent[]): Promise<void> {
    const projection = this.projection.name;

    for (let attempt = 1; !this.stopping; attempt += 1) {
      try {
        const applied = await this.apply(batch);
        if (this.consecutiveFailures > 0) {
          this.options.logger.info({ projection, position: applied, attempts: attempt }, 'projection batch applied after retries');
        }
        this.consecutiveFailures = 0;
        this.lastError = undefined;
        this.position = applied;
        this.onProgress();
        return;
      } catch (error) {
        const retryInMs = this.backoff(attempt);
        this.recordFailure(error);
        this.options.logger.error(
          {
            projection,
            firstPosition: batch[0]?.position,
            lastPosition: batch.at(-1)?.position,
            eventCount: batch.length,
            attempt,
            retryInMs,
            err: error,
          },
          'projection batch failed and was rolled back, retrying',
        );
        await this.delay(retryInMs);
      }
    }
  }

  /**
   * Applies the events past the stored checkpoint and moves the checkpoint, in one transaction.
   * Events at or before the checkpoint were applied by another runner of this projection and are
   * left out. Returns the checkpoint after the transaction.
   *
   * The commit does not wait for its disk flush (`synchronous_commit = off`). A crash of PostgreSQL
   * may then lose the last batches, but it loses their checkpoint with them, so the projection
   * applies them again after the restart, as it would a replayed batch.
   */
  private async apply(batch: readonly RecordedEvent[]): Promise<GlobalPosition> {
    return this.readDb.transaction(async (tx) => {
      await tx.query('SET LOCAL synchronous_commit = off');
      const checkpoint = await this.checkpoints.lock(tx, this.projection.name);
      const fresh = batch.filter((event) => comparePositions(event.position, checkpoint) > 0);
      const last = fresh.at(-1);
      if (!last) {
        return checkpoint;
      }

      await this.projection.project(fresh, tx);
      await this.checkpoints.write(tx, this.projection.name, last.position);
      return last.position;
    });
  }

  private recordFailure(error: unknown): void {
    this.consecutiveFailures += 1;
    this.lastError = error;
  }

  private backoff(attempt: number): number {
    return Math.min(this.options.retryMaxDelayMs, this.options.retryInitialDelayMs * 2 ** (attempt - 1));
  }

  private delay(milliseconds: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(finish, milliseconds);
      const cancel = (): void => finish();
      this.cancelDelay = cancel;

      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
