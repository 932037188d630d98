import { randomUUID } from 'node:crypto';

import type { ConsumeOutcome, IncomingMessage } from '../command-transport.port';
import { describeCommandTransportContract, RecordingLogger, sleep, waitFor } from '../contract/command-transport.contract';
import { createInProcessTransport } from './in-process-transport';

describeCommandTransportContract('in-process', async (logger) => {
  const subjectPrefix = `t${randomUUID().replaceAll('-', '')}.sms.commands`;
  const transport = createInProcessTransport({ subjects: [`${subjectPrefix}.>`], logger });
  return {
    transport,
    peer: transport,
    subjectPrefix,
    teardown: () => transport.close(),
  };
});

describe('in-process transport', () => {
  const subject = 'sms.commands.send';
  const ack: ConsumeOutcome = { kind: 'ack' };

  describe('id published again after the duplicate window', () => {
    it('is delivered again', async () => {
      const transport = createInProcessTransport({ duplicateWindowMs: 100 });
      const received: IncomingMessage[] = [];
      await transport.consume({ consumerName: 'sender', subject, concurrency: 1 }, async (incoming) => {
        received.push(incoming);
        return ack;
      });

      await transport.publish({ id: 'attempt-1', subject, payload: { n: 1 } });
      await transport.publish({ id: 'attempt-1', subject, payload: { n: 2 } });
      await sleep(150);
      await transport.publish({ id: 'attempt-1', subject, payload: { n: 3 } });

      await waitFor(() => received.length === 2, 'two deliveries');
      expect(received.map((incoming) => incoming.payload)).toEqual([{ n: 1 }, { n: 3 }]);
      await transport.close();
    });
  });

  describe('transport closed with a redelivery pending', () => {
    it('leaves no timer behind', async () => {
      const timersBefore = countActiveTimers();
      const transport = createInProcessTransport();
      let deliveries = 0;
      await transport.consume({ consumerName: 'sender', subject, concurrency: 1 }, async () => {
        deliveries += 1;
        return { kind: 'retry', delayMs: 60_000, reason: 'gateway down' };
      });
      await transport.publish({ id: randomUUID(), subject, payload: {} });
      await waitFor(() => deliveries === 1, 'the first delivery');
      await sleep(0);
      expect(countActiveTimers()).toBe(timersBefore + 1);

      await transport.close();

      expect(countActiveTimers()).toBe(timersBefore);
    });
  });

  describe('payload mutated by a handler', () => {
    it('reaches the next delivery unchanged', async () => {
      const transport = createInProcessTransport();
      const seen: unknown[] = [];
      await transport.consume({ consumerName: 'sender', subject, concurrency: 1 }, async (incoming) => {
        const payload = incoming.payload as { values: number[] };
        seen.push(structuredClone(payload));
        payload.values.push(99);
        return incoming.deliveryCount === 1 ? { kind: 'retry', delayMs: 0, reason: 'again' } : ack;
      });

      await transport.publish({ id: randomUUID(), subject, payload: { values: [1] } });

      await waitFor(() => seen.length === 2, 'two deliveries');
      expect(seen).toEqual([{ values: [1] }, { values: [1] }]);
      await transport.close();
    });
  });

  describe('retried message with two members', () => {
    it('goes to the members in turn', async () => {
      const transport = createInProcessTransport({ logger: new RecordingLogger() });
      const handledBy: string[] = [];
      const options = { consumerName: 'sender', subject, concurrency: 1 };
      await transport.consume(options, async (incoming) => {
        handledBy.push(`first#${incoming.deliveryCount}`);
        return incoming.deliveryCount === 1 ? { kind: 'retry', delayMs: 0, reason: 'again' } : ack;
      });
      await transport.consume(options, async (incoming) => {
        handledBy.push(`second#${incoming.deliveryCount}`);
        return incoming.deliveryCount === 1 ? { kind: 'retry', delayMs: 0, reason: 'again' } : ack;
      });

      await transport.publish({ id: randomUUID(), subject, payload: {} });

      await waitFor(() => handledBy.length === 2, 'two deliveries');
      expect(handledBy).toEqual(['first#1', 'second#2']);
      await transport.close();
    });
  });
});

function countActiveTimers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
}
