import { randomUUID } from 'node:crypto';
import { PgliteClient, PostgresClient, SqlClient } from '@sms/platform';
import { EventFilter, GlobalPosition, NewEvent } from '../event-store.port';
import { StructuredLogger } from '../logger';
import { createEmbeddedEventStore, createPostgresEventStore, SqlEventStore } from '../sql/sql-event-store';
import { delay, dropSchema, freshSchemaName, TEST_POSTGRES_URL } from '../testing/test-databases';
import { ProjectionNotFoundError, ProjectionWaitTimeoutError } from './projection-errors';
import { ProjectionRunner, ProjectionRunnerOptions } from './projection-runner';
import { SqlProjection } from './sql-projection';

interface Databases {
  readonly store: SqlEventStore;
  readonly readDb: SqlClient;
  readonly readSchema: string;
  teardown(): Promise<void>;
}

// PGlite takes seconds to open, so its tests share one instance. It contains both the events and
// the read models, as in the embedded profile.
let pglite: PgliteClient | undefined;

afterAll(async () => {
  await pglite?.close();
});

const adapters: Array<[string, () => Promise<Databases>]> = [
  [
    'PGlite',
    async () => {
      pglite ??= await PgliteClient.open('memory://');
      const shared = pglite;
      const eventSchema = freshSchemaName('es_test');
      const readSchema = freshSchemaName('rm_test');
      const store = await createEmbeddedEventStore({ client: shared, schema: eventSchema });
      return {
        store,
        readDb: shared,
        readSchema,
        teardown: async () => {
          await store.close();
          await dropSchema(shared, eventSchema);
          await dropSchema(shared, readSchema);
        },
      };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const eventSchema = freshSchemaName('es_test');
      const readSchema = freshSchemaName('rm_test');
      const store = await createPostgresEventStore({ connectionString: TEST_POSTGRES_URL, schema: eventSchema });
      const readDb = new PostgresClient(TEST_POSTGRES_URL);
      return {
        store,
        readDb,
        readSchema,
        teardown: async () => {
          await store.close();
          await dropSchema(readDb, eventSchema);
          await dropSchema(readDb, readSchema);
          await readDb.close();
        },
      };
    },
  ],
];

describe.each(adapters)('ProjectionRunner on %s', (_adapter, openDatabases) => {
  let databases: Databases;
  let store: SqlEventStore;
  let readDb: SqlClient;
  let readSchema: string;
  let runners: ProjectionRunner[];

  beforeEach(async () => {
    databases = await openDatabases();
    ({ store, readDb, readSchema } = databases);
    runners = [];
  });

  afterEach(async () => {
    await Promise.all(runners.map((runner) => runner.stop()));
    await databases.teardown();
  });

  function newRunner(projections: readonly SqlProjection[], options: ProjectionRunnerOptions = {}): ProjectionRunner {
    const runner = new ProjectionRunner(store, readDb, projections, {
      checkpointSchema: readSchema,
      pollIntervalMs: 10,
      retryInitialDelayMs: 10,
      retryMaxDelayMs: 50,
      ...options,
    });
    runners.push(runner);
    return runner;
  }

  async function readCounts(): Promise<Record<string, number>> {
    const result = await readDb.query<{ stream_name: string; event_count: number }>(
      `SELECT stream_name, event_count FROM "${readSchema}".stream_counts ORDER BY stream_name`,
    );
    return Object.fromEntries(result.rows.map((row) => [row.stream_name, Number(row.event_count)]));
  }

  async function readCheckpoint(name = 'stream-counts'): Promise<GlobalPosition | undefined> {
    const result = await readDb.query<{ commit_position: string | number; prepare_position: string | number }>(
      `SELECT commit_position, prepare_position FROM "${readSchema}".projection_checkpoints WHERE projection_name = $1`,
      [name],
    );
    const [row] = result.rows;
    return row ? { commit: Number(row.commit_position), prepare: Number(row.prepare_position) } : undefined;
  }

  describe('with a projection that fails mid-batch', () => {
    it('leaves neither rows nor checkpoint until a retry succeeds', async () => {
      let failing = true;
      const { entries, logger } = recordingLogger();
      const runner = newRunner([streamCountsProjection(readSchema, { failWhile: () => failing })], { logger });
      const stream = `order-${randomUUID()}`;
      const last = await appendEvents(store, stream, 5);

      await runner.start();
      await until(() => entries.filter((entry) => entry.level === 'error').length >= 2);

      expect(await readCounts()).toEqual({});
      expect(await readCheckpoint()).toBeUndefined();
      expect(runner.status()[0]?.consecutiveFailures).toBeGreaterThanOrEqual(2);
      expect(entries.find((entry) => entry.level === 'error')?.fields).toMatchObject({
        projection: 'stream-counts',
        attempt: 1,
        eventCount: 5,
      });

      failing = false;
      await runner.waitFor(last, 5_000);

      expect(await readCounts()).toEqual({ [stream]: 5 });
      expect(await readCheckpoint()).toEqual(last);
      expect(runner.status()[0]?.consecutiveFailures).toBe(0);
    });
  });

  describe('restarted after a stop', () => {
    it('resumes from its checkpoint without applying an event twice', async () => {
      const stream = `order-${randomUUID()}`;
      const other = `invoice-${randomUUID()}`;
      const first = newRunner([streamCountsProjection(readSchema)]);
      const firstLast = await appendEvents(store, stream, 3);
      await first.start();
      await first.waitFor(firstLast, 5_000);
      await first.stop();

      await appendEvents(store, stream, 2);
      const last = await appendEvents(store, other, 1);
      const second = newRunner([streamCountsProjection(readSchema)]);
      await second.start();
      await second.waitFor(last, 5_000);

      expect(await readCounts()).toEqual({ [stream]: 5, [other]: 1 });
      expect(await readCheckpoint()).toEqual(last);
    });
  });

  describe('rebuild', () => {
    it('recomputes the same rows from the first event', async () => {
      const runner = newRunner([streamCountsProjection(readSchema)]);
      await appendEvents(store, `order-${randomUUID()}`, 4);
      await appendEvents(store, `order-${randomUUID()}`, 2);
      const last = await appendEvents(store, `invoice-${randomUUID()}`, 3);
      await runner.start();
      await runner.waitFor(last, 5_000);
      const before = await readCounts();
      await readDb.query(`UPDATE "${readSchema}".stream_counts SET event_count = 0`);

      await runner.rebuild('stream-counts');
      await runner.waitFor(last, 5_000);

      expect(await readCounts()).toEqual(before);
      expect(await readCheckpoint()).toEqual(last);
    });

    it('rejects an unknown projection name', async () => {
      const runner = newRunner([streamCountsProjection(readSchema)]);

      await expect(runner.rebuild('missing')).rejects.toBeInstanceOf(ProjectionNotFoundError);
    });
  });

  describe('with two runners of the same projection', () => {
    it('applies each event once', async () => {
      const streams = [`order-${randomUUID()}`, `order-${randomUUID()}`, `order-${randomUUID()}`];
      const runnerA = newRunner([streamCountsProjection(readSchema)], { batchSize: 7 });
      const runnerB = newRunner([streamCountsProjection(readSchema)], { batchSize: 11 });
      await runnerA.start();
      await runnerB.start();

      let last: GlobalPosition | undefined;
      for (let round = 0; round < 20; round += 1) {
        for (const stream of streams) {
          last = await appendEvents(store, stream, 5);
        }
      }
      if (!last) {
        throw new Error('no event appended');
      }
      await runnerA.waitFor(last, 10_000);
      await runnerB.waitFor(last, 10_000);

      expect(await readCounts()).toEqual(Object.fromEntries(streams.map((stream) => [stream, 100])));
    });
  });

  describe('waitFor with a filtered projection', () => {
    it('resolves once no accepted event lies before the position', async () => {
      const stream = `order-${randomUUID()}`;
      const runner = newRunner([streamCountsProjection(readSchema, { filter: { eventTypes: ['OrderPlaced'] } })]);
      await store.appendToStream(stream, [newEvent('OrderPlaced')]);
      const shipped = await store.appendToStream(stream, [newEvent('OrderShipped')]);
      await runner.start();

      await runner.waitFor(shipped.position, 5_000);

      expect(await readCounts()).toEqual({ [stream]: 1 });
    });
  });

  describe('waitFor on a runner that is not started', () => {
    it('rejects with the projections still behind', async () => {
      const runner = newRunner([streamCountsProjection(readSchema)]);
      const last = await appendEvents(store, `order-${randomUUID()}`, 1);

      const error = await runner.waitFor(last, 100).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(ProjectionWaitTimeoutError);
      expect(error).toMatchObject({ code: 'PROJECTION.WAIT_TIMED_OUT', behind: [{ name: 'stream-counts' }] });
    });
  });
});

/**
 * Counts events per stream. The count is deliberately not idempotent, so that an event applied
 * twice shows up in the totals. `failWhile` makes it throw at the third event of each batch, after
 * writing the first two.
 */
function streamCountsProjection(schema: string, options: { filter?: EventFilter; failWhile?: () => boolean } = {}): SqlProjection {
  const table = `"${schema}".stream_counts`;
  return {
    name: 'stream-counts',
    filter: options.filter,
    setup: async (db) => {
      await db.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await db.query(
        `CREATE TABLE IF NOT EXISTS ${table} (stream_name text PRIMARY KEY, event_count integer NOT NULL, last_type text NOT NULL)`,
      );
    },
    reset: async (db) => {
      await db.query(`TRUNCATE ${table}`);
    },
    project: async (events, tx) => {
      for (const [index, event] of events.entries()) {
        if (index === 2 && options.failWhile?.()) {
          throw new Error('stream-counts failed on purpose at the third event of the batch');
        }
        await tx.query(
          `INSERT INTO ${table} (stream_name, event_count, last_type) VALUES ($1, 1, $2)
           ON CONFLICT (stream_name) DO UPDATE SET event_count = ${table}.event_count + 1, last_type = excluded.last_type`,
          [event.streamName, event.type],
        );
      }
    },
  };
}

async function appendEvents(store: SqlEventStore, stream: string, count: number): Promise<GlobalPosition> {
  const result = await store.appendToStream(
    stream,
    Array.from({ length: count }, () => newEvent('OrderPlaced')),
  );
  return result.position;
}

function newEvent(type: string): NewEvent {
  return {
    id: randomUUID(),
    type,
    data: {},
    metadata: {
      correlationId: 'correlation-projection',
      causationId: 'causation-projection',
      actor: { id: 'service:test', role: 'service' },
      decidedAt: '2024-05-01T10:00:00.000Z',
    },
  };
}

interface LogEntry {
  readonly level: 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

function recordingLogger(): { entries: LogEntry[]; logger: StructuredLogger } {
  const entries: LogEntry[] = [];
  return {
    entries,
    logger: {
      info: (fields, message) => entries.push({ level: 'info', fields, message }),
      warn: (fields, message) => entries.push({ level: 'warn', fields, message }),
      error: (fields, message) => entries.push({ level: 'error', fields, message }),
    },
  };
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await delay(10);
  }
}
