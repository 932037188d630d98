import { randomUUID } from 'node:crypto';

import {
  HANDLER_ERROR_RETRY_DELAY_MS,
  type CommandTransport,
  type ConsumeOptions,
  type ConsumeOutcome,
  type Consumer,
  type IncomingMessage,
  type OutgoingMessage,
} from '../command-transport.port';
import type { TransportLogger } from '../logger';

/**
 * The contract every CommandTransport adapter passes. An adapter's spec calls
 * describeCommandTransportContract with a factory that returns fresh transports for each test.
 */

export interface ContractSetup {
  readonly transport: CommandTransport;
  /**
   * A second client of the same stream, standing for another process. The in-process adapter
   * has no other process and returns `transport` itself.
   */
  readonly peer: CommandTransport;
  /** Prefix unique to the test, so that runs do not interfere. The stream captures `<subjectPrefix>.>`. */
  readonly subjectPrefix: string;
  /** Closes both transports and removes what the test stored. */
  teardown(): Promise<void>;
}

export type ContractTransportFactory = (logger: TransportLogger) => Promise<ContractSetup>;

export interface LogEntry {
  readonly level: 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

export class RecordingLogger implements TransportLogger {
  readonly entries: LogEntry[] = [];

  info(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: 'info', fields, message });
  }

  warn(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: 'warn', fields, message });
  }

  error(fields: Record<string, unknown>, message: string): void {
    this.entries.push({ level: 'error', fields, message });
  }
}

/** Time a test waits after the expected deliveries to see that no extra one arrives, in milliseconds. */
const QUIET_PERIOD_MS = 750;

/**
 * Allowed early arrival of a delayed redelivery, in milliseconds, because the broker's timer
 * and this process's clock are read at slightly different moments.
 */
const TIMER_TOLERANCE_MS = 25;

const ACK: ConsumeOutcome = { kind: 'ack' };

export function describeCommandTransportContract(adapterName: string, factory: ContractTransportFactory): void {
  describe(`${adapterName} - CommandTransport contract`, () => {
    let setup: ContractSetup;
    let logger: RecordingLogger;
    let subject: string;

    beforeEach(async () => {
      logger = new RecordingLogger();
      setup = await factory(logger);
      subject = `${setup.subjectPrefix}.send`;
    });

    afterEach(async () => {
      await setup.teardown();
    });

    function consumerOptions(overrides: Partial<ConsumeOptions> = {}): ConsumeOptions {
      return { consumerName: `c-${randomUUID()}`, subject, concurrency: 4, ...overrides };
    }

    function message(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
      const id = randomUUID();
      return { id, subject, payload: { attemptId: id }, ...overrides };
    }

    describe('message published before the consumer starts', () => {
      it('delivers id, subject, payload and headers', async () => {
        const sent = message({
          payload: { attemptId: 'a-1', text: 'Bonjour é ✓', parts: [1, 2], nested: { ok: true, none: null } },
          headers: { 'Correlation-Id': 'corr-1', 'Causation-Id': 'cause-1' },
        });
        await setup.transport.publish(sent);

        const received: IncomingMessage[] = [];
        await setup.transport.consume(consumerOptions(), async (incoming) => {
          received.push(incoming);
          return ACK;
        });

        await waitFor(() => received.length === 1, 'the message to be delivered');
        const [first] = received;
        expect(first.id).toBe(sent.id);
        expect(first.subject).toBe(subject);
        expect(first.payload).toEqual(sent.payload);
        expect(first.headers).toEqual({ 'Correlation-Id': 'corr-1', 'Causation-Id': 'cause-1' });
        expect(first.deliveryCount).toBe(1);
      });
    });

    describe('message without headers', () => {
      it('delivers an empty header map', async () => {
        const received: IncomingMessage[] = [];
        await setup.transport.consume(consumerOptions(), async (incoming) => {
          received.push(incoming);
          return ACK;
        });

        await setup.transport.publish(message());

        await waitFor(() => received.length === 1, 'the message to be delivered');
        expect(received[0].headers).toEqual({});
      });
    });

    describe('same id published more than once', () => {
      it('delivers the message once', async () => {
        const first = message({ payload: { version: 1 } });
        const other = message();
        await setup.transport.publish(first);
        await setup.transport.publish({ ...first, payload: { version: 2 } });
        await setup.transport.publishMany([first, other, other]);

        const received: IncomingMessage[] = [];
        await setup.transport.consume(consumerOptions(), async (incoming) => {
          received.push(incoming);
          return ACK;
        });

        await waitFor(() => received.length >= 2, 'both distinct messages to be delivered');
        await sleep(QUIET_PERIOD_MS);
        expect(received.map((incoming) => incoming.id).sort()).toEqual([first.id, other.id].sort());
        expect(received.find((incoming) => incoming.id === first.id)?.payload).toEqual({ version: 1 });
      });
    });

    describe('two consumers sharing a name', () => {
      it('split the messages and handle each once', async () => {
        const options = consumerOptions({ concurrency: 2 });
        const handledBy = new Map<string, string[]>();
        const handlerFor =
          (consumerLabel: string) =>
          async (incoming: IncomingMessage): Promise<ConsumeOutcome> => {
            handledBy.set(incoming.id, [...(handledBy.get(incoming.id) ?? []), consumerLabel]);
            await sleep(5);
            return ACK;
          };
        await setup.transport.consume(options, handlerFor('first'));
        await setup.peer.consume(options, handlerFor('second'));

        const messages = Array.from({ length: 60 }, () => message());
        await setup.transport.publishMany(messages);

        await waitFor(() => handledBy.size === messages.length, 'every message to be handled');
        await sleep(QUIET_PERIOD_MS);
        const labels = [...handledBy.values()];
        expect(labels.every((consumers) => consumers.length === 1)).toBe(true);
        expect(labels.filter(([label]) => label === 'first').length).toBeGreaterThan(0);
        expect(labels.filter(([label]) => label === 'second').length).toBeGreaterThan(0);
      });
    });

    describe('consumer with concurrency 4', () => {
      it('runs at most 4 handlers at once', async () => {
        let inFlight = 0;
        let maxInFlight = 0;
        let handled = 0;
        await setup.transport.consume(consumerOptions({ concurrency: 4 }), async () => {
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await sleep(30);
          inFlight -= 1;
          handled += 1;
          return ACK;
        });

        await setup.transport.publishMany(Array.from({ length: 40 }, () => message()));

        await waitFor(() => handled === 40, 'all 40 messages to be handled');
        expect(maxInFlight).toBe(4);
      });
    });

    describe('handler returning retry', () => {
      it('redelivers after the delay', async () => {
        const retryDelayMs = 500;
        const deliveries: Array<{ deliveryCount: number; at: number }> = [];
        await setup.transport.consume(consumerOptions(), async (incoming) => {
          deliveries.push({ deliveryCount: incoming.deliveryCount, at: Date.now() });
          return incoming.deliveryCount === 1 ? { kind: 'retry', delayMs: retryDelayMs, reason: 'gateway busy' } : ACK;
        });

        await setup.transport.publish(message());

        await waitFor(() => deliveries.length === 2, 'the retried message to come back');
        await sleep(QUIET_PERIOD_MS);
        expect(deliveries.map((delivery) => delivery.deliveryCount)).toEqual([1, 2]);
        expect(deliveries[1].at - deliveries[0].at).toBeGreaterThanOrEqual(retryDelayMs - TIMER_TOLERANCE_MS);
      });
    });

    describe('handler returning reject', () => {
      it('never gets the message again', async () => {
        const rejected = message();
        const next = message();
        const received: string[] = [];
        // An ack wait shorter than the observation window, so a message left unsettled would come back.
        await setup.transport.consume(consumerOptions({ ackWaitMs: 1_000 }), async (incoming) => {
          received.push(incoming.id);
          return incoming.id === rejected.id ? { kind: 'reject', reason: 'unknown template' } : ACK;
        });

        await setup.transport.publish(rejected);
        await waitFor(() => received.length === 1, 'the message to be delivered');
        await sleep(1_500);
        await setup.transport.publish(next);

        await waitFor(() => received.includes(next.id), 'the next message to be delivered');
        expect(received).toEqual([rejected.id, next.id]);
        expect(logger.entries).toContainEqual(
          expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ messageId: rejected.id }) }),
        );
      });
    });

    describe('handler that throws', () => {
      it('logs and redelivers after the error delay', async () => {
        const sent = message();
        const deliveries: Array<{ deliveryCount: number; at: number }> = [];
        await setup.transport.consume(consumerOptions(), async (incoming) => {
          deliveries.push({ deliveryCount: incoming.deliveryCount, at: Date.now() });
          if (incoming.deliveryCount === 1) {
            throw new Error('database unavailable');
          }
          return ACK;
        });

        await setup.transport.publish(sent);

        await waitFor(() => deliveries.length === 2, 'the message to be redelivered');
        expect(deliveries[1].deliveryCount).toBe(2);
        expect(deliveries[1].at - deliveries[0].at).toBeGreaterThanOrEqual(HANDLER_ERROR_RETRY_DELAY_MS - TIMER_TOLERANCE_MS);
        const errors = logger.entries.filter((entry) => entry.level === 'error');
        expect(errors).toHaveLength(1);
        expect(errors[0].fields).toMatchObject({ messageId: sent.id, deliveryCount: 1 });
        expect((errors[0].fields.err as Error).message).toBe('database unavailable');
      });
    });

    describe('handler returning an invalid outcome', () => {
      it('gets the message again', async () => {
        const deliveries: number[] = [];
        await setup.transport.consume(consumerOptions(), async (incoming) => {
          deliveries.push(incoming.deliveryCount);
          return (incoming.deliveryCount === 1 ? { kind: 'maybe' } : ACK) as ConsumeOutcome;
        });

        await setup.transport.publish(message());

        await waitFor(() => deliveries.length === 2, 'the message to be redelivered');
        expect(deliveries).toEqual([1, 2]);
      });
    });

    describe('message that keeps failing with maxDeliveries 3', () => {
      it('is handled 3 times and then dropped', async () => {
        const sent = message();
        const deliveries: number[] = [];
        await setup.transport.consume(consumerOptions({ maxDeliveries: 3 }), async (incoming) => {
          deliveries.push(incoming.deliveryCount);
          return { kind: 'retry', delayMs: 100, reason: 'still failing' };
        });

        await setup.transport.publish(sent);

        await waitFor(() => deliveries.length === 3, 'three deliveries');
        await sleep(QUIET_PERIOD_MS + 500);
        expect(deliveries).toEqual([1, 2, 3]);
        expect(logger.entries).toContainEqual(
          expect.objectContaining({
            level: 'warn',
            message: 'message terminated as poison',
            fields: expect.objectContaining({ messageId: sent.id, deliveryCount: 3 }),
          }),
        );
      });
    });

    describe('handler running longer than ackWaitMs', () => {
      it('keeps its message until it returns', async () => {
        const options = consumerOptions({ ackWaitMs: 1_000, concurrency: 1 });
        const deliveries: string[] = [];
        const handler = async (incoming: IncomingMessage): Promise<ConsumeOutcome> => {
          deliveries.push(`${incoming.id}#${incoming.deliveryCount}`);
          await sleep(2_500);
          return ACK;
        };
        await setup.transport.consume(options, handler);
        await setup.peer.consume(options, handler);

        const sent = message();
        await setup.transport.publish(sent);

        await waitFor(() => deliveries.length === 1, 'the message to be delivered');
        await sleep(3_000);
        expect(deliveries).toEqual([`${sent.id}#1`]);
      });
    });

    describe('publishMany of 5,000 messages', () => {
      it('delivers each message exactly once', async () => {
        const messages = Array.from({ length: 5_000 }, (_, index) => message({ payload: { index } }));
        const counts = new Map<string, number>();
        await setup.transport.consume(consumerOptions({ concurrency: 64 }), async (incoming) => {
          counts.set(incoming.id, (counts.get(incoming.id) ?? 0) + 1);
          return ACK;
        });

        await setup.transport.publishMany(messages);

        await waitFor(() => counts.size === messages.length, 'all 5,000 messages to be delivered', 40_000);
        await sleep(QUIET_PERIOD_MS);
        expect([...counts.values()].every((count) => count === 1)).toBe(true);
        expect(new Set(messages.map((sent) => sent.id))).toEqual(new Set(counts.keys()));
      });
    });

    describe('publishMany of no messages', () => {
      it('resolves', async () => {
        await expect(setup.transport.publishMany([])).resolves.toBeUndefined();
      });
    });

    describe('consumer stopping with a handler under way', () => {
      it('resolves stop() only after the handler returns', async () => {
        const release = deferred();
        const events: string[] = [];
        const consumer = await setup.transport.consume(consumerOptions(), async () => {
          events.push('handler started');
          await release.promise;
          events.push('handler finished');
          return ACK;
        });
        await setup.transport.publish(message());
        await waitFor(() => events.includes('handler started'), 'the handler to start');

        const stopped = consumer.stop().then(() => events.push('stop resolved'));
        await sleep(200);
        expect(events).toEqual(['handler started']);

        release.resolve();
        await stopped;
        expect(events).toEqual(['handler started', 'handler finished', 'stop resolved']);
      });

      it('leaves later messages to the next member', async () => {
        const options = consumerOptions();
        const firstHandled: string[] = [];
        const first: Consumer = await setup.transport.consume(options, async (incoming) => {
          firstHandled.push(incoming.id);
          return ACK;
        });
        const before = message();
        await setup.transport.publish(before);
        await waitFor(() => firstHandled.length === 1, 'the first message to be handled');
        await first.stop();

        const after = message();
        await setup.transport.publish(after);
        const secondHandled: string[] = [];
        await setup.transport.consume(options, async (incoming) => {
          secondHandled.push(incoming.id);
          return ACK;
        });

        await waitFor(() => secondHandled.length === 1, 'the later message to reach the new consumer');
        await sleep(QUIET_PERIOD_MS);
        expect(firstHandled).toEqual([before.id]);
        expect(secondHandled).toEqual([after.id]);
      });
    });

    describe('invalid message', () => {
      it('rejects a subject the stream does not capture', async () => {
        await expect(setup.transport.publish(message({ subject: 'elsewhere.commands.send' }))).rejects.toMatchObject({
          code: 'MESSAGING.INVALID_MESSAGE',
          field: 'subject',
        });
      });

      it('rejects a subject with a wildcard', async () => {
        await expect(setup.transport.publish(message({ subject: `${setup.subjectPrefix}.*` }))).rejects.toMatchObject({
          code: 'MESSAGING.INVALID_MESSAGE',
        });
      });

      it('rejects a header reserved by the broker', async () => {
        await expect(setup.transport.publish(message({ headers: { 'Nats-Msg-Id': 'x' } }))).rejects.toMatchObject({
          code: 'MESSAGING.INVALID_MESSAGE',
        });
      });

      it('rejects a header value with a line break', async () => {
        await expect(setup.transport.publish(message({ headers: { Note: 'a\r\nb' } }))).rejects.toMatchObject({
          code: 'MESSAGING.INVALID_MESSAGE',
        });
      });

      it('rejects an empty id', async () => {
        await expect(setup.transport.publish(message({ id: '' }))).rejects.toMatchObject({
          code: 'MESSAGING.INVALID_MESSAGE',
          field: 'id',
        });
      });

      it('rejects a payload with no JSON form', async () => {
        await expect(setup.transport.publish(message({ payload: undefined }))).rejects.toMatchObject({
          code: 'MESSAGING.INVALID_MESSAGE',
          field: 'payload',
        });
      });

      it('stores nothing from a batch with one invalid message', async () => {
        const valid = message();
        await expect(setup.transport.publishMany([valid, message({ subject: 'elsewhere.commands.send' })])).rejects.toMatchObject({
          code: 'MESSAGING.INVALID_MESSAGE',
        });

        const received: string[] = [];
        await setup.transport.consume(consumerOptions(), async (incoming) => {
          received.push(incoming.id);
          return ACK;
        });
        await sleep(QUIET_PERIOD_MS);
        expect(received).toEqual([]);
      });
    });

    describe('invalid consume options', () => {
      it.each<[string, Partial<ConsumeOptions>]>([
        ['concurrency', { concurrency: 0 }],
        ['concurrency', { concurrency: 1.5 }],
        ['maxDeliveries', { maxDeliveries: 0 }],
        ['ackWaitMs', { ackWaitMs: 10 }],
        ['consumerName', { consumerName: 'has.dot' }],
        ['subject', { subject: 'elsewhere.>' }],
        ['subject', { subject: 'bad..subject' }],
      ])('rejects %s in %j', async (field, overrides) => {
        await expect(setup.transport.consume(consumerOptions(overrides), async () => ACK)).rejects.toMatchObject({
          code: 'MESSAGING.INVALID_CONSUME_OPTIONS',
          field,
        });
      });
    });

    describe('consumer names on a work-queue stream', () => {
      it('rejects a second name on an overlapping subject', async () => {
        await setup.transport.consume(consumerOptions({ subject: `${setup.subjectPrefix}.>` }), async () => ACK);

        await expect(setup.transport.consume(consumerOptions(), async () => ACK)).rejects.toMatchObject({
          code: 'MESSAGING.CONSUMER_CONFLICT',
        });
      });

      it('accepts two names on disjoint subjects', async () => {
        const received: string[] = [];
        const record = async (incoming: IncomingMessage): Promise<ConsumeOutcome> => {
          received.push(incoming.subject);
          return ACK;
        };
        await setup.transport.consume(consumerOptions({ subject: `${setup.subjectPrefix}.send` }), record);
        await setup.transport.consume(consumerOptions({ subject: `${setup.subjectPrefix}.cancel` }), record);

        await setup.transport.publish(message({ subject: `${setup.subjectPrefix}.send` }));
        await setup.transport.publish(message({ subject: `${setup.subjectPrefix}.cancel` }));

        await waitFor(() => received.length === 2, 'both messages to be delivered');
        expect(received.sort()).toEqual([`${setup.subjectPrefix}.cancel`, `${setup.subjectPrefix}.send`]);
      });

      it('rejects a known name with another subject', async () => {
        const options = consumerOptions();
        const consumer = await setup.transport.consume(options, async () => ACK);
        await consumer.stop();

        await expect(
          setup.transport.consume({ ...options, subject: `${setup.subjectPrefix}.other` }, async () => ACK),
        ).rejects.toMatchObject({ code: 'MESSAGING.CONSUMER_CONFLICT' });
      });
    });

    describe('closed transport', () => {
      it('rejects publish and consume', async () => {
        await setup.transport.close();

        await expect(setup.transport.publish(message())).rejects.toMatchObject({ code: 'MESSAGING.TRANSPORT_CLOSED' });
        await expect(setup.transport.publishMany([message()])).rejects.toMatchObject({
          code: 'MESSAGING.TRANSPORT_CLOSED',
        });
        await expect(setup.transport.consume(consumerOptions(), async () => ACK)).rejects.toMatchObject({
          code: 'MESSAGING.TRANSPORT_CLOSED',
        });
      });

      it('resolves a second close()', async () => {
        await setup.transport.close();

        await expect(setup.transport.close()).resolves.toBeUndefined();
      });
    });
  });
}

/** Polls `condition` every 10 ms. Throws an error naming `what` when it is still false after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}
