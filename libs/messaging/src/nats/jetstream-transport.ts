import { jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
// NOTE: with "moduleResolution": "node10", TypeScript cannot resolve the `@nats-io/nats-core/internal`
// subpath that @nats-io/transport-node re-exports, so `connect` is typed `any` and the types and
// helpers come from @nats-io/nats-core, which transport-node depends on.
import { headers as createHeaders, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

import type { CommandTransport, ConsumeOptions, Consumer, MessageHandler, OutgoingMessage } from '../command-transport.port';
import {
  ConsumerStartError,
  MessagingError,
  PublishBatchFailedError,
  PublishFailedError,
  StreamSetupError,
  TransportClosedError,
  TransportConnectionError,
  type PublishFailure,
} from '../errors';
import { silentLogger, type TransportLogger } from '../logger';
import { encodeMessage, errorMessage, resolveConsumeOptions, toError, type EncodedMessage } from '../message-rules';
import { isValidSubject } from '../subject-filter';
import { COMMAND_STREAM_NAME, COMMAND_STREAM_SUBJECTS } from '../subjects';
import { JetStreamConsumer } from './jetstream-consumer';
import { ensureStream, type StreamRetention, type StreamSettings } from './jetstream-setup';

export interface JetStreamTransportOptions {
  /** NATS server URL, such as `nats://127.0.0.1:4222`. Credentials in it are masked in logs and errors. */
  readonly url: string;
  /** Default `SMS_COMMANDS`. */
  readonly streamName?: string;
  /** Subjects the stream captures. Default `sms.commands.>`. */
  readonly subjects?: readonly string[];
  /**
   * `workqueue` (default) removes a message once a consumer acks or terminates it, and lets
   * only one durable take a given subject. `limits` keeps messages until `maxAgeMs` and lets
   * several durables each receive every message.
   */
  readonly retention?: StreamRetention;
  /** Window in which the server drops a publish whose id it has already stored, in milliseconds. Default 2 minutes. */
  readonly duplicateWindowMs?: number;
  /** Age after which the server discards a stored message, in milliseconds. Default 0: no age limit. */
  readonly maxAgeMs?: number;
  /** Maximum time to open the first connection before start fails, in milliseconds. Default 3 seconds. */
  readonly connectTimeoutMs?: number;
  /** Pause between reconnection attempts after the connection is lost, in milliseconds. Default 1 second. */
  readonly reconnectWaitMs?: number;
  /** Maximum wait for the server to acknowledge one publish, in milliseconds. Default 5 seconds. */
  readonly publishTimeoutMs?: number;
  /** Maximum wait for a JetStream API request (stream and consumer setup), in milliseconds. Default 5 seconds. */
  readonly apiTimeoutMs?: number;
  /** Maximum publishes `publishMany` keeps awaiting an acknowledgement at once. Default 256. */
  readonly maxPublishesInFlight?: number;
  /**
   * Lifetime of a consumer's pull request on the server, in milliseconds. Default 5 seconds.
   * After a reconnect nats.js re-checks the consumer and, when that fails because JetStream is
   * still starting, retries after this delay, so it bounds how long a consumer stays idle.
   */
  readonly pullExpiresMs?: number;
  /** Client name shown by the server's monitoring. */
  readonly connectionName?: string;
  readonly logger?: TransportLogger;
}

export const JETSTREAM_DEFAULTS = {
  duplicateWindowMs: 120_000,
  connectTimeoutMs: 3_000,
  reconnectWaitMs: 1_000,
  publishTimeoutMs: 5_000,
  apiTimeoutMs: 5_000,
  maxPublishesInFlight: 256,
  pullExpiresMs: 5_000,
} as const;

/** Maximum wait in close() for the server to confirm the last acks before the connection is closed anyway, in milliseconds. */
const CLOSE_FLUSH_TIMEOUT_MS = 2_000;

const STREAM_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Connects to NATS, creates or updates the stream, and returns the transport.
 *
 * Fails within about `connectTimeoutMs` with TransportConnectionError when the server cannot
 * be reached or has no JetStream, and with StreamSetupError when the stream cannot be set up.
 * Once connected, the client reconnects on its own, without an attempt limit, and consumers
 * resume after the reconnect.
 */
export async function connectJetStreamTransport(options: JetStreamTransportOptions): Promise<JetStreamTransport> {
  const settings = resolveStreamSettings(options);
  const logger = options.logger ?? silentLogger;
  const maskedUrl = maskUrlCredentials(options.url);

  const nc = await openConnection(options, maskedUrl);
  try {
    const jsm = await jetstreamManager(nc, { timeout: options.apiTimeoutMs ?? JETSTREAM_DEFAULTS.apiTimeoutMs });
    await ensureStream(jsm, settings);

    const transport = new JetStreamTransport(nc, jsm.jetstream(), jsm, settings, options, logger);
    logger.info({ url: maskedUrl, stream: settings.name, subjects: settings.subjects }, 'connected to NATS JetStream');
    return transport;
  } catch (error) {
    await nc.close();
    if (error instanceof MessagingError) {
      throw error;
    }
    throw new TransportConnectionError(maskedUrl, `JetStream is not available (${errorMessage(error)})`, {
      cause: error,
    });
  }
}

/** Command transport over a JetStream stream, with durable pull consumers. */
export class JetStreamTransport implements CommandTransport {
  private readonly consumers = new Set<JetStreamConsumer>();
  private readonly statusWatch: Promise<void>;
  private readonly publishTimeoutMs: number;
  private readonly maxPublishesInFlight: number;
  private readonly pullExpiresMs: number;
  private closing: Promise<void> | undefined;

  /** Use connectJetStreamTransport(), which sets up the stream first. */
  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly stream: StreamSettings,
    options: JetStreamTransportOptions,
    private readonly logger: TransportLogger,
  ) {
    this.publishTimeoutMs = options.publishTimeoutMs ?? JETSTREAM_DEFAULTS.publishTimeoutMs;
    this.maxPublishesInFlight = options.maxPublishesInFlight ?? JETSTREAM_DEFAULTS.maxPublishesInFlight;
    this.pullExpiresMs = options.pullExpiresMs ?? JETSTREAM_DEFAULTS.pullExpiresMs;
    this.statusWatch = this.logConnectionStatus();
  }

  get streamName(): string {
    return this.stream.name;
  }

  /** Resolves once the server has stored the message, or found its id within the duplicate window. */
  async publish(message: OutgoingMessage): Promise<void> {
    this.assertOpen('publish');
    await this.send(encodeMessage(message, this.stream.subjects));
  }

  /**
   * Publishes with up to `maxPublishesInFlight` acknowledgements awaited at once, instead of one
   * round trip per message. Every message is validated before the first is sent. After the
   * first failure no new publish starts, and PublishBatchFailedError lists what failed.
   */
  async publishMany(messages: readonly OutgoingMessage[]): Promise<void> {
    this.assertOpen('publish');
    const encoded = messages.map((message) => encodeMessage(message, this.stream.subjects));

    const failures: PublishFailure[] = [];
    let stored = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < encoded.length && failures.length === 0) {
        const message = encoded[next];
        next += 1;
        try {
          await this.send(message);
          stored += 1;
        } catch (error) {
          failures.push({ messageId: message.id, subject: message.subject, error: toError(error) });
        }
      }
    };

    const workerCount = Math.min(this.maxPublishesInFlight, encoded.length);
    await Promise.all(Array.from({ length: workerCount }, worker));
    if (failures.length > 0) {
      throw new PublishBatchFailedError(failures, stored, encoded.length);
    }
  }

  async consume<Payload>(options: ConsumeOptions, handler: MessageHandler<Payload>): Promise<Consumer> {
    this.assertOpen('consume');
    const resolved = resolveConsumeOptions(options, this.stream.subjects);

    let consumer: JetStreamConsumer;
    try {
      consumer = await JetStreamConsumer.start(
        { js: this.js, jsm: this.jsm, streamName: this.stream.name, pullExpiresMs: this.pullExpiresMs, logger: this.logger },
        resolved,
        handler as MessageHandler<unknown>,
      );
    } catch (error) {
      if (error instanceof MessagingError) {
        throw error;
      }
      throw new ConsumerStartError(resolved.consumerName, errorMessage(error), { cause: error });
    }
    this.consumers.add(consumer);
    this.logger.info(
      { stream: this.stream.name, consumer: resolved.consumerName, subject: resolved.subject, concurrency: resolved.concurrency },
      'JetStream consumer started',
    );

    return {
      stop: async () => {
        await consumer.stop();
        this.consumers.delete(consumer);
      },
    };
  }

  /**
   * Stops every consumer, waits for their handlers, then closes the connection. Acks the server
   * has not confirmed within CLOSE_FLUSH_TIMEOUT_MS are dropped, and the server redelivers
   * those messages after their ack wait.
   */
  async close(): Promise<void> {
    this.closing ??= this.shutDown();
    await this.closing;
  }

  private async shutDown(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => consumer.stop()));
    this.consumers.clear();

    await flushWithin(this.nc, CLOSE_FLUSH_TIMEOUT_MS);
    await this.nc.close();
    await this.statusWatch;
    this.logger.info({ stream: this.stream.name }, 'NATS JetStream transport closed');
  }

  private async send(message: EncodedMessage): Promise<void> {
    const headers = createHeaders();
    for (const [name, value] of Object.entries(message.headers)) {
      headers.set(name, value);
    }

    try {
      await this.js.publish(message.subject, message.json, {
        msgID: message.id,
        headers,
        timeout: this.publishTimeoutMs,
      });
    } catch (error) {
      throw new PublishFailedError(message.id, message.subject, errorMessage(error), { cause: error });
    }
  }

  /** Logs disconnects, reconnects and connection errors until the connection closes. */
  private async logConnectionStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      switch (status.type) {
        case 'disconnect':
          this.logger.warn({ server: maskUrlCredentials(status.server) }, 'disconnected from NATS, reconnecting');
          break;
        case 'reconnect':
          this.logger.info({ server: maskUrlCredentials(status.server) }, 'reconnected to NATS');
          break;
        case 'error':
          this.logger.error({ err: status.error }, 'NATS connection error');
          break;
        case 'slowConsumer':
          this.logger.warn({ pending: status.pending }, 'NATS client is a slow consumer, so the server may drop messages for it');
          break;
        default:
          break;
      }
    }
  }

  private assertOpen(operation: string): void {
    if (this.closing !== undefined) {
      throw new TransportClosedError(operation);
    }
  }
}

/** Replaces credentials in a URL (`nats://user:secret@host`, `nats://token@host`) with `***`. */
export function maskUrlCredentials(url: string): string {
  return url.replace(/(^|\/\/)[^@/\s]*@/g, '$1***@');
}

function resolveStreamSettings(options: JetStreamTransportOptions): StreamSettings {
  const name = options.streamName ?? COMMAND_STREAM_NAME;
  const subjects = options.subjects ?? COMMAND_STREAM_SUBJECTS;
  const duplicateWindowMs = options.duplicateWindowMs ?? JETSTREAM_DEFAULTS.duplicateWindowMs;
  const maxAgeMs = options.maxAgeMs ?? 0;

  if (!STREAM_NAME.test(name)) {
    throw new StreamSetupError(name, 'streamName must contain only letters, digits, "-" and "_"');
  }
  if (subjects.length === 0) {
    throw new StreamSetupError(name, 'subjects must not be empty');
  }
  const invalid = subjects.find((subject) => !isValidSubject(subject, true));
  if (invalid !== undefined) {
    throw new StreamSetupError(name, `subject '${invalid}' is not a valid subject filter`);
  }
  if (!Number.isInteger(duplicateWindowMs) || duplicateWindowMs < 1) {
    throw new StreamSetupError(name, `duplicateWindowMs ${duplicateWindowMs} must be a positive integer`);
  }
  if (!Number.isInteger(maxAgeMs) || maxAgeMs < 0 || (maxAgeMs > 0 && maxAgeMs < duplicateWindowMs)) {
    throw new StreamSetupError(name, `maxAgeMs ${maxAgeMs} must be 0 (no limit) or an integer of at least duplicateWindowMs`);
  }

  return { name, subjects: [...subjects], retention: options.retention ?? 'workqueue', duplicateWindowMs, maxAgeMs };
}

async function openConnection(options: JetStreamTransportOptions, maskedUrl: string): Promise<NatsConnection> {
  try {
    const nc: NatsConnection = await connect({
      servers: options.url,
      name: options.connectionName,
      timeout: options.connectTimeoutMs ?? JETSTREAM_DEFAULTS.connectTimeoutMs,
      // Fail at start when the server is absent, but reconnect forever once connected.
      waitOnFirstConnect: false,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectWaitMs ?? JETSTREAM_DEFAULTS.reconnectWaitMs,
    });
    return nc;
  } catch (error) {
    throw new TransportConnectionError(maskedUrl, errorMessage(error), { cause: error });
  }
}

async function flushWithin(nc: NatsConnection, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  try {
    await Promise.race([nc.flush(), timeout]);
  } catch {
    // The connection is already closed or lost; close() below still releases it.
  } finally {
    clearTimeout(timer);
  }
}
