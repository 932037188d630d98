import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { streams } from '@sms/domain';
import { createEmbeddedEventStore } from '@sms/event-store';
import { MongoDBContainer, StartedMongoDBContainer } from '@testcontainers/mongodb';
import { senderRegistered } from '../contract/contract-events';
import { describeReadModelStoreContract } from '../contract/read-model-store.contract';
import { MongoUnreachableError } from './mongo-connection';
import { MongoOptOutQueries } from './mongo-opt-outs';
import { connectMongoReadModelStore, createMongoProjections } from './mongo-read-model-store';

/** MongoDB image of the integration tests, pinned by tag; testcontainers runs it as a one-member replica set. */
const MONGODB_TEST_IMAGE = 'mongo:8.0.4';

const target = mongoTestTarget();

if (target.kind === 'skip') {
  describe.skip(`MongoDB read-model store contract (skipped: ${target.reason})`, () => {
    it('runs the read-model store contract', () => undefined);
  });
} else {
  let container: StartedMongoDBContainer | undefined;
  let url: string;

  beforeAll(async () => {
    if (target.kind === 'url') {
      url = target.url;
      return;
    }
    container = await new MongoDBContainer(MONGODB_TEST_IMAGE).start();
    url = `${container.getConnectionString()}?directConnection=true`;
  }, 180_000);

  afterAll(async () => {
    await container?.stop();
  });

  describeReadModelStoreContract('MongoDB', async () => {
    // Each test works in a database of its own, dropped afterwards.
    const store = await connectMongoReadModelStore({ url, database: `read_models_test_${randomUUID().slice(0, 8)}` });
    const projections = createMongoProjections();
    return {
      store,
      reporter: store.reporter,
      optOutsByKey: (numberKey) => new MongoOptOutQueries(store.db, { numberKey }),
      project: async (events) => {
        const session = store.client.startSession();
        try {
          await session.withTransaction(async () => {
            for (const projection of projections) {
              await projection.project(events, store.db, session);
            }
          });
        } finally {
          await session.endSession();
        }
      },
      teardown: async () => {
        await store.db.dropDatabase();
        await store.close();
      },
    };
  });

  describe('MongoDB projection runner', () => {
    it('projects from the event store and rebuilds one view', async () => {
      const events = await createEmbeddedEventStore({ dataDir: 'memory://' });
      const store = await connectMongoReadModelStore({ url, database: `read_models_test_${randomUUID().slice(0, 8)}` });
      const runner = await store.createProjectionRunner(events);
      try {
        await store.setUp();
        await runner.start();
        const senderId = `s${randomUUID().slice(0, 8)}`;
        const metadata = {
          correlationId: randomUUID(),
          causationId: randomUUID(),
          actor: { id: 'service:test', role: 'service' },
          decidedAt: '2026-12-07T08:00:00.000Z',
        };
        const appended = await events.appendToStream(streams.sender(senderId), [
          { id: randomUUID(), ...senderRegistered(senderId, 'Acme'), metadata },
        ]);

        await runner.waitFor(appended.position);
        const projected = await store.queries.senders.getSender(senderId);
        await runner.rebuild('senders');
        await runner.waitFor(appended.position);

        expect(projected).toMatchObject({ id: senderId, name: 'Acme', revision: 0 });
        expect(await store.queries.senders.getSender(senderId)).toEqual(projected);
        expect(runner.status().map((status) => status.name)).toContain('senders');
        expect(runner.status().every((status) => status.running && status.consecutiveFailures === 0)).toBe(true);
      } finally {
        await runner.stop();
        await store.db.dropDatabase();
        await store.close();
        await events.close();
      }
    }, 30_000);
  });
}

describe('MongoDB read-model store without a server', () => {
  it('fails within the connect timeout and names the URL without its password', async () => {
    const startedAt = Date.now();

    const error = await connectMongoReadModelStore({ url: 'mongodb://reader:s3cret@127.0.0.1:1/sms', connectTimeoutMs: 1_000 }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(MongoUnreachableError);
    expect((error as Error).message).toContain('MongoDB at mongodb://***@127.0.0.1:1/sms is unreachable');
    expect((error as Error).message).not.toContain('s3cret');
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });
});

type MongoTestTarget = { kind: 'url'; url: string } | { kind: 'container' } | { kind: 'skip'; reason: string };

/** Picks the server: `MONGODB_URL` when set (a replica set, for transactions), else a container when a Docker engine socket exists. */
function mongoTestTarget(): MongoTestTarget {
  const url = process.env.MONGODB_URL;
  if (url !== undefined && url !== '') {
    return { kind: 'url', url };
  }
  const sockets = ['/var/run/docker.sock', join(homedir(), '.docker', 'run', 'docker.sock')];
  const docker = (process.env.DOCKER_HOST ?? '') !== '' || sockets.some((socket) => existsSync(socket));
  return docker ? { kind: 'container' } : { kind: 'skip', reason: 'no Docker engine socket and MONGODB_URL unset' };
}
