import { randomUUID } from 'node:crypto';
import { PgliteClient, PostgresClient, SqlClient } from '@sms/platform';
import { collectEvents } from '../contract/event-store.contract';
import { EventMetadata, JsonObject, JsonValue, NewEvent, RecordedEvent, WrongExpectedRevisionError } from '../event-store.port';
import { SqlEventStore } from '../sql/sql-event-store';
import { dropSchema, freshSchemaName, TEST_POSTGRES_URL } from '../testing/test-databases';
import { deriveKey, NumberHasher } from './personal-data-cipher';
import { PersonalDataEventStore, SEALED_FIELD } from './personal-data-event-store';
import { PersonalDataPolicy } from './personal-data-policy';
import { SqlSubjectKeyStore } from './sql-subject-key-store';
import { NewSubjectKey, StoredSubjectKey, SubjectKeyStore } from './subject-key-store.port';
import { SubjectKeys } from './subject-keys';

const SECRET = 'a-secret-of-at-least-32-characters-for-tests';

/** The shapes of the service's personal events, without importing the domain. */
const POLICY: PersonalDataPolicy = {
  erasedValuesOf: (eventType) =>
    (({ TargetAdded: { phoneNumber: '', layout: null }, OptedOut: { phoneNumber: '' } }) as Record<string, Record<string, JsonValue>>)[
      eventType
    ],
  phoneNumberOf: (event) => (typeof event.data.phoneNumber === 'string' ? event.data.phoneNumber : undefined),
};

const metadata: EventMetadata = {
  correlationId: 'correlation',
  causationId: 'causation',
  actor: { id: 'user:alice', role: 'maker' },
  decidedAt: '2026-12-07T09:00:00.000Z',
};

function targetAdded(phoneNumber: string, layout: JsonObject | null = { name: 'paiement', values: { amount: 12.5 } }): NewEvent {
  return {
    id: randomUUID(),
    type: 'TargetAdded',
    data: { targetId: randomUUID(), campaignId: 'c-1', phoneNumber, startDate: null, priority: 5, layout },
    metadata,
  };
}

function attemptStarted(): NewEvent {
  return { id: randomUUID(), type: 'SmsAttemptStarted', data: { attemptId: randomUUID(), attemptNumber: 1 }, metadata };
}

/** Returns a French mobile number that no other test uses. */
function freshNumber(): string {
  return `+3361${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`;
}

/** Counts the calls each key store method receives, to check that keys are loaded in batches. */
class CountingKeyStore implements SubjectKeyStore {
  readonly calls = { createKeys: 0, findKeys: 0 };

  constructor(private readonly inner: SubjectKeyStore) {}

  ensureSchema(): Promise<void> {
    return this.inner.ensureSchema();
  }

  createKeys(keys: readonly NewSubjectKey[]): Promise<StoredSubjectKey[]> {
    this.calls.createKeys += 1;
    return this.inner.createKeys(keys);
  }

  findKeys(subjects: readonly string[]): Promise<StoredSubjectKey[]> {
    this.calls.findKeys += 1;
    return this.inner.findKeys(subjects);
  }

  findSubjectsByNumberHash(numberHash: string): Promise<string[]> {
    return this.inner.findSubjectsByNumberHash(numberHash);
  }

  deleteKeys(subjects: readonly string[]): Promise<string[]> {
    return this.inner.deleteKeys(subjects);
  }
}

interface Fixture {
  readonly db: SqlClient;
  readonly schema: string;
  readonly raw: SqlEventStore;
  readonly keyStore: CountingKeyStore;
  readonly store: PersonalDataEventStore;
  /** Another decorator over the same tables, with an empty key cache, as another process has. */
  reopen(): PersonalDataEventStore;
}

describe.each([
  ['PGlite', () => PgliteClient.open('memory://')],
  ['PostgreSQL', async () => new PostgresClient(TEST_POSTGRES_URL, { max: 4 }) as SqlClient],
])('personal data event store on %s', (_name, openClient: () => Promise<SqlClient>) => {
  let db: SqlClient;
  let fixture: Fixture;

  beforeAll(async () => {
    db = await openClient();
  });

  afterAll(async () => {
    await db.close();
  });

  beforeEach(async () => {
    const schema = freshSchemaName('pd_test');
    const raw = new SqlEventStore(db, { schema });
    await raw.ensureSchema();
    const openStore = (keyStore: SubjectKeyStore) => new PersonalDataEventStore(raw, keysOver(keyStore), POLICY);
    const keyStore = new CountingKeyStore(new SqlSubjectKeyStore(db, { schema, eventsOnSameServer: true }));
    fixture = { db, schema, raw, keyStore, store: openStore(keyStore), reopen: () => openStore(new SqlSubjectKeyStore(db, { schema })) };
  });

  afterEach(async () => {
    await dropSchema(db, fixture.schema);
  });

  describe('round trip', () => {
    it('reads back every appended field on each read path', async () => {
      const { store } = fixture;
      const stream = `target-${randomUUID()}`;
      const events = [targetAdded(freshNumber()), attemptStarted()];

      await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
      const subscription = store.subscribeToAll({ filter: { streamPrefixes: [stream] } });
      const subscribed = await collectEvents(subscription, 2);
      await subscription.close();
      const paths = {
        readStream: await store.readStream(stream),
        readStreams: await store.readStreams([stream]),
        readAll: (await store.readAll({ maxCount: 10_000 })).filter((event) => event.streamName === stream),
        subscribeToAll: subscribed,
      };

      for (const [path, read] of Object.entries(paths)) {
        expect({ path, data: read.map((event) => event.data) }).toEqual({ path, data: events.map((event) => event.data) });
      }
    });

    it('reads an event stored before encryption as it was stored', async () => {
      const { raw, store } = fixture;
      const stream = `target-${randomUUID()}`;
      const legacy = targetAdded(freshNumber());
      await raw.appendToStream(stream, [legacy]);

      const [read] = await store.readStream(stream);

      expect(read.data).toEqual(legacy.data);
    });

    it('keeps the one-statement path for new streams and reports duplicates', async () => {
      const { store } = fixture;
      const number = freshNumber();
      const stream = `target-${randomUUID()}`;
      const others = Array.from({ length: 3 }, () => ({ streamName: `target-${randomUUID()}`, events: [targetAdded(freshNumber())] }));

      await store.appendToStream(stream, [targetAdded(number)], { expectedRevision: 'no_stream' });
      const outcomes = await store.appendToStreams(
        [
          { streamName: stream, events: [targetAdded(number)], expectedRevision: 'no_stream' },
          ...others.map((append) => ({ ...append, expectedRevision: 'no_stream' as const })),
        ],
        { durability: 'deferred' },
      );

      expect(outcomes[0]).toBeInstanceOf(WrongExpectedRevisionError);
      expect(outcomes.slice(1).map((outcome) => ('nextExpectedRevision' in outcome ? outcome.nextExpectedRevision : outcome))).toEqual([
        0, 0, 0,
      ]);
      expect((await store.readStreams(others.map((append) => append.streamName))).map((event) => event.data)).toEqual(
        others.map((append) => append.events[0].data),
      );
    });
  });

  describe('stored rows', () => {
    it('hold no clear number or layout value in the event or the key', async () => {
      const { store, db, schema } = fixture;
      const number = freshNumber();
      const stream = `target-${randomUUID()}`;
      await store.appendToStream(stream, [targetAdded(number, { name: 'paiement', values: { link: 'https://pay.example/abc-123' } })]);

      const events = await db.query<{ data: string }>(`SELECT data::text AS data FROM "${schema}".events WHERE stream_name = $1`, [stream]);
      const keys = await db.query<{ row: string }>(
        `SELECT row_to_json(k)::text AS row FROM "${schema}".subject_keys k WHERE subject = $1`,
        [stream],
      );

      const stored = [...events.rows.map((row) => row.data), ...keys.rows.map((row) => row.row)].join('\n');
      expect(events.rows).toHaveLength(1);
      expect(keys.rows).toHaveLength(1);
      expect(stored).toContain(SEALED_FIELD);
      for (const spelling of [number, number.slice(1), `0${number.slice(3)}`, 'pay.example', 'paiement']) {
        expect({ spelling, found: stored.includes(spelling) }).toEqual({ spelling, found: false });
      }
    });

    it('rejects a ciphertext moved to another event', async () => {
      const { store, raw, db, schema } = fixture;
      const stream = `target-${randomUUID()}`;
      await store.appendToStream(stream, [targetAdded(freshNumber()), targetAdded(freshNumber())]);
      const [first] = await raw.readStream(stream);

      await db.query(`UPDATE "${schema}".events SET data = $2::jsonb WHERE stream_name = $1 AND revision = 1`, [
        stream,
        JSON.stringify(first.data),
      ]);

      await expect(fixture.reopen().readStream(stream)).rejects.toThrow(/failed to decrypt: the stored envelope was altered/);
    });
  });

  describe('erasure', () => {
    it('reads the personal fields of an erased subject as erased, in every process', async () => {
      const { store } = fixture;
      const stream = `target-${randomUUID()}`;
      const kept = `target-${randomUUID()}`;
      const added = targetAdded(freshNumber());
      await store.appendToStream(stream, [added, attemptStarted()]);
      await store.appendToStream(kept, [targetAdded(freshNumber())]);

      const erased = await store.keys.erase([stream]);
      const here = await store.readStream(stream);
      const elsewhere = await fixture.reopen().readStream(stream);

      expect(erased).toEqual([stream]);
      for (const read of [here, elsewhere]) {
        expect(read[0].data).toEqual({ ...added.data, phoneNumber: '', layout: null });
        expect(read[0].data).not.toHaveProperty(SEALED_FIELD);
        expect(read[1].type).toBe('SmsAttemptStarted');
      }
      expect((await store.readStream(kept))[0].data.phoneNumber).toMatch(/^\+336/);
    });

    it('finds every subject of a number by its keyed hash', async () => {
      const { store } = fixture;
      const number = freshNumber();
      const streams = [`target-${randomUUID()}`, `target-${randomUUID()}`, `optout-h${randomUUID().slice(0, 8)}`];
      await store.appendToStream(streams[0], [targetAdded(number)]);
      await store.appendToStream(streams[1], [targetAdded(number)]);
      await store.appendToStream(streams[2], [
        { id: randomUUID(), type: 'OptedOut', data: { phoneNumber: number, at: metadata.decidedAt }, metadata },
      ]);
      await store.appendToStream(`target-${randomUUID()}`, [targetAdded(freshNumber())]);

      expect(await store.keys.subjectsOfNumber(number)).toEqual([...streams].sort());
    });

    it('gives a subject appended again after its erasure a new key', async () => {
      const { store } = fixture;
      const number = freshNumber();
      const stream = `optout-h${randomUUID().slice(0, 8)}`;
      const optedOut = () => ({ id: randomUUID(), type: 'OptedOut', data: { phoneNumber: number, at: metadata.decidedAt }, metadata });
      await store.appendToStream(stream, [optedOut()]);
      await store.keys.erase([stream]);

      await store.appendToStream(stream, [optedOut()]);
      const read = await fixture.reopen().readStream(stream);

      expect(read.map((event) => event.data.phoneNumber)).toEqual(['', number]);
    });
  });

  describe('key loading', () => {
    it('creates the keys of a batch in one call and reads a page with one more', async () => {
      const { store, keyStore } = fixture;
      const appends = Array.from({ length: 200 }, () => ({
        streamName: `target-${randomUUID()}`,
        events: [targetAdded(freshNumber()), attemptStarted()],
        expectedRevision: 'no_stream' as const,
      }));

      await store.appendToStreams(appends);
      const createCalls = keyStore.calls.createKeys;
      const findCallsBefore = keyStore.calls.findKeys;
      const cached = await store.readAll({ maxCount: 1_000 });
      const counting = new CountingKeyStore(new SqlSubjectKeyStore(fixture.db, { schema: fixture.schema }));
      const cold = new PersonalDataEventStore(fixture.raw, keysOver(counting), POLICY);
      const loaded = await cold.readAll({ maxCount: 1_000 });

      expect(createCalls).toBe(1);
      expect(keyStore.calls.findKeys - findCallsBefore).toBe(0);
      expect(counting.calls.findKeys).toBe(1);
      expect(loaded.map(plain)).toEqual(cached.map(plain));
      expect(loaded.filter((event) => event.type === 'TargetAdded').map((event) => event.data)).toEqual(
        appends.map((append) => append.events[0].data),
      );
    });

    it('returns the stored key to a writer that lost the race for a subject', async () => {
      const stores = [
        new SqlSubjectKeyStore(fixture.db, { schema: fixture.schema }),
        new SqlSubjectKeyStore(fixture.db, { schema: fixture.schema }),
      ];
      const subject = `target-${randomUUID()}`;

      const [first, second] = await Promise.all(
        stores.map((keyStore, index) =>
          keyStore.createKeys([{ subject, keyId: randomUUID(), wrappedKey: `key-${index}`, numberHash: null }]),
        ),
      );

      expect(first).toHaveLength(1);
      expect(second).toEqual(first);
    });
  });
});

function keysOver(keyStore: SubjectKeyStore): SubjectKeys {
  return new SubjectKeys(keyStore, {
    wrappingKey: deriveKey(SECRET, 'subject-key-wrapping'),
    numberHasher: new NumberHasher(deriveKey(SECRET, 'subject-number-hash')),
  });
}

function plain(event: RecordedEvent): unknown {
  return { id: event.id, type: event.type, data: event.data };
}
