import { EventStore, GlobalPosition, ProjectionRunner, ProjectionStatus } from '@sms/event-store';
import { SqlClient } from '@sms/platform';
import { createSqlProjections, MongoReadModelStore, ReadModelStore } from '@sms/read-models';
import { AppConfig } from '../config/app-config';
import { READ_SCHEMA } from '../infrastructure/infrastructure';
import { AppLogger } from '../logging/logger';

/** Injection token of the ReadModelProjector of the read store in use. */
export const READ_MODEL_PROJECTOR = Symbol('READ_MODEL_PROJECTOR');

/** The projections of the read store in use: the SQL ProjectionRunner or the MongoDB one. */
export interface ReadModelProjector {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves once every projection has applied `position`. */
  waitFor(position: GlobalPosition, timeoutMs?: number): Promise<void>;
  status(): ProjectionStatus[];
  /** Empties one projection's read model and runs it again from the first event. */
  rebuild(projectionName: string): Promise<void>;
}

/**
 * Events per projection transaction on PostgreSQL. Larger than the runner's default of 500 because
 * an import appends thousands of TargetAdded a second, and each batch pays a read of the store and
 * a checkpoint update whatever its size. PGlite keeps 500: it runs on the event loop's thread, and a
 * larger batch blocks the API for longer.
 */
const POSTGRES_PROJECTION_BATCH_SIZE = 2_000;

/**
 * Builds the projector of READ_STORE: on `mongodb` the MongoDB projections, after creating the
 * collections' indexes, with their checkpoints in MongoDB; otherwise the SQL projections, with
 * their checkpoints in the read database.
 */
export async function createReadModelProjector(
  config: AppConfig,
  store: EventStore,
  readDb: SqlClient | undefined,
  readStore: ReadModelStore,
  logger: AppLogger,
): Promise<ReadModelProjector> {
  if (config.READ_STORE === 'mongodb') {
    if (!(readStore instanceof MongoReadModelStore)) {
      throw new Error(`READ_STORE is mongodb but the read store is ${readStore.label}: the infrastructure must open the MongoDB store`);
    }
    await readStore.setUp();
    return readStore.createProjectionRunner(store, { logger });
  }
  if (readDb === undefined) {
    throw new Error(`READ_STORE is ${config.READ_STORE} but no SQL database is open for the read models`);
  }
  return new ProjectionRunner(store, readDb, createSqlProjections({ schema: READ_SCHEMA }), {
    checkpointSchema: READ_SCHEMA,
    batchSize: readDb.dialect === 'postgres' ? POSTGRES_PROJECTION_BATCH_SIZE : undefined,
    logger,
  });
}
