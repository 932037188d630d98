import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createEmbeddedEventStore, createPostgresEventStore, EventStore } from '@sms/event-store';
import { CommandTransport, connectJetStreamTransport, InProcessTransport } from '@sms/messaging';
import { PgliteClient, PostgresClient, SqlClient } from '@sms/platform';
import { HttpProviderGateway, SmppGateway, SmscSimulator, SmsGateway } from '@sms/sms-gateway';
import { AppConfig } from '../config/app-config';
import { AppLogger } from '../logging/logger';
import { loadSecrets, Secrets } from './secrets';

/** Everything a process talks to, built from the configuration. */
export interface Infrastructure {
  readonly config: AppConfig;
  readonly secrets: Secrets;
  readonly eventStore: EventStore;
  /** Database of the read models; on SQL profiles the same database as the events. */
  readonly readDb: SqlClient;
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

  const database = await openDatabase(config);
  closers.push(() => database.close());
  logger.info({ database: database.label }, 'database opened');

  const eventStore =
    config.EVENT_STORE === 'embedded'
      ? await createEmbeddedEventStore({ client: database, schema: EVENT_SCHEMA })
      : await createPostgresEventStore({ client: database, schema: EVENT_SCHEMA });
  closers.unshift(() => eventStore.close());

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
    readDb: database,
    transport,
    createGateway,
    close: async () => {
      for (const close of closers) {
        await close().catch((error: unknown) => logger.warn({ err: error }, 'closing an adapter failed'));
      }
    },
  };
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
