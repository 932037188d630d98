import { randomUUID } from 'node:crypto';
import { PostgresClient } from '@sms/platform';
import { collectEvents, describeEventStoreContract } from '../contract/event-store.contract';
import { NewEvent } from '../event-store.port';
import { delay, dropSchema, freshSchemaName, TEST_POSTGRES_URL } from '../testing/test-databases';
import { appendWithin } from './append-events';
import { createPostgresEventStore, SqlEventStore } from './sql-event-store';

describeEventStoreContract('PostgreSQL', async () => {
  const schema = freshSchemaName('es_test');
  const store = await createPostgresEventStore({ connectionString: TEST_POSTGRES_URL, schema });
  return {
    store,
    connectAnother: () => createPostgresEventStore({ connectionString: TEST_POSTGRES_URL, schema }),
    teardown: async () => {
      await store.close();
      await dropSchemaOnce(schema);
    },
  };
});

describe('PostgreSQL event store with a transaction that commits late', () => {
  let schema: string;
  let store: SqlEventStore;
  let slowClient: PostgresClient;

  beforeEach(async () => {
    schema = freshSchemaName('es_test');
    store = await createPostgresEventStore({ connectionString: TEST_POSTGRES_URL, schema });
    slowClient = new PostgresClient(TEST_POSTGRES_URL, { max: 1 });
  });

  afterEach(async () => {
    await slowClient.close();
    await store.close();
    await dropSchemaOnce(schema);
  });

  it('holds readers back until it commits, then delivers it first', async () => {
    const subscription = store.subscribeToAll({ pollIntervalMs: 10 });
    const received = collectEvents(subscription, 2);
    let inserted!: () => void;
    const insertedSignal = new Promise<void>((resolve) => (inserted = resolve));
    let commit!: () => void;
    const commitSignal = new Promise<void>((resolve) => (commit = resolve));

    // The slow transaction takes the lower transaction id, then stays open while another commits.
    const slowTransaction = slowClient.transaction(async (tx) => {
      await appendWithin(tx, store.tables, [{ streamName: `late-${randomUUID()}`, events: [newEvent()] }]);
      inserted();
      await commitSignal;
    });
    await insertedSignal;
    await store.appendToStream(`early-${randomUUID()}`, [newEvent()]);
    await delay(200);
    const readWhileOpen = await store.readAll();
    commit();
    await slowTransaction;

    const events = await received;
    expect(readWhileOpen).toEqual([]);
    expect(events.map((event) => event.streamName.split('-')[0])).toEqual(['late', 'early']);
    expect(events[0]?.position.commit).toBeLessThan(events[1]?.position.commit ?? 0);
  });
});

async function dropSchemaOnce(schema: string): Promise<void> {
  const admin = new PostgresClient(TEST_POSTGRES_URL, { max: 1 });
  try {
    await dropSchema(admin, schema);
  } finally {
    await admin.close();
  }
}

function newEvent(): NewEvent {
  return {
    id: randomUUID(),
    type: 'ThingHappened',
    data: {},
    metadata: {
      correlationId: 'c-late',
      causationId: 'c-late',
      actor: { id: 'service:test', role: 'service' },
      decidedAt: '2024-05-01T10:00:00.000Z',
    },
  };
}
