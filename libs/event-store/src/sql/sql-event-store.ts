import { PgliteClient, PostgresClient, SqlClient, SqlExecutor, TableStatistics } from '@sms/platform';
import {
  AppendOptions,
  AppendResult,
  EventStore,
  EventSubscription,
  ExpectedRevision,
  InvalidEventStoreArgumentError,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamAppend,
  SubscribeOptions,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { silentLogger, StructuredLogger } from '../logger';
import {
  appendAtAnyRevisionWithin,
  appendAtRevisionsWithin,
  appendNewStreamsWithin,
  appendWithin,
  AppendOutcome,
  createsNewStreamsOnly,
  expectsAnyRevisionOnly,
  expectsRevisionsOnly,
  validateAppends,
} from './append-events';
import { DEFAULT_EVENT_STORE_SCHEMA, ensureEventStoreSchema, EventStoreTables, eventStoreTables } from './event-store-schema';
import { DEFAULT_POLL_INTERVAL_MS, DEFAULT_SUBSCRIPTION_BATCH_SIZE, PollingSubscription } from './polling-subscription';
import { ReadAllPage, readAllPage, ReadAllPageRequest, readStreamEvents, readStreamsEvents } from './read-events';

export interface SqlEventStoreOptions {
  /** PostgreSQL schema of the store's tables; `event_store` when absent. */
  readonly schema?: string;
  /** Whether `close()` also closes the client. The factories set it when they opened the client. */
  readonly ownsClient?: boolean;
  /** Receives a warning for each batch retried after a unique violation or a deadlock. */
  readonly logger?: StructuredLogger;
}

/**
 * `durability: 'deferred'` commits the batch without waiting for PostgreSQL to flush it to disk
 * (`SET LOCAL synchronous_commit = off`). The batch is visible and ordered as usual. A crash of
 * the PostgreSQL server within about 0.6 s of the commit may lose it: the PostgreSQL manual
 * ("Asynchronous Commit") bounds the delay at three times `wal_writer_delay`, 200 ms by default.
 * WAL is written in order, so a later commit on the same server that waits for its flush makes
 * the deferred batch durable too. `flushed` (the default) waits for the flush.
 */
export type SqlAppendOptions = AppendOptions;

/**
 * Attempts of one batch when PostgreSQL rejects it for a reason that a fresh attempt resolves: a
 * stream or event id created concurrently (unique violation), or a deadlock.
 */
const MAX_BATCH_ATTEMPTS = 5;
const RETRYABLE_SQLSTATES = new Set(['23505', '40P01']);

/**
 * The event store over PostgreSQL or PGlite, one SQL for both. Call `ensureSchema()` once before
 * use, or open it through `createPostgresEventStore` / `createEmbeddedEventStore`, which do.
 */
export class SqlEventStore implements EventStore {
  readonly tables: EventStoreTables;
  private readonly subscriptions = new Set<PollingSubscription>();
  private readonly logger: StructuredLogger;
  private readonly statistics: TableStatistics;

  constructor(
    readonly client: SqlClient,
    private readonly options: SqlEventStoreOptions = {},
  ) {
    this.tables = eventStoreTables(options.schema ?? DEFAULT_EVENT_STORE_SCHEMA);
    this.logger = options.logger ?? silentLogger;
    this.statistics = new TableStatistics([this.tables.events, this.tables.streams]);
  }

  async ensureSchema(): Promise<void> {
    await ensureEventStoreSchema(this.client, this.tables);
  }

  async appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    const [outcome] = await this.appendToStreams([{ streamName, events, expectedRevision: options.expectedRevision }]);
    if (!outcome) {
      throw new Error(`Internal error: appending to stream '${streamName}' returned no result`);
    }
    if (outcome instanceof WrongExpectedRevisionError) {
      throw outcome;
    }
    return outcome;
  }

  /**
   * Appends every stream of the batch in one transaction of at most four statements, or of one
   * statement when the batch only creates streams that do not exist yet. A DuplicateEventIdError
   * or an invalid argument rejects the whole batch and stores nothing.
   */
  async appendToStreams(appends: readonly StreamAppend[], options: SqlAppendOptions = {}): Promise<AppendOutcome[]> {
    validateAppends(appends);
    if (appends.length === 0) {
      return [];
    }

    const outcomes = await this.appendWithRetries(appends, options.durability ?? 'flushed');
    if (outcomes.some((outcome) => !(outcome instanceof WrongExpectedRevisionError))) {
      for (const subscription of this.subscriptions) {
        subscription.notify();
      }
      this.refreshStatistics(appends, outcomes);
    }
    return outcomes;
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return readStreamEvents(this.client, this.tables, streamName, options);
  }

  async readStreams(streamNames: readonly string[]): Promise<RecordedEvent[]> {
    return readStreamsEvents(this.client, this.tables, streamNames);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const page = await this.readAllPage(options);
    return page.events;
  }

  /** Like `readAll`, and also returns the horizon below which every event is final. */
  async readAllPage(request: ReadAllPageRequest): Promise<ReadAllPage> {
    return readAllPage(this.client, this.tables, request);
  }

  /**
   * Opens a polling subscription. `maxCount` is the maximum batch size (500 when absent) and
   * `pollIntervalMs` the wait after a short batch (25 ms when absent). Appends made through this
   * store instance wake it at once, and appends from other processes are seen at the next poll.
   */
  subscribeToAll(options: SubscribeOptions = {}): EventSubscription {
    const subscription = new PollingSubscription(
      (request) => this.readAllPage(request),
      {
        after: options.after,
        filter: options.filter,
        batchSize: options.maxCount ?? DEFAULT_SUBSCRIPTION_BATCH_SIZE,
        pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
      },
      (closed) => this.subscriptions.delete(closed),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Closes every open subscription, then the client when this store opened it. */
  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    if (this.options.ownsClient) {
      await this.client.close();
    }
  }

  /**
   * Counts the events stored and, once enough were, runs ANALYZE on the events and streams in the
   * background (see TableStatistics). A failed ANALYZE is logged: the appends stand either way.
   */
  private refreshStatistics(appends: readonly StreamAppend[], outcomes: readonly AppendOutcome[]): void {
    const stored = appends.reduce(
      (count, append, index) => (outcomes[index] instanceof WrongExpectedRevisionError ? count : count + append.events.length),
      0,
    );
    if (this.statistics.noteWrites(stored)) {
      this.statistics.analyze(this.client).catch((error: unknown) => {
        this.logger.warn({ schema: this.tables.schemaName, err: error }, 'event store statistics could not be refreshed with ANALYZE');
      });
    }
  }

  private async appendWithRetries(appends: readonly StreamAppend[], durability: 'flushed' | 'deferred'): Promise<AppendOutcome[]> {
    const oneStatement = oneStatementPathOf(appends);
    for (let attempt = 1; ; attempt += 1) {
      // A retry takes the general path, which reports an event id stored elsewhere as
      // DuplicateEventIdError and recognises an idempotent retry.
      const append = attempt === 1 && oneStatement !== undefined ? oneStatement : appendWithin;
      try {
        if (append !== appendWithin && durability === 'flushed') {
          // One statement is a transaction of its own: no BEGIN and COMMIT round trips.
          return await append(this.client, this.tables, appends);
        }
        return await this.client.transaction(async (tx) => {
          if (durability === 'deferred') {
            await tx.query('SET LOCAL synchronous_commit = off');
          }
          return append(tx, this.tables, appends);
        });
      } catch (error) {
        const state = sqlState(error);
        if (attempt >= MAX_BATCH_ATTEMPTS || !RETRYABLE_SQLSTATES.has(state)) {
          throw error;
        }
        this.logger.warn(
          { schema: this.tables.schemaName, streamCount: appends.length, sqlState: state, attempt, err: error },
          'event store append conflicted with a concurrent transaction, retrying the batch',
        );
      }
    }
  }
}

type AppendPath = (tx: SqlExecutor, tables: EventStoreTables, appends: readonly StreamAppend[]) => Promise<AppendOutcome[]>;

/**
 * Returns the path that appends the batch in one statement when its appends all expect the same
 * kind of revision, each stream once, each with events; undefined for any other batch.
 */
function oneStatementPathOf(appends: readonly StreamAppend[]): AppendPath | undefined {
  if (createsNewStreamsOnly(appends)) return appendNewStreamsWithin;
  if (expectsRevisionsOnly(appends)) return appendAtRevisionsWithin;
  if (expectsAnyRevisionOnly(appends)) return appendAtAnyRevisionWithin;
  return undefined;
}

export interface PostgresEventStoreOptions {
  /** PostgreSQL URL; the store opens a pool and closes it on `close()`. */
  readonly connectionString?: string;
  /** An open client, left open by `close()`. Give this or `connectionString`. */
  readonly client?: SqlClient;
  /** Schema of the store's tables; `event_store` when absent. */
  readonly schema?: string;
  readonly logger?: StructuredLogger;
}

/** Opens the event store on PostgreSQL and creates its schema when missing. */
export async function createPostgresEventStore(options: PostgresEventStoreOptions): Promise<SqlEventStore> {
  if ((options.client === undefined) === (options.connectionString === undefined)) {
    throw new InvalidEventStoreArgumentError('options', 'createPostgresEventStore needs either a connectionString or a client');
  }
  const client = options.client ?? new PostgresClient(String(options.connectionString));
  return openStore(client, { schema: options.schema, ownsClient: !options.client, logger: options.logger });
}

export interface EmbeddedEventStoreOptions {
  /** PGlite data directory, or `memory://`; the store opens PGlite and closes it on `close()`. */
  readonly dataDir?: string;
  /** An open PGlite client, left open by `close()`. Give this or `dataDir`. */
  readonly client?: SqlClient;
  /** Schema of the store's tables; `event_store` when absent. */
  readonly schema?: string;
  readonly logger?: StructuredLogger;
}

/** Opens the event store on embedded PostgreSQL (PGlite) and creates its schema when missing. */
export async function createEmbeddedEventStore(options: EmbeddedEventStoreOptions): Promise<SqlEventStore> {
  if ((options.client === undefined) === (options.dataDir === undefined)) {
    throw new InvalidEventStoreArgumentError('options', "createEmbeddedEventStore needs either a dataDir (or 'memory://') or a client");
  }
  const client = options.client ?? (await PgliteClient.open(String(options.dataDir)));
  return openStore(client, { schema: options.schema, ownsClient: !options.client, logger: options.logger });
}

async function openStore(client: SqlClient, options: SqlEventStoreOptions): Promise<SqlEventStore> {
  try {
    const store = new SqlEventStore(client, options);
    await store.ensureSchema();
    return store;
  } catch (error) {
    if (options.ownsClient) {
      await client.close().catch(() => undefined);
    }
    throw error;
  }
}

function sqlState(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return '';
}
