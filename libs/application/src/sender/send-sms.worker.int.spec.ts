import { randomUUID } from 'node:crypto';
import { streams } from '@sms/domain';
import { createEmbeddedEventStore, EventStore } from '@sms/event-store';
import { InProcessTransport } from '@sms/messaging';
import { SmppGateway, SmscSimulator } from '@sms/sms-gateway';
import pino from 'pino';
import { BatchingAppender } from '../commands/batching-appender';
import { serviceContext } from '../commands/command-context';
import { CommandExecutor } from '../commands/command-executor';
import { toNewEvent } from '../commands/to-new-event';
import { loadConfig } from '../config/app-config';
import { CampaignContextCache, SendingContext } from './campaign-context.cache';
import { DeliveryReceiptHandler } from './delivery-receipt.handler';
import { OptOutCheck } from './opt-out-check';
import { RecentSubmissions } from './recent-submissions';
import { SendSmsMessage } from './send-sms.message';
import { ThroughputSlots } from '../throughput/throughput-slots';
import { SendSmsWorker } from './send-sms.worker';
import { SenderMetrics } from './sender.metrics';

/** Serves the sending context of a campaign from memory, failing the first `failures` reads. */
class FlakyCampaignContexts {
  constructor(private failures: number) {}

  async get(): Promise<SendingContext> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('read model unavailable');
    }
    return { senderId: 'ACME', templateBody: 'Bonjour', maxAttempts: 1, retryDelaySeconds: 60 };
  }
}

describe('send worker when the campaign cannot be read', () => {
  let store: EventStore;
  let simulator: SmscSimulator;
  let gateway: SmppGateway;
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    store = await createEmbeddedEventStore({ dataDir: 'memory://' });
    simulator = new SmscSimulator({ host: '127.0.0.1', port: 0, systemId: 'worker', password: 'secret', receiptDelayMs: 60_000 });
    await simulator.start();
    gateway = new SmppGateway({ url: `smpp://worker:secret@127.0.0.1:${simulator.port}`, logger });
    await gateway.start({ onDeliveryReceipt: async () => undefined, onInboundMessage: async () => undefined });
  });

  afterAll(async () => {
    await gateway?.close();
    await simulator?.close();
    await store?.close();
  });

  it('retries the command without marking the submission started', async () => {
    const targetId = randomUUID();
    const attemptId = randomUUID();
    const context = serviceContext('test');
    const claimed = await store.appendToStream(
      streams.target(targetId),
      [
        toNewEvent(
          {
            type: 'TargetAdded',
            data: {
              targetId,
              campaignId: 'c1',
              phoneNumber: '+33612345678',
              startDate: null,
              priority: 5,
              timeZone: null,
              layout: null,
              importId: null,
            },
          },
          context,
        ),
        toNewEvent(
          { type: 'SmsAttemptStarted', data: { attemptId, attemptNumber: 1, campaignId: 'c1', sessionId: 's1', startedAt: context.now } },
          context,
        ),
      ],
      { expectedRevision: 'no_stream' },
    );
    const worker = new SendSmsWorker(
      new BatchingAppender(store),
      new RecentSubmissions(),
      new InProcessTransport({}),
      gateway,
      loadConfig({}),
      logger,
      new CommandExecutor(store),
      new FlakyCampaignContexts(1) as unknown as CampaignContextCache,
      new SenderMetrics(),
      {} as DeliveryReceiptHandler,
      {} as ThroughputSlots,
      { isOptedOut: async () => false } as unknown as OptOutCheck,
    );
    const payload: SendSmsMessage = {
      attemptId,
      attemptNumber: 1,
      targetId,
      campaignId: 'c1',
      sessionId: 's1',
      claimRevision: claimed.nextExpectedRevision,
      phoneNumber: '+33612345678',
      layout: null,
      claimedAt: context.now,
    };
    const message = { id: attemptId, subject: 'sms.commands.send', payload, headers: {}, deliveryCount: 1 };

    const first = await worker.handle(message);
    expect(first).toMatchObject({ kind: 'retry' });
    expect((await store.readStream(streams.target(targetId))).map((event) => event.type)).toEqual(['TargetAdded', 'SmsAttemptStarted']);

    const second = await worker.handle({ ...message, deliveryCount: 2 });
    expect(second).toEqual({ kind: 'ack' });
    const types = (await store.readStream(streams.target(targetId))).map((event) => event.type);
    expect(types).toEqual(['TargetAdded', 'SmsAttemptStarted', 'SmsSubmissionStarted', 'SmsAttempted']);
    expect((await store.readStream(streams.target(targetId)))[3].data).toMatchObject({ status: 'SENT' });
    expect(simulator.stats().accepted).toBe(1);
  });
});

describe('send worker when the number opted out after the claim', () => {
  let store: EventStore;
  let simulator: SmscSimulator;
  let gateway: SmppGateway;
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    store = await createEmbeddedEventStore({ dataDir: 'memory://' });
    simulator = new SmscSimulator({ host: '127.0.0.1', port: 0, systemId: 'worker', password: 'secret', receiptDelayMs: 60_000 });
    await simulator.start();
    gateway = new SmppGateway({ url: `smpp://worker:secret@127.0.0.1:${simulator.port}`, logger });
    await gateway.start({ onDeliveryReceipt: async () => undefined, onInboundMessage: async () => undefined });
  });

  afterAll(async () => {
    await gateway?.close();
    await simulator?.close();
    await store?.close();
  });

  it('ends the attempt opted out without a submit', async () => {
    const targetId = randomUUID();
    const attemptId = randomUUID();
    const context = serviceContext('test');
    const claimed = await store.appendToStream(
      streams.target(targetId),
      [
        toNewEvent(
          {
            type: 'TargetAdded',
            data: {
              targetId,
              campaignId: 'c1',
              phoneNumber: '+33612345679',
              startDate: null,
              priority: 5,
              timeZone: null,
              layout: null,
              importId: null,
            },
          },
          context,
        ),
        toNewEvent(
          { type: 'SmsAttemptStarted', data: { attemptId, attemptNumber: 1, campaignId: 'c1', sessionId: 's1', startedAt: context.now } },
          context,
        ),
      ],
      { expectedRevision: 'no_stream' },
    );
    const worker = new SendSmsWorker(
      new BatchingAppender(store),
      new RecentSubmissions(),
      new InProcessTransport({}),
      gateway,
      loadConfig({}),
      logger,
      new CommandExecutor(store),
      new FlakyCampaignContexts(0) as unknown as CampaignContextCache,
      new SenderMetrics(),
      {} as DeliveryReceiptHandler,
      {} as ThroughputSlots,
      { isOptedOut: async (phoneNumber: string) => phoneNumber === '+33612345679' } as unknown as OptOutCheck,
    );
    const payload: SendSmsMessage = {
      attemptId,
      attemptNumber: 1,
      targetId,
      campaignId: 'c1',
      sessionId: 's1',
      claimRevision: claimed.nextExpectedRevision,
      phoneNumber: '+33612345679',
      layout: null,
      claimedAt: context.now,
    };

    const outcome = await worker.handle({ id: attemptId, subject: 'sms.commands.send', payload, headers: {}, deliveryCount: 1 });

    expect(outcome).toEqual({ kind: 'ack' });
    const events = await store.readStream(streams.target(targetId));
    expect(events.map((event) => event.type)).toEqual(['TargetAdded', 'SmsAttemptStarted', 'TargetOptedOut']);
    expect(events[2].data).toMatchObject({ attemptId });
    expect(simulator.stats().submitsTotal).toBe(0);
  });
});
