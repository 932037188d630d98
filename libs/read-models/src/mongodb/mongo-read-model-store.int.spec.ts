import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { MongoDBContainer, StartedMongoDBContainer } from '@testcontainers/mongodb';
import { describeReadModelStoreContract } from '../contract/read-model-store.contract';
import { MongoCampaignsProjection } from './mongo-campaigns';
import { MongoUnreachableError } from './mongo-connection';
import { connectMongoReadModelStore } from './mongo-read-model-store';
import { MongoTargetsProjection } from './mongo-targets.projection';

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
    const projections = [new MongoCampaignsProjection(), new MongoTargetsProjection()];
    return {
      store,
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
