import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventStore, GlobalPosition, ProjectionRunner } from '@sms/event-store';
import { SqlClient } from '@sms/platform';
import { createSqlProjections } from '@sms/read-models';
import { READ_SCHEMA } from '../infrastructure/infrastructure';
import { EVENT_STORE, LOGGER, READ_DB } from '../infrastructure/tokens';
import { AppLogger } from '../logging/logger';

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
