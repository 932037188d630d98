import { createHash } from 'node:crypto';
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstreamManager,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
// With "moduleResolution": "node10", `connect` from transport-node is typed `any`; the connection type comes from nats-core.
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { ImportSourceError } from '../mapping/import-source-error';
import { mapTargetRowBatches } from '../mapping/map-target-rows';
import { SourceRecordBatch, TargetRowSource } from '../mapping/source-record';
import { TargetRowOptions } from '../mapping/target-row';
import { PAYMENT_COLUMNS, PAYMENT_LAYOUT_FIELDS, readPaymentMessage } from './payment-message';

/** Source of unpaid payments: the stream and subject to read, and the stop conditions of one import. */
export interface PaymentSubscription {
  /** NATS server URL; credentials in it are never shown. */
  readonly natsUrl: string;
  /** JetStream stream of the payment module that captures `subject`. */
  readonly stream: string;
  readonly subject: string;
  /** Durable consumer that keeps this campaign's position in the stream between imports. */
  readonly consumerName: string;
  /** The import ends when no message arrives for this long, in milliseconds; at least 1000, the minimum of a nats.js fetch. */
  readonly idleMs: number;
  /** The import ends after this many messages. */
  readonly maxMessages: number;
  /** Messages pulled per request. */
  readonly batchSize: number;
  /** Time the server waits for an ack before delivering a message again, in milliseconds. */
  readonly ackWaitMs: number;
  /** Maximum wait for the connection and for each JetStream API call, in milliseconds. */
  readonly timeoutMs: number;
}

/** A durable unused for this long is removed by the server, in milliseconds: 30 days. */
const CONSUMER_INACTIVE_MS = 30 * 24 * 3_600_000;

/**
 * Returns the durable consumer name of a campaign and subject. A name per pair means two campaigns
 * never share a position, and changing the subject starts a new position instead of failing on the
 * durable's fixed filter (nats-server 2.9 cannot change it).
 */
export function paymentConsumerName(campaignId: string, subject: string): string {
  return `sms-import-${createHash('sha256').update(`${campaignId}\n${subject}`).digest('hex').slice(0, 24)}`;
}

/**
 * Opens the target rows of the unpaid payments published on a JetStream subject. The import
 * reads from the position of the campaign's durable consumer (the oldest stored message the first
 * time) until no message arrives for `idleMs` or `maxMessages` were read. Messages are
 * acknowledged on commit, once their rows are stored, so a crash before that makes the server
 * deliver them to the next import. A payment delivered twice maps to the same phone number, whose
 * target already exists, so it never makes a second target as long as insertIfDuplicate is false.
 *
 * @throws ImportSourceError from the rows when the server cannot be reached or the stream does not exist.
 */
export function openPaymentRows(subscription: PaymentSubscription, options: TargetRowOptions): TargetRowSource {
  const reader = new PaymentReader(subscription);
  const rows = mapTargetRowBatches(
    reader.read(),
    { ...options, insertIfDuplicate: false, mapping: {}, layoutFields: [...PAYMENT_LAYOUT_FIELDS] },
    'the mapping',
  );
  return {
    rows,
    commit: () => reader.acknowledge(),
    close: async () => {
      await rows.return(undefined);
      await reader.close();
    },
  };
}

class PaymentReader {
  private connection: NatsConnection | undefined;
  private delivered: JsMsg[] = [];

  constructor(private readonly subscription: PaymentSubscription) {}

  async *read(): AsyncGenerator<SourceRecordBatch, void, undefined> {
    const { stream, maxMessages, batchSize, idleMs } = this.subscription;
    const jsm = await this.open();
    const consumer = await jsm.jetstream().consumers.get(stream, this.subscription.consumerName);

    let read = 0;
    while (read < maxMessages) {
      // A fetch waits until it has max_messages or expires, so asking for no more than are
      // pending lets a backlog drain without waiting idleMs per batch.
      const { num_pending: pending } = await consumer.info();
      const requested = Math.min(batchSize, maxMessages - read, Math.max(1, pending));
      const messages = await consumer.fetch({ max_messages: requested, expires: idleMs });
      const records: SourceRecordBatch['records'][number][] = [];
      for await (const message of messages) {
        this.delivered.push(message);
        records.push(readPaymentMessage(message.seq, message.data));
      }
      if (records.length === 0) {
        return;
      }
      read += records.length;
      yield { columns: PAYMENT_COLUMNS, records };
    }
  }

  /** Acknowledges every message read so far. */
  async acknowledge(): Promise<void> {
    const delivered = this.delivered;
    this.delivered = [];
    for (const message of delivered) {
      message.ack();
    }
    await this.connection?.flush();
  }

  /** Hands unacknowledged messages back at once, so the next import gets them without waiting for the ack wait, and closes the connection. */
  async close(): Promise<void> {
    for (const message of this.delivered) {
      message.nak();
    }
    this.delivered = [];
    await this.connection?.flush().catch(() => undefined);
    await this.connection?.close().catch(() => undefined);
    this.connection = undefined;
  }

  private async open(): Promise<JetStreamManager> {
    const { natsUrl, stream, timeoutMs } = this.subscription;
    try {
      this.connection = (await connect({ servers: natsUrl, timeout: timeoutMs, name: 'sms-campaigns-payment-import' })) as NatsConnection;
    } catch (error) {
      throw new ImportSourceError('payment', undefined, `connecting to NATS for payments failed: ${(error as Error).message}`);
    }
    try {
      const jsm = await jetstreamManager(this.connection, { timeout: timeoutMs });
      await jsm.streams.info(stream);
      await this.ensureConsumer(jsm);
      return jsm;
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) {
        throw new ImportSourceError(
          'payment',
          String(error.code),
          `JetStream stream '${stream}' does not exist; the payment module creates it`,
        );
      }
      const code = error instanceof JetStreamApiError ? String(error.code) : undefined;
      throw new ImportSourceError(
        'payment',
        code,
        `setting up the payment consumer on stream '${stream}' failed: ${(error as Error).message}`,
      );
    }
  }

  private async ensureConsumer(jsm: JetStreamManager): Promise<void> {
    const { stream, subject, consumerName, ackWaitMs } = this.subscription;
    try {
      await jsm.consumers.info(stream, consumerName);
      return;
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)) {
        throw error;
      }
    }
    await jsm.consumers.add(stream, {
      durable_name: consumerName,
      filter_subject: subject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(ackWaitMs),
      inactive_threshold: nanos(CONSUMER_INACTIVE_MS),
    });
  }
}
