import { randomUUID } from 'node:crypto';

import { jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

import { describeCommandTransportContract, RecordingLogger, waitFor } from '../contract/command-transport.contract';
import { connectJetStreamTransport, type JetStreamTransport, type JetStreamTransportOptions } from './jetstream-transport';
import { NatsServerProcess } from './nats-server-process';

/** The shared test server; tests create their own streams on it and never restart it. */
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

interface TestStream {
  readonly name: string;
  readonly subjectPrefix: string;
}

function uniqueStream(): TestStream {
  const suffix = randomUUID().replaceAll('-', '');
  return { name: `T_${suffix}`, subjectPrefix: `t${suffix}.sms.commands` };
}

/** Opens an admin connection for setup and cleanup outside the transport under test. */
async function withAdmin<T>(work: (jsm: JetStreamManager) => Promise<T>): Promise<T> {
  const nc: NatsConnection = await connect({ servers: NATS_URL, timeout: 3_000 });
  try {
    return await work(await jetstreamManager(nc));
  } finally {
    await nc.close();
  }
}

async function deleteStream(name: string): Promise<void> {
  await withAdmin(async (jsm) => {
    await jsm.streams.delete(name).catch(() => false);
  });
}

/** Returns the error that connectJetStreamTransport rejects with; throws when it connects. */
async function startupError(options: JetStreamTransportOptions): Promise<Error> {
  let transport: JetStreamTransport;
  try {
    transport = await connectJetStreamTransport(options);
  } catch (error) {
    return error as Error;
  }
  await transport.close();
  throw new Error(`expected connecting to ${options.url} to fail, but it succeeded`);
}

describeCommandTransportContract('JetStream', async (logger) => {
  const stream = uniqueStream();
  const options = { url: NATS_URL, streamName: stream.name, subjects: [`${stream.subjectPrefix}.>`], logger };
  const transport = await connectJetStreamTransport(options);
  const peer = await connectJetStreamTransport({ ...options, logger: new RecordingLogger() });
  return {
    transport,
    peer,
    subjectPrefix: stream.subjectPrefix,
    teardown: async () => {
      await Promise.all([transport.close(), peer.close()]);
      await deleteStream(stream.name);
    },
  };
});

describe('JetStream transport', () => {
  describe('server not listening', () => {
    it('fails within a few seconds naming the URL', async () => {
      const server = await NatsServerProcess.start();
      const url = server.url;
      await server.dispose();

      const startedAt = Date.now();
      const error = await startupError({ url });

      expect(Date.now() - startedAt).toBeLessThan(5_000);
      expect(error).toMatchObject({ code: 'MESSAGING.CONNECTION_FAILED', url });
      expect(error.message).toContain(url);
    });

    it('masks the password in the error', async () => {
      const server = await NatsServerProcess.start();
      const port = server.port;
      await server.dispose();

      const error = await startupError({ url: `nats://sender:s3cret@127.0.0.1:${port}` });

      expect(error).toMatchObject({ code: 'MESSAGING.CONNECTION_FAILED' });
      expect(error.message).toContain(`nats://***@127.0.0.1:${port}`);
      expect(error.message).not.toContain('s3cret');
    });
  });

  describe('server without JetStream', () => {
    it('fails the start naming the URL', async () => {
      const server = await NatsServerProcess.start({ jetstream: false });
      try {
        const startedAt = Date.now();
        const error = await startupError({ url: server.url });

        expect(Date.now() - startedAt).toBeLessThan(10_000);
        expect(error).toMatchObject({ code: 'MESSAGING.CONNECTION_FAILED', url: server.url });
        expect(error.message).toContain('JetStream is not available');
      } finally {
        await server.dispose();
      }
    });
  });

  describe('durable consumer deleted on the server', () => {
    it('is created again and keeps consuming', async () => {
      const stream = uniqueStream();
      const subject = `${stream.subjectPrefix}.send`;
      const logger = new RecordingLogger();
      const transport = await connectJetStreamTransport({
        url: NATS_URL,
        streamName: stream.name,
        subjects: [`${stream.subjectPrefix}.>`],
        logger,
      });

      try {
        const received: string[] = [];
        await transport.consume({ consumerName: 'sender', subject, concurrency: 2 }, async (incoming) => {
          received.push(incoming.id);
          return { kind: 'ack' };
        });
        await withAdmin((jsm) => jsm.consumers.delete(stream.name, 'sender'));
        await waitFor(
          () => logger.entries.some((entry) => entry.message.startsWith('JetStream durable consumer is gone')),
          'the transport to notice the deleted durable',
        );

        const id = randomUUID();
        await transport.publish({ id, subject, payload: {} });

        await waitFor(() => received.includes(id), 'the message to reach the recreated durable');
        const info = await withAdmin((jsm) => jsm.consumers.info(stream.name, 'sender'));
        expect(info.config.filter_subject).toBe(subject);
      } finally {
        await transport.close();
        await deleteStream(stream.name);
      }
    });
  });

  describe('stream that does not exist yet', () => {
    it('is created as a file-backed work queue', async () => {
      const stream = uniqueStream();
      const transport = await connectJetStreamTransport({
        url: NATS_URL,
        streamName: stream.name,
        subjects: [`${stream.subjectPrefix}.>`],
        duplicateWindowMs: 30_000,
      });

      try {
        const info = await withAdmin((jsm) => jsm.streams.info(stream.name));
        expect(info.config.retention).toBe(RetentionPolicy.Workqueue);
        expect(info.config.storage).toBe(StorageType.File);
        expect(info.config.subjects).toEqual([`${stream.subjectPrefix}.>`]);
        expect(info.config.duplicate_window).toBe(30_000 * 1_000_000);
      } finally {
        await transport.close();
        await deleteStream(stream.name);
      }
    });
  });

  describe('stream that exists with other subjects', () => {
    it('gains the configured subjects and keeps its own', async () => {
      const stream = uniqueStream();
      await withAdmin((jsm) =>
        jsm.streams.add({
          name: stream.name,
          subjects: [`${stream.subjectPrefix}.legacy`],
          retention: RetentionPolicy.Workqueue,
          storage: StorageType.File,
        }),
      );

      const transport = await connectJetStreamTransport({
        url: NATS_URL,
        streamName: stream.name,
        subjects: [`${stream.subjectPrefix}.send`],
      });

      try {
        const info = await withAdmin((jsm) => jsm.streams.info(stream.name));
        expect(info.config.subjects).toEqual([`${stream.subjectPrefix}.legacy`, `${stream.subjectPrefix}.send`]);
      } finally {
        await transport.close();
        await deleteStream(stream.name);
      }
    });
  });

  describe('stream that exists with limits retention', () => {
    it('fails the start for work-queue retention', async () => {
      const stream = uniqueStream();
      await withAdmin((jsm) =>
        jsm.streams.add({
          name: stream.name,
          subjects: [`${stream.subjectPrefix}.>`],
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
        }),
      );

      try {
        await expect(
          connectJetStreamTransport({ url: NATS_URL, streamName: stream.name, subjects: [`${stream.subjectPrefix}.>`] }),
        ).rejects.toMatchObject({ code: 'MESSAGING.STREAM_SETUP_FAILED', streamName: stream.name });
      } finally {
        await deleteStream(stream.name);
      }
    });
  });

  describe('limits retention with two consumer names', () => {
    it('delivers every message to each name', async () => {
      const stream = uniqueStream();
      const subject = `${stream.subjectPrefix}.send`;
      const transport: JetStreamTransport = await connectJetStreamTransport({
        url: NATS_URL,
        streamName: stream.name,
        subjects: [`${stream.subjectPrefix}.>`],
        retention: 'limits',
        maxAgeMs: 3_600_000,
      });

      try {
        const received: string[] = [];
        for (const consumerName of ['reporter', 'chat-flow']) {
          await transport.consume({ consumerName, subject, concurrency: 2 }, async () => {
            received.push(consumerName);
            return { kind: 'ack' };
          });
        }

        await transport.publish({ id: randomUUID(), subject, payload: {} });

        const deadline = Date.now() + 10_000;
        while (received.length < 2 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(received.sort()).toEqual(['chat-flow', 'reporter']);
      } finally {
        await transport.close();
        await deleteStream(stream.name);
      }
    });
  });

  describe('another stream capturing the subjects', () => {
    it('fails the start naming the subjects', async () => {
      const existing = uniqueStream();
      await withAdmin((jsm) =>
        jsm.streams.add({
          name: existing.name,
          subjects: [`${existing.subjectPrefix}.>`],
          retention: RetentionPolicy.Workqueue,
          storage: StorageType.File,
        }),
      );

      try {
        const error = await startupError({
          url: NATS_URL,
          streamName: uniqueStream().name,
          subjects: [`${existing.subjectPrefix}.>`],
        });

        expect(error).toMatchObject({ code: 'MESSAGING.STREAM_SETUP_FAILED' });
        expect(error.message).toContain(`${existing.subjectPrefix}.>`);
      } finally {
        await deleteStream(existing.name);
      }
    });
  });
});
