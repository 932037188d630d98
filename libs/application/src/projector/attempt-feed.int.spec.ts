import { randomUUID } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { DomainEvent, streams } from '@sms/domain';
import { JsonObject, NewEvent, SqlEventStore } from '@sms/event-store';
import { PgliteClient } from '@sms/platform';
import { AttemptChange } from '@sms/read-models';
import { createLogger } from '../logging/logger';
import { JetStreamAttemptSink } from './attempt-feed.sink';
import { AttemptFeedWorker } from './attempt-feed.worker';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const logger = createLogger('silent', 'attempt-feed-test');

interface StoredMessage {
  readonly subject: string;
  readonly msgId: string | undefined;
  readonly change: AttemptChange;
}

describe('attempt feed on NATS JetStream', () => {
  let db: PgliteClient;
  let store: SqlEventStore;
  let admin: NatsConnection;
  let jsm: JetStreamManager;
  let stream: string;
  let subjectPrefix: string;

  beforeAll(async () => {
    db = await PgliteClient.open('memory://');
    admin = await connect({ servers: NATS_URL, timeout: 3_000 });
    jsm = await jetstreamManager(admin);
  });

  afterAll(async () => {
    await admin?.close();
    await db?.close();
  });

  beforeEach(async () => {
    const suffix = randomUUID().replaceAll('-', '').slice(0, 12);
    stream = `REPORTER_TEST_${suffix}`;
    subjectPrefix = `reportertest${suffix}.attempts`;
    store = new SqlEventStore(db, { schema: `feed_events_${suffix}` });
    await store.ensureSchema();
  });

  afterEach(async () => {
    await jsm.streams.delete(stream).catch(() => false);
  });

  async function startFeed(name: string): Promise<{ worker: AttemptFeedWorker; stop(): Promise<void> }> {
    const sink = await JetStreamAttemptSink.connect({ url: NATS_URL, stream, subjectPrefix, logger });
    const worker = new AttemptFeedWorker(store, db, sink, logger, {
      checkpointSchema: `feed_checkpoints_${stream.toLowerCase()}`,
      name,
      pollIntervalMs: 10,
    });
    await worker.start();
    return {
      worker,
      stop: async () => {
        await worker.stop();
        await sink.close();
      },
    };
  }

  async function storedMessages(expected: number): Promise<StoredMessage[]> {
    const deadline = Date.now() + 10_000;
    while ((await jsm.streams.info(stream)).state.messages < expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const consumer = await jsm.jetstream().consumers.get(stream);
    const messages: StoredMessage[] = [];
    const count = (await jsm.streams.info(stream)).state.messages;
    for (let index = 0; index < count; index += 1) {
      const message = await consumer.next({ expires: 2_000 });
      if (message === null) break;
      messages.push({ subject: message.subject, msgId: message.headers?.get('Nats-Msg-Id'), change: message.json<AttemptChange>() });
    }
    return messages;
  }

  async function sendOneSms(campaignId: string, targetId: string, attemptId: string): Promise<void> {
    await store.appendToStream(
      streams.target(targetId),
      [
        {
          type: 'TargetAdded',
          data: {
            targetId,
            campaignId,
            phoneNumber: '+33612345678',
            startDate: null,
            priority: 5,
            timeZone: null,
            layout: null,
            importId: null,
          },
        },
        {
          type: 'SmsAttemptStarted',
          data: { attemptId, attemptNumber: 1, campaignId, sessionId: 's-1', startedAt: '2026-12-07T09:00:00.000Z' },
        },
        {
          type: 'SmsAttempted',
          data: {
            attemptId,
            sessionId: 's-1',
            status: 'SENT',
            providerMessageId: 'p-1',
            error: null,
            encoding: 'GSM-7',
            segments: 1,
            at: '2026-12-07T09:00:01.000Z',
            retryAt: null,
          },
        },
      ].map(toNewEvent),
    );
  }

  it('publishes each attempt change with its version as message id', async () => {
    const campaignId = `c${randomUUID().replaceAll('-', '')}`;
    const feed = await startFeed('feed-a');
    try {
      await sendOneSms(campaignId, 't-1', 'a-1');

      const messages = await storedMessages(2);

      expect(messages.map((message) => [message.subject, message.msgId, message.change.status])).toEqual([
        [`${subjectPrefix}.${campaignId}`, 'a-1:1', 'IN_PROGRESS'],
        [`${subjectPrefix}.${campaignId}`, 'a-1:2', 'SENT'],
      ]);
      expect(messages[1].change).toMatchObject({
        attemptId: 'a-1',
        version: 2,
        campaignId,
        sessionId: 's-1',
        targetId: 't-1',
        segments: 1,
      });
    } finally {
      await feed.stop();
    }
  });

  it('a feed run again from the start stores no duplicate', async () => {
    const campaignId = `c${randomUUID().replaceAll('-', '')}`;
    await sendOneSms(campaignId, 't-2', 'a-2');
    const first = await startFeed('feed-b');
    await storedMessages(2);
    await first.stop();

    // A second feed with its own checkpoint publishes the same changes again, as a crash before the checkpoint write would.
    const second = await startFeed('feed-c');
    try {
      await waitUntil(() => second.worker.checkpoint.commit > 0);

      expect((await jsm.streams.info(stream)).state.messages).toBe(2);
    } finally {
      await second.stop();
    }
  });

  it('a restarted feed resumes from its checkpoint', async () => {
    const campaignId = `c${randomUUID().replaceAll('-', '')}`;
    await sendOneSms(campaignId, 't-3', 'a-3');
    const first = await startFeed('feed-d');
    await storedMessages(2);
    await first.stop();
    await sendOneSms(campaignId, 't-4', 'a-4');

    const second = await startFeed('feed-d');
    try {
      const messages = await storedMessages(4);

      expect(messages.map((message) => message.msgId)).toEqual(['a-3:1', 'a-3:2', 'a-4:1', 'a-4:2']);
    } finally {
      await second.stop();
    }
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out after 10 s waiting for the feed');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function toNewEvent(event: DomainEvent): NewEvent {
  return {
    id: randomUUID(),
    type: event.type,
    data: event.data as JsonObject,
    metadata: {
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { id: 'service:test', role: 'service' },
      decidedAt: '2026-12-07T08:00:00.000Z',
    },
  };
}
