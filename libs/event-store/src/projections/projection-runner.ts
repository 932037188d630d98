import { SqlClient } from '@sms/platform';
import { comparePositions, EventStore, GlobalPosition, InvalidEventStoreArgumentError, START_POSITION } from '../event-store.port';
import { silentLogger, StructuredLogger } from '../logger';
import { ProjectionCheckpoints } from './projection-checkpoints';
import { ProjectionNotFoundError, ProjectionWaitTimeoutError } from './projection-errors';
import { ProjectionWorker } from './projection-worker';
import { SqlProjection } from './sql-projection';

export interface ProjectionRunnerOptions {
  /** Maximum number of events per projection transaction; 500 when absent. */
  readonly batchSize?: number;
  /** Wait between polls of the event store once a projection has caught up, in ms; 25 when absent. */
  readonly pollIntervalMs?: number;
  /** Schema of the `projection_checkpoints` table in the read database; `public` when absent. */
  readonly checkpointSchema?: string;
  /** First wait before retrying a failed batch, in ms, doubled on each failure; 100 when absent. */
  readonly retryInitialDelayMs?: number;
  /** Maximum wait between retries of a failed batch, in ms; 30,000 when absent. */
  readonly retryMaxDelayMs?: number;
  readonly logger?: StructuredLogger;
}

export interface ProjectionStatus {
  readonly name: string;
  readonly running: boolean;
  /** Position of the last event applied. */
  readonly position: GlobalPosition;
  /** Failed attempts since the last batch that succeeded; 0 when healthy. */
  readonly consecutiveFailures: number;
  readonly lastError: string | undefined;
}

/**
 * Keeps SQL read models up to date from the event store. Each projection follows the store on its
 * own subscription and stores its checkpoint in `projection_checkpoints`, in the same transaction
 * as its rows, so a crash never applies a batch twice or loses one.
 *
 * Several runners of the same projection, in one process or many, apply each event once because
 * each batch locks the checkpoint row first.
 */
export class ProjectionRunner {
  private readonly checkpoints: ProjectionCheckpoints;
  private readonly workers = new Map<string, ProjectionWorker>();
  private readonly progressListeners = new Set<() => void>();
  private readonly logger: StructuredLogger;
  private readonly pollIntervalMs: number;
  private started = false;

  constructor(
    private readonly store: EventStore,
    private readonly readDb: SqlClient,
    projections: readonly SqlProjection[],
    options: ProjectionRunnerOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.pollIntervalMs = positiveInteger('pollIntervalMs', options.pollIntervalMs ?? 25);
    this.checkpoints = new ProjectionCheckpoints(readDb, options.checkpointSchema ?? 'public');

    const workerOptions = {
      batchSize: positiveInteger('batchSize', options.batchSize ?? 500),
      pollIntervalMs: this.pollIntervalMs,
      retryInitialDelayMs: positiveInteger('retryInitialDelayMs', options.retryInitialDelayMs ?? 100),
      retryMaxDelayMs: positiveInteger('retryMaxDelayMs', options.retryMaxDelayMs ?? 30_000),
      logger: this.logger,
    };
    for (const projection of projections) {
      if (this.workers.has(projection.name)) {
        throw new InvalidEventStoreArgumentError('projections', `two projections are named '${projection.name}'`);
      }
      this.workers.set(
        projection.name,
        new ProjectionWorker(projection, store, readDb, this.checkpoints, workerOptions, () => this.notifyProgress()),
      );
    }
  }

  /** Creates the checkpoint table and each projection's tables, then runs every projection from its checkpoint. */
  async start(): Promise<void> {
    if (this.started) {
      return;
    }
    await this.checkpoints.ensureTable();
    for (const worker of this.workers.values()) {
      await this.setUp(worker.projection);
    }

    this.started = true;
    for (const worker of this.workers.values()) {
      worker.start();
    }
  }

  /** Stops every projection once its batch under way has committed or rolled back. */
  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.workers.values()].map((worker) => worker.stop()));
  }

  /**
   * Empties the projection's tables and deletes its checkpoint in one transaction, then runs it from
   * the first event if the runner is started. Resolves before the projection has caught up: use
   * `waitFor` for that.
   *
   * NOTE: another runner of the same projection, in this process or another, keeps its position and
   * may apply newer events first, after which this rebuild skips the older ones. Stop the projection
   * everywhere else before rebuilding it.
   */
  async rebuild(projectionName: string): Promise<void> {
    const worker = this.worker(projectionName);
    await worker.stop();

    await this.readDb.transaction(async (tx) => {
      await this.checkpoints.lock(tx, projectionName);
      await worker.projection.reset(tx);
      await worker.projection.setup(tx);
      await this.checkpoints.delete(tx, projectionName);
    });
    worker.position = START_POSITION;
    this.logger.info({ projection: projectionName }, 'projection reset, rebuilding from the first event');

    if (this.started) {
      worker.start();
    }
  }

  /**
   * Resolves once every projection has applied the events up to `position`, such as the position of
   * an append whose result a caller wants to read. A projection whose filter rejects the event at
   * `position` counts once that position is final and no event it accepts lies before it. Rejects
   * with ProjectionWaitTimeoutError after `timeoutMs`.
   *
   * Do not call it inside a transaction that has written to the event store's cluster, because that
   * transaction stops the store's read horizon from advancing and the wait can only time out.
   */
  async waitFor(position: GlobalPosition, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const behind = await this.findProjectionsBehind(position);
      if (behind.length === 0) {
        return;
      }

      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) {
        throw new ProjectionWaitTimeoutError(
          position,
          behind.map((worker) => ({ name: worker.projection.name, position: worker.position })),
          timeoutMs,
        );
      }
      await this.waitForProgress(Math.min(remainingMs, this.pollIntervalMs));
    }
  }

  status(): ProjectionStatus[] {
    return [...this.workers.values()].map((worker) => ({
      name: worker.projection.name,
      running: worker.isRunning,
      position: worker.position,
      consecutiveFailures: worker.consecutiveFailures,
      lastError: worker.lastError === undefined ? undefined : String(worker.lastError),
    }));
  }

  private async setUp(projection: SqlProjection): Promise<void> {
    await this.readDb.transaction(async (tx) => {
      // Two processes starting together would otherwise race on CREATE TABLE IF NOT EXISTS.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('sms-campaigns:projection-setup'), hashtext($1))`, [projection.name]);
      await projection.setup(tx);
    });
  }

  private async findProjectionsBehind(position: GlobalPosition): Promise<ProjectionWorker[]> {
    const behind: ProjectionWorker[] = [];
    for (const worker of this.workers.values()) {
      if (!(await this.hasReached(worker, position))) {
        behind.push(worker);
      }
    }
    return behind;
  }

  private async hasReached(worker: ProjectionWorker, position: GlobalPosition): Promise<boolean> {
    if (comparePositions(worker.position, position) >= 0) {
      return true;
    }
    const { filter } = worker.projection;
    if (!filter) {
      return false;
    }

    // First make sure no transaction can still add events at or before `position`: the store
    // returns the event at `position` only once everything before it is final.
    const [atPosition] = await this.store.readAll({ after: positionBefore(position), maxCount: 1 });
    if (!atPosition) {
      return false;
    }
    const [nextAccepted] = await this.store.readAll({ after: worker.position, filter, maxCount: 1 });
    return !nextAccepted || comparePositions(nextAccepted.position, position) > 0;
  }

  private waitForProgress(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.progressListeners.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.progressListeners.add(finish);
    });
  }

  private notifyProgress(): void {
    for (const listener of [...this.progressListeners]) {
      listener();
    }
  }

  private worker(projectionName: string): ProjectionWorker {
    const worker = this.workers.get(projectionName);
    if (!worker) {
      throw new ProjectionNotFoundError(projectionName, [...this.workers.keys()]);
    }
    return worker;
  }
}

/** Returns the greatest position below `position`, so that reading after it starts at `position`. */
function positionBefore(position: GlobalPosition): GlobalPosition {
  if (position.prepare > 0) {
    return { commit: position.commit, prepare: position.prepare - 1 };
  }
  if (position.commit > 0) {
    return { commit: position.commit - 1, prepare: Number.MAX_SAFE_INTEGER };
  }
  return START_POSITION;
}

function positiveInteger(option: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidEventStoreArgumentError(option, `${String(value)} is not valid: use an integer >= 1`);
  }
  return value;
}
