import type { EventStore, GlobalPosition, StructuredLogger } from '@sms/event-store';
import type { Db, MongoClient } from 'mongodb';
import type { ReadModelQueryPort, ReadModelStore } from '../read-model-store.port';
import { MongoCampaignQueries, MongoCampaignsProjection } from './mongo-campaigns';
import { connectMongoClient, maskMongoUrl } from './mongo-connection';
import {
  AttemptDocument,
  CalendarDocument,
  CampaignDocument,
  CheckpointDocument,
  COLLECTIONS,
  ImportDocument,
  OptOutDocument,
  ProfileDocument,
  SenderDocument,
  TargetDocument,
  TemplateDocument,
} from './mongo-documents';
import { MongoImportQueries, MongoImportsProjection } from './mongo-imports';
import {
  MongoCalendarQueries,
  MongoCalendarsProjection,
  MongoProfileQueries,
  MongoProfilesProjection,
  MongoSenderQueries,
  MongoSendersProjection,
  MongoTemplateQueries,
  MongoTemplatesProjection,
} from './mongo-named-views';
import { MongoOptOutQueries, MongoOptOutsProjection, MongoOptOutQueryOptions, MongoReplyOriginQueries } from './mongo-opt-outs';
import { MongoProjection } from './mongo-projection';
import { MongoProjectionRunner, MongoProjectionRunnerOptions } from './mongo-projection-runner';
import { MongoReporterQueries } from './mongo-reporter.queries';
import { MongoTargetQueries } from './mongo-targets.queries';
import { MongoTargetsProjection } from './mongo-targets.projection';

export interface MongoReadModelStoreOptions extends MongoOptOutQueryOptions {
  /** `mongodb://` or `mongodb+srv://` URL. */
  readonly url: string;
  /** Database of the read models; the URL's database, or `sms_read_models` when it names none. */
  readonly database?: string;
  /** Maximum wait for the server at start, in ms; 5,000 when absent. */
  readonly connectTimeoutMs?: number;
  readonly logger?: StructuredLogger;
}

/**
 * Creates every MongoDB read model projection. Like the SQL ones they are independent, each with
 * its own checkpoint. The campaigns and targets projections share the campaigns collection, and
 * each writes only its own fields.
 */
export function createMongoProjections(): MongoProjection[] {
  return [
    new MongoSendersProjection(),
    new MongoTemplatesProjection(),
    new MongoCalendarsProjection(),
    new MongoProfilesProjection(),
    new MongoCampaignsProjection(),
    new MongoTargetsProjection(),
    new MongoImportsProjection(),
    new MongoOptOutsProjection(),
  ];
}

/** The read models in MongoDB, every view of the SQL store, with their projections and checkpoints. */
export class MongoReadModelStore implements ReadModelStore {
  readonly queries: ReadModelQueryPort;
  /** The Reporter data source over the attempts collection. */
  readonly reporter: MongoReporterQueries;

  constructor(
    readonly client: MongoClient,
    readonly db: Db,
    readonly label: string,
    options: MongoOptOutQueryOptions = {},
  ) {
    this.reporter = new MongoReporterQueries(db);
    this.queries = {
      campaigns: new MongoCampaignQueries(db),
      targets: new MongoTargetQueries(db),
      senders: new MongoSenderQueries(db),
      templates: new MongoTemplateQueries(db),
      calendars: new MongoCalendarQueries(db),
      profiles: new MongoProfileQueries(db),
      imports: new MongoImportQueries(db),
      optOuts: new MongoOptOutQueries(db, options),
      replyOrigins: new MongoReplyOriginQueries(db),
      reporter: this.reporter,
    };
  }

  /** Creates the indexes the queries use. `createIndex` does nothing for an index that exists, so every process may run it. */
  async setUp(): Promise<void> {
    const campaigns = this.db.collection<CampaignDocument>(COLLECTIONS.campaigns);
    await campaigns.createIndex({ createdAt: -1, _id: 1 }, { name: 'campaigns_by_creation' });
    await campaigns.createIndex({ tags: 1 }, { name: 'campaigns_by_tag' });
    await campaigns.createIndex({ status: 1, _id: 1 }, { name: 'campaigns_by_status' });
    await campaigns.createIndex({ endDate: 1 }, { name: 'campaigns_by_end_date' });
    await campaigns.createIndex({ profileIds: 1 }, { name: 'campaigns_by_profile' });

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
    await attempts.createIndex({ startedAt: 1, _id: 1 }, { name: 'attempts_by_start' });
    await attempts.createIndex({ targetId: 1, attemptNumber: 1 }, { name: 'attempts_by_target' });
    await attempts.createIndex({ providerMessageId: 1, startedAt: -1 }, { name: 'attempts_by_provider_message', sparse: true });
    await attempts.createIndex({ phoneNumber: 1, startedAt: -1 }, { name: 'attempts_by_phone' });

    await this.db.collection<SenderDocument>(COLLECTIONS.senders).createIndex({ name: 1, _id: 1 }, { name: 'senders_by_name' });
    await this.db.collection<TemplateDocument>(COLLECTIONS.templates).createIndex({ name: 1, _id: 1 }, { name: 'templates_by_name' });
    await this.db.collection<CalendarDocument>(COLLECTIONS.calendars).createIndex({ name: 1, _id: 1 }, { name: 'calendars_by_name' });
    await this.db.collection<ProfileDocument>(COLLECTIONS.profiles).createIndex({ name: 1, _id: 1 }, { name: 'profiles_by_name' });
    await this.db
      .collection<ImportDocument>(COLLECTIONS.imports)
      .createIndex({ campaignId: 1, startedAt: -1 }, { name: 'imports_by_campaign' });

    const optOuts = this.db.collection<OptOutDocument>(COLLECTIONS.optOuts);
    await optOuts.createIndex({ since: -1, _id: 1 }, { name: 'opt_outs_by_date', partialFilterExpression: { optedOut: true } });
    await optOuts.createIndex({ phoneNumber: 1 }, { name: 'opt_outs_by_number' });
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
    return new MongoProjectionRunner(store, this.client, this.db, createMongoProjections(), { ...options, transactions });
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
  return new MongoReadModelStore(client, db, label, { numberKey: options.numberKey });
}

const DEFAULT_DATABASE = 'sms_read_models';

/** Returns the database a URL names in its path, or undefined; the driver would report `test` for none. */
function databaseOfUrl(url: string): string | undefined {
  const path = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]*)/.exec(url)?.[1];
  return path === undefined || path === '' ? undefined : decodeURIComponent(path);
}
