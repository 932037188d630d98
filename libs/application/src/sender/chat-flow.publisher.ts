import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
// With "moduleResolution": "node10", `connect` from transport-node is typed `any`; the connection type comes from nats-core.
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { isValidSubject, maskUrlCredentials } from '@sms/messaging';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG, LOGGER } from '../infrastructure/tokens';
import { AppLogger } from '../logging/logger';

/** A recipient's reply to a campaign whose chat flow is enabled, as published for the chat service. */
export interface ChatFlowReply {
  readonly campaignId: string;
  readonly targetId: string;
  readonly sessionId: string;
  /** The latest attempt to the number that the provider accepted. */
  readonly attemptId: string;
  /** E.164. */
  readonly from: string;
  readonly text: string;
  /** ISO-8601 instant the gateway received the reply. */
  readonly receivedAt: string;
}

const CONNECT_TIMEOUT_MS = 2_000;
/** Maximum wait for the server to confirm a publish, in milliseconds. */
const FLUSH_TIMEOUT_MS = 5_000;
/** Pause after a failed connection before the embedded profile tries NATS again, in milliseconds. */
const RETRY_CONNECT_AFTER_MS = 30_000;

/**
 * Publishes replies on the core NATS subject `chat.inbound.<flowId>`, at NATS_URL, over a
 * connection opened on the first reply and kept until shutdown.
 *
 * With TRANSPORT=nats a failed publish throws, so the gateway does not acknowledge the reply and
 * the SMSC delivers it again. The embedded profile runs without NATS by default, so there a
 * failed publish drops the forward and logs at most one line per connection retry. The reply is
 * still acknowledged, and its keyword is still recorded.
 */
@Injectable()
export class ChatFlowPublisher implements OnApplicationShutdown {
  private connection: Promise<NatsConnection> | undefined;
  private retryConnectAt = 0;
  private skippedSinceWarning = 0;
  private nextWarningAt = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async publish(flowId: string, reply: ChatFlowReply): Promise<void> {
    const subject = `chat.inbound.${flowId}`;
    if (!isValidSubject(subject, false)) {
      this.logger.warn(
        { campaignId: reply.campaignId, attemptId: reply.attemptId, flowId },
        'chat flow id is not a valid NATS subject token (no spaces, no empty token, no wildcard); reply not forwarded',
      );
      return;
    }
    try {
      const nc = await this.connect();
      nc.publish(subject, JSON.stringify(reply));
      await flushWithin(nc, FLUSH_TIMEOUT_MS);
    } catch (error) {
      if (this.config.TRANSPORT === 'nats') {
        throw error;
      }
      this.notForwarded(error, reply);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    const nc = await connection?.catch(() => undefined);
    await nc?.drain().catch(() => undefined);
  }

  private connect(): Promise<NatsConnection> {
    if (this.connection !== undefined) {
      return this.connection;
    }
    if (this.config.TRANSPORT !== 'nats' && Date.now() < this.retryConnectAt) {
      return Promise.reject(new Error(`NATS was not reachable; next connection attempt at ${new Date(this.retryConnectAt).toISOString()}`));
    }
    const opening = this.open();
    this.connection = opening;
    opening.then(
      (nc) =>
        nc.closed().then(() => {
          if (this.connection === opening) this.connection = undefined;
        }),
      () => {
        if (this.connection === opening) this.connection = undefined;
        this.retryConnectAt = Date.now() + RETRY_CONNECT_AFTER_MS;
      },
    );
    return opening;
  }

  private async open(): Promise<NatsConnection> {
    const nc: NatsConnection = await connect({
      servers: this.config.NATS_URL,
      name: 'sms-chat-flow',
      timeout: CONNECT_TIMEOUT_MS,
      waitOnFirstConnect: false,
      reconnect: true,
      maxReconnectAttempts: -1,
    });
    this.logger.info({ url: maskUrlCredentials(this.config.NATS_URL) }, 'connected to NATS for chat flow replies');
    return nc;
  }

  /** Logs the first reply not forwarded, then at most one line per connection retry with the count since the last line. */
  private notForwarded(error: unknown, reply: ChatFlowReply): void {
    this.skippedSinceWarning += 1;
    if (Date.now() < this.nextWarningAt) {
      return;
    }
    this.logger.warn(
      {
        err: error,
        url: maskUrlCredentials(this.config.NATS_URL),
        campaignId: reply.campaignId,
        attemptId: reply.attemptId,
        notForwarded: this.skippedSinceWarning,
      },
      'NATS is not reachable, so chat flow replies are not forwarded; start a NATS server at NATS_URL to forward them',
    );
    this.skippedSinceWarning = 0;
    this.nextWarningAt = Date.now() + RETRY_CONNECT_AFTER_MS;
  }
}

async function flushWithin(nc: NatsConnection, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`NATS did not confirm the publish within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([nc.flush(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
