import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';

import { ConsumerConflictError, StreamSetupError } from '../errors';
import { errorMessage, type ResolvedConsumeOptions } from '../message-rules';

export type StreamRetention = 'workqueue' | 'limits';

export interface StreamSettings {
  readonly name: string;
  readonly subjects: readonly string[];
  readonly retention: StreamRetention;
  readonly duplicateWindowMs: number;
  /**
   * Age after which the server discards a message, in milliseconds. With 0, messages stay until
   * acked (work queue) or forever (limits).
   */
  readonly maxAgeMs: number;
}

/**
 * JetStream API error codes with which a work-queue stream rejects a consumer because another
 * consumer already takes an overlapping subject: 10099 when neither has a filter, 10100 when
 * one has. Checked against nats-server 2.9.10.
 */
const WORK_QUEUE_CONFLICT_CODES = new Set([10099, 10100]);

/** JetStream API error code for "subjects overlap with an existing stream" (nats-server 2.9.10). */
const STREAM_SUBJECT_OVERLAP_CODE = 10065;

/**
 * Creates the stream when it is missing. When it exists, adds the configured subjects it lacks
 * and applies the duplicate window and maximum age. Throws StreamSetupError when the existing
 * stream has another retention or storage, because JetStream cannot change those in place.
 */
export async function ensureStream(jsm: JetStreamManager, settings: StreamSettings): Promise<StreamInfo> {
  const existing = await findStream(jsm, settings.name);
  if (existing === undefined) {
    return createStream(jsm, settings);
  }

  const { config } = existing;
  if (config.retention !== settings.retention) {
    throw new StreamSetupError(
      settings.name,
      `it exists with '${config.retention}' retention but the transport is configured for '${settings.retention}', ` +
        'so set the retention option to match or delete the stream',
    );
  }
  if (config.storage !== StorageType.File) {
    throw new StreamSetupError(
      settings.name,
      `it exists with '${config.storage}' storage, which loses messages on a server restart. Delete it so that it is created with file storage`,
    );
  }

  const missingSubjects = settings.subjects.filter((subject) => !config.subjects.includes(subject));
  const duplicateWindow = nanos(settings.duplicateWindowMs);
  const maxAge = nanos(settings.maxAgeMs);
  if (missingSubjects.length === 0 && config.duplicate_window === duplicateWindow && config.max_age === maxAge) {
    return existing;
  }

  try {
    return await jsm.streams.update(settings.name, {
      subjects: [...config.subjects, ...missingSubjects],
      duplicate_window: duplicateWindow,
      max_age: maxAge,
    });
  } catch (error) {
    throw new StreamSetupError(settings.name, `updating its configuration failed: ${describeApiError(error)}`, {
      cause: error,
    });
  }
}

/**
 * Creates the durable pull consumer, or updates its ack wait and maximum deliveries when it
 * exists. A durable keeps its subject filter: asking for another one throws
 * ConsumerConflictError, as does a work-queue stream whose subject another consumer takes.
 *
 * NOTE: `max_ack_pending` keeps the server default (1000 on nats-server 2.9). It caps the
 * messages in flight across every process that shares the durable, so senders whose
 * concurrency adds up to more than that wait for acks.
 */
export async function ensureConsumer(jsm: JetStreamManager, streamName: string, options: ResolvedConsumeOptions): Promise<void> {
  const ackWait = nanos(options.ackWaitMs);
  const maxDeliver = options.maxDeliveries ?? -1;

  const existing = await findConsumer(jsm, streamName, options.consumerName);
  if (existing !== undefined) {
    await updateConsumer(jsm, existing, options);
    return;
  }

  const config: Partial<ConsumerConfig> = {
    durable_name: options.consumerName,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: ackWait,
    max_deliver: maxDeliver,
    filter_subject: options.subject,
  };
  try {
    await jsm.consumers.add(streamName, config);
  } catch (error) {
    if (error instanceof JetStreamApiError && WORK_QUEUE_CONFLICT_CODES.has(error.code)) {
      throw new ConsumerConflictError(
        options.consumerName,
        `another consumer of work-queue stream '${streamName}' already takes a subject that overlaps ` +
          `'${options.subject}' (${error.message})`,
        { cause: error },
      );
    }

    // Another process may have created the durable between the lookup and the add.
    const created = await findConsumer(jsm, streamName, options.consumerName);
    if (created === undefined) {
      throw error;
    }
    await updateConsumer(jsm, created, options);
  }
}

async function updateConsumer(jsm: JetStreamManager, existing: ConsumerInfo, options: ResolvedConsumeOptions): Promise<void> {
  checkExistingConsumer(existing, options);

  const ackWait = nanos(options.ackWaitMs);
  const maxDeliver = options.maxDeliveries ?? -1;
  if (existing.config.ack_wait !== ackWait || existing.config.max_deliver !== maxDeliver) {
    await jsm.consumers.update(existing.stream_name, options.consumerName, { ack_wait: ackWait, max_deliver: maxDeliver });
  }
}

async function findStream(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (error) {
    if (isApiError(error, JetStreamApiCodes.StreamNotFound)) {
      return undefined;
    }
    throw new StreamSetupError(name, `reading its configuration failed: ${describeApiError(error)}`, { cause: error });
  }
}

async function createStream(jsm: JetStreamManager, settings: StreamSettings): Promise<StreamInfo> {
  try {
    return await jsm.streams.add({
      name: settings.name,
      subjects: [...settings.subjects],
      retention: settings.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
      storage: StorageType.File,
      duplicate_window: nanos(settings.duplicateWindowMs),
      max_age: nanos(settings.maxAgeMs),
    });
  } catch (error) {
    const reason = isApiError(error, STREAM_SUBJECT_OVERLAP_CODE)
      ? `another stream already captures one of the subjects ${settings.subjects.join(', ')}`
      : `creating it failed: ${describeApiError(error)}`;
    throw new StreamSetupError(settings.name, reason, { cause: error });
  }
}

async function findConsumer(jsm: JetStreamManager, streamName: string, name: string): Promise<ConsumerInfo | undefined> {
  try {
    return await jsm.consumers.info(streamName, name);
  } catch (error) {
    if (isApiError(error, JetStreamApiCodes.ConsumerNotFound)) {
      return undefined;
    }
    if (isApiError(error, JetStreamApiCodes.StreamNotFound)) {
      throw new StreamSetupError(streamName, 'it no longer exists, so restart the transport to create it again', {
        cause: error,
      });
    }
    throw error;
  }
}

function checkExistingConsumer(existing: ConsumerInfo, options: ResolvedConsumeOptions): void {
  const { config } = existing;
  if (config.deliver_subject) {
    throw new ConsumerConflictError(options.consumerName, 'a push consumer with this name exists, so delete it or choose another name');
  }
  if (config.ack_policy !== AckPolicy.Explicit) {
    throw new ConsumerConflictError(
      options.consumerName,
      `it exists with ack policy '${config.ack_policy}' instead of 'explicit', so delete it or choose another name`,
    );
  }
  const filter = config.filter_subject ?? '';
  if (filter !== options.subject) {
    throw new ConsumerConflictError(options.consumerName, `it already exists with subject filter '${filter}', not '${options.subject}'`);
  }
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

function describeApiError(error: unknown): string {
  return error instanceof JetStreamApiError ? `${error.message} (JetStream error ${error.code})` : errorMessage(error);
}
