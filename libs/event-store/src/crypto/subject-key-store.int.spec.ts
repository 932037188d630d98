import { randomUUID } from 'node:crypto';
import { MongoDBContainer, StartedMongoDBContainer } from '@testcontainers/mongodb';
import { MongoClient } from 'mongodb';
import { PgliteClient, PostgresClient, SqlClient } from '@sms/platform';
import { dockerEngineSocketExists } from '../testing/docker-engine';
import { dropSchema, freshSchemaName, TEST_POSTGRES_URL } from '../testing/test-databases';
import { MongoSubjectKeyStore } from './mongo-subject-key-store';
import { SqlSubjectKeyStore } from './sql-subject-key-store';
import { NewSubjectKey, SubjectKeyStore } from './subject-key-store.port';

/** MongoDB image of the integration tests, pinned by tag. */
const MONGODB_TEST_IMAGE = 'mongo:8.0.4';

interface OpenedKeyStore {
  readonly keyStore: SubjectKeyStore;
  teardown(): Promise<void>;
}

/** Runs the rules every subject key store keeps, whatever its database. */
function describeSubjectKeyStoreContract(name: string, open: () => Promise<OpenedKeyStore>): void {
  describe(`subject key store on ${name}`, () => {
    let opened: OpenedKeyStore;
    let keyStore: SubjectKeyStore;

    beforeEach(async () => {
      opened = await open();
      keyStore = opened.keyStore;
    });

    afterEach(async () => {
      await opened.teardown();
    });

    it('creates keys and finds them by subject', async () => {
      const created = await keyStore.createKeys([newKey('target-a', 'hash-1'), newKey('target-b', null)]);

      expect(sortBySubject(created).map((key) => key.subject)).toEqual(['target-a', 'target-b']);
      expect(sortBySubject(await keyStore.findKeys(['target-a', 'target-b', 'target-none']))).toEqual(sortBySubject(created));
    });

    it('keeps the first key of a subject', async () => {
      const [first] = await keyStore.createKeys([newKey('target-a', 'hash-1')]);

      const again = await keyStore.createKeys([newKey('target-a', 'hash-1'), newKey('target-b', 'hash-1')]);

      expect(again.find((key) => key.subject === 'target-a')).toEqual(first);
      expect(again.map((key) => key.subject).sort()).toEqual(['target-a', 'target-b']);
    });

    it('finds the subjects of a number hash', async () => {
      await keyStore.createKeys([newKey('target-b', 'hash-1'), newKey('optout-x', 'hash-1'), newKey('target-c', 'hash-2')]);

      expect(await keyStore.findSubjectsByNumberHash('hash-1')).toEqual(['optout-x', 'target-b']);
      expect(await keyStore.findSubjectsByNumberHash('hash-3')).toEqual([]);
    });

    it('deletes keys and reports which existed', async () => {
      await keyStore.createKeys([newKey('target-a', 'hash-1'), newKey('target-b', 'hash-1')]);

      expect(await keyStore.deleteKeys(['target-a', 'target-none'])).toEqual(['target-a']);
      expect((await keyStore.findKeys(['target-a', 'target-b'])).map((key) => key.subject)).toEqual(['target-b']);
      expect(await keyStore.findSubjectsByNumberHash('hash-1')).toEqual(['target-b']);
    });
  });
}

function newKey(subject: string, numberHash: string | null): NewSubjectKey {
  return { subject, keyId: randomUUID(), wrappedKey: Buffer.from(randomUUID()).toString('base64'), numberHash };
}

function sortBySubject<T extends { subject: string }>(keys: readonly T[]): T[] {
  return [...keys].sort((left, right) => left.subject.localeCompare(right.subject));
}

describeSubjectKeyStoreContract('PGlite', async () => {
  const client = await PgliteClient.open('memory://');
  const keyStore = new SqlSubjectKeyStore(client, { schema: 'event_store' });
  await keyStore.ensureSchema();
  return { keyStore, teardown: () => client.close() };
});

describeSubjectKeyStoreContract('PostgreSQL', async () => {
  const client: SqlClient = new PostgresClient(TEST_POSTGRES_URL, { max: 2 });
  const schema = freshSchemaName('keys_test');
  const keyStore = new SqlSubjectKeyStore(client, { schema, eventsOnSameServer: true });
  await keyStore.ensureSchema();
  return {
    keyStore,
    teardown: async () => {
      await dropSchema(client, schema);
      await client.close();
    },
  };
});

const mongo = mongoTestTarget();
if (mongo.kind === 'skip') {
  describe.skip(`subject key store on MongoDB (skipped: ${mongo.reason})`, () => {
    it('runs the subject key store contract', () => undefined);
  });
} else {
  let container: StartedMongoDBContainer | undefined;
  let url: string;

  beforeAll(async () => {
    if (mongo.kind === 'url') {
      url = mongo.url;
      return;
    }
    container = await new MongoDBContainer(MONGODB_TEST_IMAGE).start();
    url = `${container.getConnectionString()}?directConnection=true`;
  }, 180_000);

  afterAll(async () => {
    await container?.stop();
  });

  describeSubjectKeyStoreContract('MongoDB', async () => {
    const client = await new MongoClient(url, { serverSelectionTimeoutMS: 5_000 }).connect();
    const db = client.db(`subject_keys_test_${randomUUID().slice(0, 8)}`);
    const keyStore = new MongoSubjectKeyStore(db);
    await keyStore.ensureSchema();
    return {
      keyStore,
      teardown: async () => {
        await db.dropDatabase();
        await client.close();
      },
    };
  });
}

type MongoTestTarget = { kind: 'url'; url: string } | { kind: 'container' } | { kind: 'skip'; reason: string };

/** Returns MONGODB_URL when set, else a container when a Docker engine socket exists, else a skip with its reason. */
function mongoTestTarget(): MongoTestTarget {
  const url = process.env.MONGODB_URL;
  if (url !== undefined && url !== '') {
    return { kind: 'url', url };
  }
  return dockerEngineSocketExists() ? { kind: 'container' } : { kind: 'skip', reason: 'no Docker engine socket and MONGODB_URL unset' };
}
