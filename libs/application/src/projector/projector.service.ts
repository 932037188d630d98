import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventStore, GlobalPosition, ProjectionRunner } from '@sms/event-store';
import { SqlClient } from '@sms/platform';
import { createSqlProjections } from '@sms/read-models';
import { READ_SCHEMA } from '../infrastructure/infrastructure';
import { EVENT_STORE, LOGGER, READ_DB } from '../infrastructure/tokens';
import { AppLogger } from '../logging/logger';

/**
 * Events per projection transaction on PostgreSQL. Larger than the runner's default of 500 because
 * an import appends thousands of TargetAdded a second, and each batch pays a read of the store and
 * a checkpoint update whatever its size. PGlite keeps 500: it runs on the event loop's thread, and a
 * larger batch blocks the API for longer.
 */
const POSTGRES_PROJECTION_BATCH_SIZE = 2_000;

/** Runs every read-model projection, each from its own checkpoint in the read database. */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly runner: ProjectionRunner;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(READ_DB) readDb: SqlClient,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {
    this.runner = new ProjectionRunner(store, readDb, createSqlProjections({ schema: READ_SCHEMA }), {
      checkpointSchema: READ_SCHEMA,
      batchSize: readDb.dialect === 'postgres' ? POSTGRES_PROJECTION_BATCH_SIZE : undefined,
      logger,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
    this.logger.info({ projections: this.runner.status().map((status) => status.name) }, 'projector started');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
    this.logger.info('projector stopped');
  }

  /** Resolves once every projection has applied `position`: read-your-writes for tests and tools. */
  waitFor(position: GlobalPosition, timeoutMs?: number): Promise<void> {
    return this.runner.waitFor(position, timeoutMs);
  }
}
