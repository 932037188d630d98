import {
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  jetstreamManager,
  type JetStreamClient,
} from '@nats-io/jetstream';
// With "moduleResolution": "node10", `connect` from transport-node is typed `any`; the connection type comes from nats-core.
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { isValidSubject, maskUrlCredentials } from '@sms/messaging';
import type { AttemptChange } from '@sms/read-models';
import { AppLogger } from '../logging/logger';

/** Destination of the attempt feed's messages. */
export interface AttemptFeedSink {
  /** Resolves once the server has stored every change, or rejects so that the batch is sent again. */
  publish(changes: readonly AttemptChange[]): Promise<void>;
  close(): Promise<void>;
}

export interface JetStreamSinkOptions {
  readonly url: string;
  readonly stream: string;
  /** Messages go to `<subjectPrefix>.<campaignId>`. */
  readonly subjectPrefix: string;
  readonly logger: AppLogger;
}

/** JetStream drops a message whose Nats-Msg-Id it stored within this window, so a batch sent again after a crash is stored once. */
const DUPLICATE_WINDOW_MS = 10 * 60_000;
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Publishes attempt changes on a JetStream stream with file storage and limits retention, which
 * it creates when missing. Each message's Nats-Msg-Id is `<attemptId>:<version>`.
 */
export class JetStreamAttemptSink implements AttemptFeedSink {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly options: JetStreamSinkOptions,
  ) {}

  static async connect(options: JetStreamSinkOptions): Promise<JetStreamAttemptSink> {
    const nc: NatsConnection = await connect({
      servers: options.url,
      name: 'sms-reporter-feed',
      timeout: CONNECT_TIMEOUT_MS,
      reconnect: true,
      maxReconnectAttempts: -1,
    });
    try {
      const jsm = await jetstreamManager(nc);
      await ensureFeedStream(jsm, options);
      options.logger.info(
        { url: maskUrlCredentials(options.url), stream: options.stream, subjects: `${options.subjectPrefix}.>` },
        'attempt feed connected to NATS JetStream',
      );
      return new JetStreamAttemptSink(nc, jsm.jetstream(), options);
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  async publish(changes: readonly AttemptChange[]): Promise<void> {
    await Promise.all(changes.map((change) => this.publishOne(change)));
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => undefined);
  }

  private async publishOne(change: AttemptChange): Promise<void> {
    const subject = `${this.options.subjectPrefix}.${change.campaignId}`;
    if (!isValidSubject(subject, false)) {
      // Skipped rather than retried, because retrying would hold back every later attempt change.
      this.options.logger.warn(
        { campaignId: change.campaignId, attemptId: change.attemptId, version: change.version },
        'campaign id is not a valid NATS subject token; attempt change not published',
      );
      return;
    }
    await this.js.publish(subject, JSON.stringify(change), { msgID: `${change.attemptId}:${change.version}` });
  }
}

async function ensureFeedStream(jsm: Awaited<ReturnType<typeof jetstreamManager>>, options: JetStreamSinkOptions): Promise<void> {
  const subjects = [`${options.subjectPrefix}.>`];
  try {
    const info = await jsm.streams.info(options.stream);
    if (!subjects.every((subject) => info.config.subjects.includes(subject))) {
      await jsm.streams.update(options.stream, { subjects: [...info.config.subjects, ...subjects] });
    }
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) {
      throw error;
    }
    await jsm.streams.add({
      name: options.stream,
      subjects,
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    });
  }
}
