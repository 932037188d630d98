import type { EventStore, GlobalPosition, StructuredLogger } from '@sms/event-store';
import type { Db, MongoClient } from 'mongodb';
import type {
  CalendarQueryPort,
  ImportQueryPort,
  OptOutQueryPort,
  ProfileQueryPort,
  ReadModelQueryPort,
  ReadModelStore,
  ReplyOriginQueryPort,
  SenderQueryPort,
  TemplateQueryPort,
} from '../read-model-store.port';
import { ReadModelNotBuiltError } from '../read-model-store.port';
import { MongoCampaignQueries, MongoCampaignsProjection } from './mongo-campaigns';
import { connectMongoClient, maskMongoUrl } from './mongo-connection';
import { AttemptDocument, CampaignDocument, CheckpointDocument, COLLECTIONS, TargetDocument } from './mongo-documents';
import { MongoProjectionRunner, MongoProjectionRunnerOptions } from './mongo-projection-runner';
import { MongoTargetQueries } from './mongo-targets.queries';
import { MongoTargetsProjection } from './mongo-targets.projection';

export interface MongoReadModelStoreOptions {
  /** `mongodb://` or `mongodb+srv://` URL. */
  readonly url: string;
  /** Database of the read models; the URL's database, or `sms_read_models` when it names none. */
  readonly database?: string;
  /** Maximum wait for the server at start, in ms; 5,000 when absent. */
  readonly connectTimeoutMs?: number;
  readonly logger?: StructuredLogger;
}

/**
 * The read models in MongoDB: campaigns, targets, attempts and send history, with their
 * projections and checkpoints.
 *
 * NOTE: the senders, templates, calendars, profiles, imports, opt-outs and reply-origin views
 * are not built on MongoDB yet. Their queries reject with ReadModelNotBuiltError, and the
 * Banner list, which reads profiles, does too.
 */
export class MongoReadModelStore implements ReadModelStore {
  readonly queries: ReadModelQueryPort;

  constructor(
    readonly client: MongoClient,
    readonly db: Db,
    readonly label: string,
  ) {
    this.queries = {
      campaigns: new MongoCampaignQueries(db),
      targets: new MongoTargetQueries(db),
      senders: notBuiltView<SenderQueryPort>('senders'),
      templates: notBuiltView<TemplateQueryPort>('templates'),
      calendars: notBuiltView<CalendarQueryPort>('calendars'),
      profiles: notBuiltView<ProfileQueryPort>('profiles'),
      imports: notBuiltView<ImportQueryPort>('imports'),
      optOuts: notBuiltView<OptOutQueryPort>('opt-outs'),
      replyOrigins: notBuiltView<ReplyOriginQueryPort>('reply-origins'),
    };
  }

  /** Creates the indexes the queries use. `createIndex` does nothing for an index that exists, so every process may run it. */
  async setUp(): Promise<void> {
    const campaigns = this.db.collection<CampaignDocument>(COLLECTIONS.campaigns);
    await campaigns.createIndex({ createdAt: -1, _id: 1 }, { name: 'campaigns_by_creation' });
    await campaigns.createIndex({ tags: 1 }, { name: 'campaigns_by_tag' });
    await campaigns.createIndex({ status: 1, _id: 1 }, { name: 'campaigns_by_status' });
    await campaigns.createIndex({ endDate: 1 }, { name: 'campaigns_by_end_date' });

    const targets = this.db.collection<TargetDocument>(COLLECTIONS.targets);
    await targets.createIndex({ campaignId: 1, status: 1, priority: -1, dueAt: 1, _id: 1 }, { name: 'targets_due' });
    await targets.createIndex({ campaignId: 1, priority: -1, dueAt: 1, _id: 1 }, { name: 'targets_by_dispatch_order' });
    await targets.createIndex({ campaignId: 1, _id: 1 }, { name: 'targets_by_campaign' });
    await targets.createIndex({ campaignId: 1, phoneNumber: 1 }, { name: 'targets_by_phone' });
    await targets.createIndex(
      { lastAttemptAt: 1, _id: 1 },
      { name: 'targets_in_progress', partialFilterExpression: { status: 'IN_PROGRESS' } },
    );

    const attempts = this.db.collection<AttemptDocument>(COLLECTIONS.attempts);
    await attempts.createIndex({ campaignId: 1, startedAt: -1, _id: -1 }, { name: 'attempts_by_campaign' });
    await attempts.createIndex({ targetId: 1, attemptNumber: 1 }, { name: 'attempts_by_target' });
    await attempts.createIndex({ providerMessageId: 1, startedAt: -1 }, { name: 'attempts_by_provider_message', sparse: true });
  }

  async targetsCheckpoint(): Promise<GlobalPosition | undefined> {
    const checkpoint = await this.db
      .collection<CheckpointDocument>(COLLECTIONS.checkpoints)
      .findOne({ _id: new MongoTargetsProjection().name });
    return checkpoint === null ? undefined : { commit: checkpoint.commit, prepare: checkpoint.prepare };
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  /**
   * Creates the runner of every MongoDB projection. Batches commit with their checkpoint in one
   * transaction when the server is a replica set (or behind mongos), which the runner checks here.
   */
  async createProjectionRunner(store: EventStore, options: MongoProjectionRunnerOptions = {}): Promise<MongoProjectionRunner> {
    const hello = await this.db.admin().command({ hello: 1 });
    const transactions = typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
    if (!transactions) {
      options.logger?.warn(
        { database: this.label },
        'MongoDB is a standalone server: projections write their checkpoint after their batch, not in one transaction',
      );
    }
    return new MongoProjectionRunner(store, this.client, this.db, [new MongoCampaignsProjection(), new MongoTargetsProjection()], {
      ...options,
      transactions,
    });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** Connects to MongoDB within `connectTimeoutMs` and opens the read model database. */
export async function connectMongoReadModelStore(options: MongoReadModelStoreOptions): Promise<MongoReadModelStore> {
  const client = await connectMongoClient(options.url, options.connectTimeoutMs ?? 5_000);
  const db = client.db(options.database ?? databaseOfUrl(options.url) ?? DEFAULT_DATABASE);
  const label = `${maskMongoUrl(options.url)} (database ${db.databaseName})`;
  options.logger?.info({ database: label }, 'MongoDB read models connected');
  return new MongoReadModelStore(client, db, label);
}

const DEFAULT_DATABASE = 'sms_read_models';

/** Returns the database a URL names in its path, or undefined; the driver would report `test` for none. */
function databaseOfUrl(url: string): string | undefined {
  const path = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]*)/.exec(url)?.[1];
  return path === undefined || path === '' ? undefined : decodeURIComponent(path);
}

/** Returns a view whose every query rejects with ReadModelNotBuiltError. */
function notBuiltView<View extends object>(view: string): View {
  const handler: ProxyHandler<View> = {
    get: (_, property) =>
      // `then` stays undefined so that the view is not mistaken for a promise.
      property === 'then' || typeof property !== 'string' ? undefined : () => Promise.reject(new ReadModelNotBuiltError('MongoDB', view)),
  };
  return new Proxy({} as View, handler);
}
