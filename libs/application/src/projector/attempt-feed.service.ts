import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventStore } from '@sms/event-store';
import { SqlClient } from '@sms/platform';
import { AppConfig } from '../config/app-config';
import { READ_SCHEMA } from '../infrastructure/infrastructure';
import { APP_CONFIG, EVENT_STORE, LOGGER, READ_DB } from '../infrastructure/tokens';
import { AppLogger } from '../logging/logger';
import { JetStreamAttemptSink } from './attempt-feed.sink';
import { AttemptFeedWorker } from './attempt-feed.worker';

/**
 * Runs the Reporter's attempt feed in the projector process when REPORTER_FEED is `nats`. The
 * feed is off by default, so that the embedded profile needs no NATS server.
 */
@Injectable()
export class AttemptFeedService implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker: AttemptFeedWorker | undefined;
  private sink: JetStreamAttemptSink | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_DB) private readonly readDb: SqlClient | undefined,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.REPORTER_FEED !== 'nats') {
      return;
    }
    // The feed keeps its checkpoint in the SQL database, whatever READ_STORE is.
    if (this.readDb === undefined) {
      throw new Error('REPORTER_FEED=nats keeps its checkpoint in PostgreSQL: set DATABASE_URL');
    }
    this.sink = await JetStreamAttemptSink.connect({
      url: this.config.NATS_URL,
      stream: this.config.REPORTER_FEED_STREAM,
      subjectPrefix: this.config.REPORTER_FEED_SUBJECT_PREFIX,
      logger: this.logger,
    });
    this.worker = new AttemptFeedWorker(this.store, this.readDb, this.sink, this.logger, { checkpointSchema: READ_SCHEMA });
    await this.worker.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.stop();
    await this.sink?.close();
  }
}
