import { randomUUID } from 'node:crypto';
import { jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { ImportSourceError } from '../mapping/import-source-error';
import { TargetRowSource } from '../mapping/source-record';
import { TargetRowResult } from '../mapping/target-row';
import { openPaymentRows, paymentConsumerName, PaymentSubscription } from './payment-source';

const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const PARIS = { timeZone: 'Europe/Paris' };

function payment(id: string, phoneNumber: string, amount: unknown = 42.5): Record<string, unknown> {
  return { paymentId: id, phoneNumber, amount, dueDate: '2026-07-01', paymentLink: `https://pay.example.com/${id}`, currency: 'EUR' };
}

async function readAndCommit(source: TargetRowSource): Promise<TargetRowResult[]> {
  const rows: TargetRowResult[] = [];
  try {
    for await (const batch of source.rows) {
      rows.push(...batch);
      await source.commit();
    }
  } finally {
    await source.close();
  }
  return rows;
}

describe('payment import - JetStream', () => {
  const suffix = randomUUID().replace(/-/g, '').slice(0, 10);
  const stream = `PAY_${suffix}`;
  const prefix = `pay${suffix}.unpaid`;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nc = (await connect({ servers: NATS_URL })) as NatsConnection;
    jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`], retention: RetentionPolicy.Limits, storage: StorageType.File });
  });

  afterAll(async () => {
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  async function publish(subject: string, body: Record<string, unknown> | string): Promise<void> {
    const options = typeof body === 'string' ? {} : { msgID: String(body.paymentId), headers: headers() };
    await jsm.jetstream().publish(subject, typeof body === 'string' ? body : JSON.stringify(body), options);
  }

  function subscription(campaignId: string, overrides: Partial<PaymentSubscription> = {}): PaymentSubscription {
    const subject = `${prefix}.${campaignId}`;
    return {
      natsUrl: NATS_URL,
      stream,
      subject,
      consumerName: paymentConsumerName(campaignId, subject),
      idleMs: 1_000,
      maxMessages: 10_000,
      batchSize: 100,
      ackWaitMs: 30_000,
      timeoutMs: 5_000,
      ...overrides,
    };
  }

  it('imports unpaid payments with their layout values', async () => {
    const campaignId = randomUUID();
    const subject = `${prefix}.${campaignId}`;
    await publish(subject, payment('inv-1', '0600000001'));
    await publish(subject, payment('inv-2', '+33600000002', '19.90'));
    await publish(subject, 'not json');
    await publish(subject, { ...payment('inv-4', '0600000004'), dueDate: '01/07/2026' });
    await publish(`${prefix}.${randomUUID()}`, payment('inv-other', '0600000009'));

    const rows = await readAndCommit(openPaymentRows(subscription(campaignId), PARIS));

    expect(rows).toEqual([
      {
        kind: 'target',
        line: expect.any(Number),
        phoneNumber: '+33600000001',
        startDate: null,
        priority: 5,
        insertIfDuplicate: false,
        timeZone: null,
        layoutValues: { amount: 42.5, dueDate: '2026-07-01', paymentLink: 'https://pay.example.com/inv-1' },
      },
      expect.objectContaining({
        kind: 'target',
        layoutValues: { amount: 19.9, dueDate: '2026-07-01', paymentLink: 'https://pay.example.com/inv-2' },
      }),
      expect.objectContaining({ kind: 'rejected', value: 'not json', reason: expect.stringMatching(/^message \d+ is not valid JSON$/) }),
      expect.objectContaining({
        kind: 'rejected',
        value: '01/07/2026',
        reason: "dueDate of payment 'inv-4' must be an ISO date such as 2026-07-01",
      }),
    ]);
  });

  it('resumes after the last acknowledged message', async () => {
    const campaignId = randomUUID();
    const subject = `${prefix}.${campaignId}`;
    await publish(subject, payment('inv-10', '0600000010'));

    const first = await readAndCommit(openPaymentRows(subscription(campaignId), PARIS));
    await publish(subject, payment('inv-11', '0600000011'));
    const second = await readAndCommit(openPaymentRows(subscription(campaignId), PARIS));

    expect(first.map((row) => row.kind === 'target' && row.phoneNumber)).toEqual(['+33600000010']);
    expect(second.map((row) => row.kind === 'target' && row.phoneNumber)).toEqual(['+33600000011']);
  });

  it('delivers again what was not committed', async () => {
    const campaignId = randomUUID();
    await publish(`${prefix}.${campaignId}`, payment('inv-20', '0600000020'));

    const uncommitted = openPaymentRows(subscription(campaignId), PARIS);
    for await (const batch of uncommitted.rows) {
      expect(batch).toHaveLength(1);
    }
    await uncommitted.close();
    const again = await readAndCommit(openPaymentRows(subscription(campaignId), PARIS));

    expect(again.map((row) => row.kind === 'target' && row.phoneNumber)).toEqual(['+33600000020']);
  });

  it('stops after maxMessages', async () => {
    const campaignId = randomUUID();
    for (let index = 1; index <= 5; index++) {
      await publish(`${prefix}.${campaignId}`, payment(`inv-3${index}`, `060000003${index}`));
    }

    const rows = await readAndCommit(openPaymentRows(subscription(campaignId, { maxMessages: 3, batchSize: 2 }), PARIS));

    expect(rows).toHaveLength(3);
  });

  it('fails when the stream does not exist', async () => {
    const source = openPaymentRows(subscription(randomUUID(), { stream: `MISSING_${suffix}` }), PARIS);

    await expect(readAndCommit(source)).rejects.toThrow(ImportSourceError);
    await expect(readAndCommit(openPaymentRows(subscription(randomUUID(), { stream: `MISSING_${suffix}` }), PARIS))).rejects.toThrow(
      `JetStream stream 'MISSING_${suffix}' does not exist; the payment module creates it`,
    );
  });
});
