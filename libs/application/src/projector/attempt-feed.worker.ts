import { comparePositions, EventStore, GlobalPosition, RecordedEvent, START_POSITION } from '@sms/event-store';
import { SqlClient } from '@sms/platform';
import { ATTEMPT_FEED_FILTER, attemptChangesOf, quoteSchemaName } from '@sms/read-models';
import { AppLogger } from '../logging/logger';
import { AttemptFeedSink } from './attempt-feed.sink';

export interface AttemptFeedOptions {
  /** Schema of the `attempt_feed_checkpoints` table. */
  readonly checkpointSchema: string;
  /** Key of this feed's checkpoint row. */
  readonly name?: string;
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  /** Maximum wait between retries of a failed batch, in ms; 30,000 when absent. */
  readonly retryMaxDelayMs?: number;
}

/**
 * Publishes every attempt change to a sink, in the store's global order, from a checkpoint of its
 * own. For each batch it reads the touched target streams, folds them into the attempts' states,
 * publishes, and only then moves the checkpoint. Delivery is therefore at least once: a crash
 * between the publish and the checkpoint sends the batch again, and consumers drop a repeat by
 * (attemptId, version).
 *
 * It is not a SqlProjection, because it reads the event store while it works, and on PGlite that
 * read would wait forever behind the projection runner's open transaction.
 */
export class AttemptFeedWorker {
  private readonly table: string;
  private readonly name: string;
  private stopping = false;
  private running: Promise<void> | undefined;
  private closeSubscription: (() => Promise<void>) | undefined;
  private wake: (() => void) | undefined;
  private position: GlobalPosition = START_POSITION;

  constructor(
    private readonly store: EventStore,
    private readonly db: SqlClient,
    private readonly sink: AttemptFeedSink,
    private readonly logger: AppLogger,
    private readonly options: AttemptFeedOptions,
  ) {
    this.table = `${quoteSchemaName(options.checkpointSchema)}.attempt_feed_checkpoints`;
    this.name = options.name ?? 'reporter-attempt-feed';
  }

  async start(): Promise<void> {
    await this.db.query(`CREATE SCHEMA IF NOT EXISTS ${quoteSchemaName(this.options.checkpointSchema)}`);
    await this.db.query(
      `CREATE TABLE IF NOT EXISTS ${this.table} (
         feed_name text PRIMARY KEY,
         commit_position bigint NOT NULL,
         prepare_position bigint NOT NULL,
         updated_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    this.stopping = false;
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.closeSubscription?.();
    await this.running;
  }

  /** Position of the last event whose changes are published. */
  get checkpoint(): GlobalPosition {
    return this.position;
  }

  private async run(): Promise<void> {
    this.logger.info({ feed: this.name }, 'attempt feed started');
    for (let failures = 0; !this.stopping;) {
      try {
        await this.follow();
      } catch (error) {
        if (this.stopping) {
          break;
        }
        failures += 1;
        const retryInMs = Math.min(this.options.retryMaxDelayMs ?? 30_000, 100 * 2 ** (failures - 1));
        this.logger.error(
          { feed: this.name, position: this.position, attempt: failures, retryInMs, err: error },
          'attempt feed failed, retrying',
        );
        await this.delay(retryInMs);
        continue;
      }
      failures = 0;
    }
    this.logger.info({ feed: this.name, position: this.position }, 'attempt feed stopped');
  }

  private async follow(): Promise<void> {
    this.position = await this.readCheckpoint();
    const subscription = this.store.subscribeToAll({
      after: this.position,
      filter: ATTEMPT_FEED_FILTER,
      maxCount: this.options.batchSize ?? 500,
      pollIntervalMs: this.options.pollIntervalMs ?? 25,
    });
    this.closeSubscription = () => subscription.close();
    try {
      for await (const batch of subscription) {
        await this.publishBatch(batch);
        if (this.stopping) {
          break;
        }
      }
    } finally {
      this.closeSubscription = undefined;
      await subscription.close();
    }
  }

  private async publishBatch(batch: readonly RecordedEvent[]): Promise<void> {
    const fresh = batch.filter((event) => comparePositions(event.position, this.position) > 0);
    const last = fresh.at(-1);
    if (last === undefined) {
      return;
    }
    const streamNames = [...new Set(fresh.map((event) => event.streamName))];
    const streamEvents = await this.store.readStreams(streamNames);
    const changes = attemptChangesOf(fresh, streamEvents);
    await this.sink.publish(changes);
    await this.writeCheckpoint(last.position);
    this.position = last.position;
    this.logger.debug({ feed: this.name, changes: changes.length, targets: streamNames.length }, 'attempt changes published');
  }

  private async readCheckpoint(): Promise<GlobalPosition> {
    const { rows } = await this.db.query<{ commit_position: string | number; prepare_position: string | number }>(
      `SELECT commit_position, prepare_position FROM ${this.table} WHERE feed_name = $1`,
      [this.name],
    );
    return rows.length === 0 ? START_POSITION : { commit: Number(rows[0].commit_position), prepare: Number(rows[0].prepare_position) };
  }

  /** Moves the checkpoint forward only, so that a second projector process running the feed never moves it back. */
  private async writeCheckpoint(position: GlobalPosition): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.table} AS checkpoint (feed_name, commit_position, prepare_position) VALUES ($1, $2, $3)
       ON CONFLICT (feed_name) DO UPDATE SET commit_position = EXCLUDED.commit_position,
         prepare_position = EXCLUDED.prepare_position, updated_at = now()
       WHERE (checkpoint.commit_position, checkpoint.prepare_position) < (EXCLUDED.commit_position, EXCLUDED.prepare_position)`,
      [this.name, position.commit, position.prepare],
    );
  }

  private delay(milliseconds: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(finish, milliseconds);
      this.wake = finish;
      function finish(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
