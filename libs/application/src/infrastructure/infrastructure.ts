import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  connectKurrentDbEventStore,
  createEmbeddedEventStore,
  createPostgresEventStore,
  EventStore,
  MongoSubjectKeyStore,
  SqlSubjectKeyStore,
  SubjectKeys,
} from '@sms/event-store';
import { CommandTransport, connectJetStreamTransport, InProcessTransport } from '@sms/messaging';
import { PgliteClient, PostgresClient, SqlClient } from '@sms/platform';
import { connectMongoReadModelStore, MongoReadModelStore, ReadModelStore, SqlReadModelStore } from '@sms/read-models';
import { HttpProviderGateway, SmppGateway, SmscSimulator, SmsGateway } from '@sms/sms-gateway';
import { AppConfig } from '../config/app-config';
import { AppLogger } from '../logging/logger';
import { NumberKeyedReadModelStore, optOutNumberKey, protectPersonalData } from './personal-data';
import { loadSecrets, Secrets } from './secrets';

/** Everything a process talks to, built from the configuration. */
export interface Infrastructure {
  readonly config: AppConfig;
  readonly secrets: Secrets;
  /** Encrypts the personal fields of events on append and decrypts them on read (see personal-data.ts). */
  readonly eventStore: EventStore;
  /** The keys of personal data: deleting a subject's key erases its personal fields from every event. */
  readonly subjectKeys: SubjectKeys;
  /**
   * SQL database of the read models; on SQL profiles the same database as the events. With
   * READ_STORE=mongodb the read models are in MongoDB, and this database, when DATABASE_URL gives
   * one, keeps the throughput slots, the subject keys and the attempt feed's checkpoint.
   * Undefined with KurrentDB, MongoDB and no DATABASE_URL.
   */
  readonly readDb: SqlClient | undefined;
  /** The read models behind their port, on SQL or MongoDB. */
  readonly readStore: ReadModelStore;
  readonly transport: CommandTransport;
  /** Created on demand: only sender processes bind to the SMSC. */
  createGateway(): Promise<SmsGateway>;
  close(): Promise<void>;
}

export const EVENT_SCHEMA = 'event_store';
export const READ_SCHEMA = 'read_models';

export async function createInfrastructure(config: AppConfig, logger: AppLogger): Promise<Infrastructure> {
  const secrets = await loadSecrets(config);
  const closers: Array<() => Promise<void>> = [];

  const stores = await openStores(config, secrets, logger);
  const { eventStore, subjectKeys, readStore, database } = stores;
  closers.push(...stores.closers);

  const subjects = [`${config.NATS_SUBJECT_PREFIX}.>`];
  const transport =
    config.TRANSPORT === 'nats'
      ? await connectJetStreamTransport({ url: config.NATS_URL, streamName: config.NATS_STREAM, subjects, logger })
      : new InProcessTransport({ subjects, logger });
  closers.unshift(() => transport.close());

  let simulator: SmscSimulator | undefined;
  const createGateway = async (): Promise<SmsGateway> => {
    if (config.SMS_GATEWAY === 'http') {
      const gateway = createHttpProviderGateway(config, logger);
      closers.unshift(() => gateway.close());
      return gateway;
    }
    let url = config.SMPP_URL;
    if (config.SMS_GATEWAY === 'simulator') {
      simulator = await startBuiltInSimulator(config);
      closers.unshift(() => simulator?.close() ?? Promise.resolve());
      url = `smpp://simulator:simulator@127.0.0.1:${simulator.port}`;
      logger.info({ port: simulator.port }, 'built-in SMSC simulator listening');
    }
    if (url === undefined) {
      throw new Error('SMPP_URL is required when SMS_GATEWAY is smpp');
    }
    const gateway = new SmppGateway({ url, logger });
    closers.unshift(() => gateway.close());
    return gateway;
  };

  return {
    config,
    secrets,
    eventStore,
    subjectKeys,
    readDb: database,
    readStore,
    transport,
    createGateway,
    close: async () => {
      for (const close of closers) {
        await close().catch((error: unknown) => logger.warn({ err: error }, 'closing an adapter failed'));
      }
    },
  };
}

interface OpenStores {
  readonly eventStore: EventStore;
  readonly subjectKeys: SubjectKeys;
  readonly readStore: ReadModelStore;
  readonly database: SqlClient | undefined;
  /** In the order to run them at shutdown: stores first, the shared SQL client last. */
  readonly closers: Array<() => Promise<void>>;
}

/** Maximum time a store server may take to respond at start before the process stops, in ms. */
const STORE_CONNECT_TIMEOUT_MS = 5_000;

/**
 * Opens the event store and the read-model store. Servers are contacted in parallel, and when any
 * does not respond within STORE_CONNECT_TIMEOUT_MS the start fails with every unreachable URL
 * named, credentials masked, after closing what did open.
 */
async function openStores(config: AppConfig, secrets: Secrets, logger: AppLogger): Promise<OpenStores> {
  // With both stores off SQL, DATABASE_URL still opens PostgreSQL for the throughput slots and subject keys.
  const needsSql = config.EVENT_STORE !== 'kurrentdb' || config.READ_STORE !== 'mongodb' || config.DATABASE_URL !== undefined;
  const database = needsSql ? await openDatabase(config) : undefined;
  if (database !== undefined) {
    logger.info({ database: database.label }, 'database opened');
  }

  const [eventStore, mongoStore] = await Promise.allSettled([
    openEventStore(config, database, logger),
    config.READ_STORE === 'mongodb'
      ? connectMongoReadModelStore({
          url: config.MONGODB_URL ?? '',
          connectTimeoutMs: STORE_CONNECT_TIMEOUT_MS,
          numberKey: optOutNumberKey(secrets.numberHashKey),
          logger,
        })
      : Promise.resolve(undefined),
  ]);
  if (eventStore.status === 'rejected' || mongoStore.status === 'rejected') {
    const failures = [eventStore, mongoStore].flatMap((result) => (result.status === 'rejected' ? [errorMessage(result.reason)] : []));
    await Promise.all([
      eventStore.status === 'fulfilled' ? eventStore.value.close() : undefined,
      mongoStore.status === 'fulfilled' ? mongoStore.value?.close() : undefined,
    ]).catch(() => undefined);
    await database?.close().catch(() => undefined);
    throw new Error(`cannot start: ${failures.join('; ')}`);
  }

  const readStore = mongoStore.value ?? openSqlReadStore(requireDatabase(database), secrets);
  const closers = [() => eventStore.value.close(), () => readStore.close()];
  if (database !== undefined) {
    closers.push(() => database.close());
  }
  try {
    // The subject keys go to the SQL database when there is one, else to the read models' MongoDB.
    const keyStore =
      database !== undefined
        ? new SqlSubjectKeyStore(database, { schema: EVENT_SCHEMA, eventsOnSameServer: config.EVENT_STORE !== 'kurrentdb' })
        : new MongoSubjectKeyStore(requireMongo(mongoStore.value).db);
    const personalData = await protectPersonalData(eventStore.value, keyStore, secrets);
    return { eventStore: personalData.eventStore, subjectKeys: personalData.subjectKeys, readStore, database, closers };
  } catch (error) {
    for (const close of closers) {
      await close().catch(() => undefined);
    }
    throw error;
  }
}

/** Opens the SQL read models, with opt-outs looked up by the keyed hash of each number. */
function openSqlReadStore(database: SqlClient, secrets: Secrets): ReadModelStore {
  return new NumberKeyedReadModelStore(
    new SqlReadModelStore(database, { schema: READ_SCHEMA }),
    database,
    READ_SCHEMA,
    secrets.numberHashKey,
  );
}

async function openEventStore(config: AppConfig, database: SqlClient | undefined, logger: AppLogger): Promise<EventStore> {
  switch (config.EVENT_STORE) {
    case 'kurrentdb':
      return connectKurrentDbEventStore({
        connectionString: config.KURRENTDB_URL ?? '',
        connectTimeoutMs: STORE_CONNECT_TIMEOUT_MS,
        logger,
      });
    case 'embedded':
      return createEmbeddedEventStore({ client: requireDatabase(database), schema: EVENT_SCHEMA });
    case 'postgres':
      return createPostgresEventStore({ client: requireDatabase(database), schema: EVENT_SCHEMA });
  }
}

function requireMongo(store: MongoReadModelStore | undefined): MongoReadModelStore {
  if (store === undefined) {
    throw new Error('Internal error: no SQL database was opened and READ_STORE is not mongodb');
  }
  return store;
}

function requireDatabase(database: SqlClient | undefined): SqlClient {
  if (database === undefined) {
    throw new Error('Internal error: an SQL store was configured but no SQL database was opened');
  }
  return database;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function openDatabase(config: AppConfig): Promise<SqlClient> {
  if (config.EVENT_STORE === 'embedded') {
    const directory = resolve(config.DATA_DIR, 'pglite');
    await mkdir(directory, { recursive: true });
    return PgliteClient.open(directory);
  }
  const url = config.DATABASE_URL ?? '';
  return new PostgresClient(url, { max: 20 });
}

/** Builds the HTTP provider adapter. Its webhook listener starts with the gateway, in the sender process. */
function createHttpProviderGateway(config: AppConfig, logger: AppLogger): HttpProviderGateway {
  const { HTTP_PROVIDER_URL: url, HTTP_PROVIDER_API_KEY: apiKey, HTTP_PROVIDER_WEBHOOK_SECRET: webhookSecret } = config;
  if (url === undefined || apiKey === undefined || webhookSecret === undefined) {
    throw new Error('HTTP_PROVIDER_URL, HTTP_PROVIDER_API_KEY and HTTP_PROVIDER_WEBHOOK_SECRET are required when SMS_GATEWAY is http');
  }
  return new HttpProviderGateway({
    url,
    apiKey,
    webhookSecret,
    callbackBaseUrl: config.HTTP_PROVIDER_CALLBACK_URL,
    webhookHost: config.HTTP_PROVIDER_WEBHOOK_HOST,
    webhookPort: config.HTTP_PROVIDER_WEBHOOK_PORT,
    submitTimeoutMs: config.HTTP_PROVIDER_TIMEOUT_MS,
    maxConcurrentRequests: config.HTTP_PROVIDER_MAX_CONCURRENCY,
    logger,
  });
}

async function startBuiltInSimulator(config: AppConfig): Promise<SmscSimulator> {
  const simulator = new SmscSimulator({
    host: '127.0.0.1',
    port: 0,
    systemId: 'simulator',
    password: 'simulator',
    latencyMs: config.SIMULATOR_LATENCY_MS,
    receiptDelayMs: config.SIMULATOR_RECEIPT_DELAY_MS,
    failureRate: config.SIMULATOR_FAILURE_RATE,
  });
  await simulator.start();
  return simulator;
}

/** Subject of the send commands: the scheduler publishes there, senders consume from there. */
export function sendSmsSubject(config: AppConfig): string {
  return `${config.NATS_SUBJECT_PREFIX}.send`;
}

export function importSpoolDirectory(config: AppConfig): string {
  return join(resolve(config.DATA_DIR), 'imports');
}
