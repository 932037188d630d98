import { describeEventStoreContract } from '../contract/event-store.contract';
import { KurrentDbUnreachableError } from './kurrentdb-connection';
import { connectKurrentDbEventStore } from './kurrentdb-event-store';
import { freshNamespace } from './kurrentdb-records';
import { KurrentDbTestServer, kurrentDbTestTarget, startKurrentDbTestServer } from './testing/kurrentdb-test-server';

const target = kurrentDbTestTarget();

if (target.kind === 'skip') {
  describe.skip(`KurrentDB event store contract (skipped: ${target.reason})`, () => {
    it('runs the event store contract', () => undefined);
  });
} else {
  // One server for the file; each test works in a stream namespace of its own.
  let server: KurrentDbTestServer;

  beforeAll(async () => {
    server = await startKurrentDbTestServer(target);
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
  });

  describeEventStoreContract(
    'KurrentDB',
    async () => {
      const namespace = freshNamespace();
      const store = await connectKurrentDbEventStore({ connectionString: server.url, namespace });
      return {
        store,
        connectAnother: () => connectKurrentDbEventStore({ connectionString: server.url, namespace }),
        teardown: () => store.close(),
      };
    },
    { rejectsEventIdOfAnotherStream: false },
  );
}

describe('KurrentDB event store without a server', () => {
  it('fails within the connect timeout and names the URL without its password', async () => {
    const startedAt = Date.now();

    const error = await connectKurrentDbEventStore({
      connectionString: 'kurrentdb://admin:changeit@127.0.0.1:1?tls=false',
      connectTimeoutMs: 1_000,
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(KurrentDbUnreachableError);
    expect((error as Error).message).toContain('kurrentdb://***@127.0.0.1:1');
    expect((error as Error).message).not.toContain('changeit');
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it('rejects a connection string of another scheme', async () => {
    const error = await connectKurrentDbEventStore({ connectionString: 'postgres://127.0.0.1:5432/x' }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(KurrentDbUnreachableError);
    expect((error as Error).message).toContain('is not valid');
  });
});
