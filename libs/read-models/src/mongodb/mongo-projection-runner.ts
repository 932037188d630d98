import {
  comparePositions,
  EventStore,
  EventSubscription,
  GlobalPosition,
  ProjectionNotFoundError,
  ProjectionStatus,
  RecordedEvent,
  silentLogger,
  START_POSITION,
  StructuredLogger,
} from '@sms/event-store';
import type { ClientSession, Db, MongoClient } from 'mongodb';
import { CheckpointDocument, COLLECTIONS } from './mongo-documents';
import { MongoProjection } from './mongo-projection';

export interface MongoProjectionRunnerOptions {
  /** Maximum number of events per batch; 500 when absent. */
  readonly batchSize?: number;
  /** First wait before retrying a failed batch, in ms, doubled on each failure up to 30 s; 100 when absent. */
  readonly retryInitialDelayMs?: number;
  readonly logger?: StructuredLogger;
}

const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Keeps MongoDB read models up to date from the event store, each projection on its own
 * subscription with its checkpoint in `projection_checkpoints`.
 *
 * On a replica set each batch and its checkpoint commit in one transaction, and runners of the
 * same projection in several processes serialise on the checkpoint document (a write conflict
 * makes the driver retry the later transaction). A standalone server has no transactions: the
 * batch is written first and the checkpoint after it, so a crash in between replays the batch,
 * which the revision filters of the projections turn into no change.
 */
export class MongoProjectionRunner {
  private readonly workers: MongoProjectionWorker[];
  private readonly logger: StructuredLogger;
  private started = false;

  constructor(
    private readonly store: EventStore,
    client: MongoClient,
    private readonly db: Db,
    projections: readonly MongoProjection[],
    options: MongoProjectionRunnerOptions & { readonly transactions: boolean },
  ) {
    this.logger = options.logger ?? silentLogger;
    this.workers = projections.map((projection) => new MongoProjectionWorker(projection, store, client, db, options));
  }

  /** Runs every projection from its checkpoint. The indexes are the store's: run `MongoReadModelStore.setUp` first. */
  async start(): Promise<void> {
    this.started = true;
    for (const worker of this.workers) {
      worker.start();
    }
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all(this.workers.map((worker) => worker.stop()));
  }

  /**
   * Deletes the projection's checkpoint, empties its documents, then runs it from the first event
   * if the runner is started. Resolves before the projection has caught up: use `waitFor` for that.
   *
   * NOTE: the reset is not one transaction, because emptying a large view would exceed what one
   * MongoDB transaction may write. A rebuild stopped part way leaves the view partly emptied
   * behind a deleted checkpoint, and is right again only once a rebuild runs to its end. As with
   * the SQL runner, stop the projection in every other process first.
   */
  async rebuild(projectionName: string): Promise<void> {
    const worker = this.workers.find((candidate) => candidate.projection.name === projectionName);
    if (worker === undefined) {
      throw new ProjectionNotFoundError(
        projectionName,
        this.workers.map((candidate) => candidate.projection.name),
      );
    }
    await worker.stop();

    await this.db.collection<CheckpointDocument>(COLLECTIONS.checkpoints).deleteOne({ _id: projectionName });
    await worker.projection.reset(this.db);
    worker.position = START_POSITION;
    this.logger.info({ projection: projectionName }, 'projection reset, rebuilding from the first event');

    if (this.started) {
      worker.start();
    }
  }

  status(): ProjectionStatus[] {
    return this.workers.map((worker) => ({
      name: worker.projection.name,
      running: worker.isRunning,
      position: worker.position,
      consecutiveFailures: worker.consecutiveFailures,
      lastError: worker.lastError === undefined ? undefined : String(worker.lastError),
    }));
  }

  /** Resolves once every projection has applied `position`, or has no event to apply up to it. */
  async waitFor(position: GlobalPosition, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reached = await Promise.all(this.workers.map((worker) => this.hasReached(worker, position)));
      if (reached.every(Boolean)) {
        return;
      }
      if (Date.now() > deadline) {
        const behind = this.workers.filter((_, index) => !reached[index]).map((worker) => worker.projection.name);
        throw new Error(`projections ${behind.join(', ')} did not reach position ${JSON.stringify(position)} within ${timeoutMs} ms`);
      }
      await delay(20);
    }
  }

  private async hasReached(worker: MongoProjectionWorker, position: GlobalPosition): Promise<boolean> {
    if (comparePositions(worker.position, position) >= 0) {
      return true;
    }
    const after = comparePositions(worker.position, START_POSITION) === 0 ? undefined : worker.position;
    const [next] = await this.store.readAll({ after, filter: worker.projection.filter, maxCount: 1 });
    return next === undefined || comparePositions(next.position, position) > 0;
  }
}

class MongoProjectionWorker {
  position: GlobalPosition = START_POSITION;
  /** Failed attempts since the last batch that succeeded. */
  consecutiveFailures = 0;
  lastError: unknown;
  private stopping = false;
  private running: Promise<void> | undefined;
  private subscription: EventSubscription | undefined;
  private readonly logger: StructuredLogger;

  constructor(
    readonly projection: MongoProjection,
    private readonly store: EventStore,
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly options: MongoProjectionRunnerOptions & { readonly transactions: boolean },
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  start(): void {
    this.stopping = false;
    this.running ??= this.run().finally(() => (this.running = undefined));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.subscription?.close();
    await this.running;
  }

  private async run(): Promise<void> {
    const projection = this.projection.name;
    this.logger.info({ projection }, 'projection started');
    while (!this.stopping) {
      try {
        await this.follow();
      } catch (error) {
        if (this.stopping) {
          break;
        }
        this.consecutiveFailures += 1;
        this.lastError = error;
        const retryInMs = backoff(this.options.retryInitialDelayMs ?? 100, this.consecutiveFailures);
        this.logger.error(
          { projection, position: this.position, attempt: this.consecutiveFailures, retryInMs, err: error },
          'projection failed, retrying',
        );
        await delay(retryInMs);
      }
    }
    this.logger.info({ projection, position: this.position }, 'projection stopped');
  }

  /** Follows the store from the stored checkpoint; a failed batch ends the subscription, and `run` starts again from the checkpoint. */
  private async follow(): Promise<void> {
    const stored = await this.db.collection<CheckpointDocument>(COLLECTIONS.checkpoints).findOne({ _id: this.projection.name });
    this.position = stored === null ? START_POSITION : { commit: stored.commit, prepare: stored.prepare };
    const after = stored === null ? undefined : this.position;
    const subscription = this.store.subscribeToAll({ after, filter: this.projection.filter, maxCount: this.options.batchSize ?? 500 });
    this.subscription = subscription;
    try {
      for await (const batch of subscription) {
        this.position = await this.apply(batch);
        this.consecutiveFailures = 0;
        this.lastError = undefined;
        if (this.stopping) {
          break;
        }
      }
    } finally {
      this.subscription = undefined;
      await subscription.close();
    }
  }

  private async apply(batch: readonly RecordedEvent[]): Promise<GlobalPosition> {
    const session = this.client.startSession();
    try {
      if (this.options.transactions) {
        return await session.withTransaction(() => this.applyWithin(batch, session));
      }
      return await this.applyWithin(batch, session);
    } finally {
      await session.endSession();
    }
  }

  /** Applies the events past the stored checkpoint, then moves the checkpoint. */
  private async applyWithin(batch: readonly RecordedEvent[], session: ClientSession): Promise<GlobalPosition> {
    const checkpoints = this.db.collection<CheckpointDocument>(COLLECTIONS.checkpoints);
    const stored = await checkpoints.findOne({ _id: this.projection.name }, { session });
    const checkpoint = stored === null ? START_POSITION : { commit: stored.commit, prepare: stored.prepare };
    const fresh = batch.filter((event) => comparePositions(event.position, checkpoint) > 0);
    const last = fresh.at(-1);
    if (last === undefined) {
      return checkpoint;
    }
    await this.projection.project(fresh, this.db, session);
    await checkpoints.updateOne(
      { _id: this.projection.name },
      { $set: { commit: last.position.commit, prepare: last.position.prepare, updatedAt: new Date() } },
      { upsert: true, session },
    );
    return last.position;
  }
}

function backoff(initialMs: number, attempt: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, initialMs * 2 ** (attempt - 1));
}

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
