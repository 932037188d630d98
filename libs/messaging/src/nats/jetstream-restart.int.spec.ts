import { randomUUID } from 'node:crypto';

import type { ConsumeOutcome, OutgoingMessage } from '../command-transport.port';
import { RecordingLogger, sleep, waitFor } from '../contract/command-transport.contract';
import { SEND_SMS_SUBJECT } from '../subjects';
import { connectJetStreamTransport, type JetStreamTransport } from './jetstream-transport';
import { NatsServerProcess } from './nats-server-process';

/**
 * These tests stop and restart a private nats-server, started by the test on a free port, and
 * never the shared server on 4222.
 */

const CANCEL_SUBJECT = 'sms.commands.cancel';
const ACK: ConsumeOutcome = { kind: 'ack' };

function messages(count: number, subject: string): OutgoingMessage[] {
  return Array.from({ length: count }, () => {
    const id = randomUUID();
    return { id, subject, payload: { attemptId: id } };
  });
}

/** Retries `publish` until it resolves, because JetStream may still be recovering its streams right after a restart. */
async function publishWhenAvailable(publish: () => Promise<void>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await publish();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw error;
      }
      await sleep(200);
    }
  }
}

describe('JetStream transport - server restart', () => {
  let server: NatsServerProcess;
  let transport: JetStreamTransport | undefined;
  let logger: RecordingLogger;

  beforeEach(async () => {
    server = await NatsServerProcess.start();
    logger = new RecordingLogger();
  });

  afterEach(async () => {
    await transport?.close();
    transport = undefined;
    await server.dispose();
  });

  function logged(message: string): boolean {
    return logger.entries.some((entry) => entry.message === message);
  }

  describe('server killed and started again on the same storage', () => {
    it('keeps stored messages and accepts publishes', async () => {
      const liveTransport = await connectJetStreamTransport({ url: server.url, reconnectWaitMs: 200, logger });
      transport = liveTransport;
      const sendHandled: string[] = [];
      await liveTransport.consume({ consumerName: 'sender', subject: SEND_SMS_SUBJECT, concurrency: 4 }, async (incoming) => {
        sendHandled.push(incoming.id);
        return ACK;
      });

      const beforeKill = messages(5, SEND_SMS_SUBJECT);
      await liveTransport.publishMany(beforeKill);
      await waitFor(() => sendHandled.length === beforeKill.length, 'the messages sent before the kill');

      // No consumer takes this subject yet, so these stay stored on the server across the restart.
      const stored = messages(10, CANCEL_SUBJECT);
      await liveTransport.publishMany(stored);

      await server.kill('SIGKILL');
      await waitFor(() => logged('disconnected from NATS, reconnecting'), 'the client to log the disconnect');
      await server.restart();
      await waitFor(() => logged('reconnected to NATS'), 'the client to reconnect', 20_000);

      const afterRestart = messages(5, SEND_SMS_SUBJECT);
      await publishWhenAvailable(() => liveTransport.publishMany(afterRestart));
      await waitFor(
        () => afterRestart.every((sent) => sendHandled.includes(sent.id)),
        'the consumer started before the restart to handle the new messages',
        30_000,
      );

      const cancelHandled: string[] = [];
      await liveTransport.consume({ consumerName: 'canceller', subject: CANCEL_SUBJECT, concurrency: 4 }, async (incoming) => {
        cancelHandled.push(incoming.id);
        return ACK;
      });
      await waitFor(() => cancelHandled.length === stored.length, 'the messages stored before the restart');

      expect(new Set(cancelHandled)).toEqual(new Set(stored.map((sent) => sent.id)));
      expect(new Set(sendHandled)).toEqual(new Set([...beforeKill, ...afterRestart].map((sent) => sent.id)));
    });
  });

  describe('server down', () => {
    it('fails a publish within its timeout', async () => {
      const downTransport = await connectJetStreamTransport({ url: server.url, publishTimeoutMs: 1_000, logger });
      transport = downTransport;
      await server.kill('SIGKILL');
      await waitFor(() => logged('disconnected from NATS, reconnecting'), 'the client to log the disconnect');

      const startedAt = Date.now();
      await expect(downTransport.publish(messages(1, SEND_SMS_SUBJECT)[0])).rejects.toMatchObject({
        code: 'MESSAGING.PUBLISH_FAILED',
      });
      expect(Date.now() - startedAt).toBeLessThan(3_000);
    });

    it('closes the transport within a few seconds', async () => {
      const downTransport = await connectJetStreamTransport({ url: server.url, logger });
      await downTransport.consume({ consumerName: 'sender', subject: SEND_SMS_SUBJECT, concurrency: 2 }, async () => ACK);
      await server.kill('SIGKILL');
      await waitFor(() => logged('disconnected from NATS, reconnecting'), 'the client to log the disconnect');

      const startedAt = Date.now();
      await downTransport.close();

      expect(Date.now() - startedAt).toBeLessThan(5_000);
    });
  });
});
