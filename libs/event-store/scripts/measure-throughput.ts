/**
 * Measures batched append and readAll throughput of the SQL event store on PostgreSQL and PGlite,
 * each in a fresh schema that is dropped afterwards. Not a test: run it by hand.
 *
 *   npx swc libs -d /tmp/measure --config-file .swcrc --quiet
 *   node /tmp/measure/libs/event-store/scripts/measure-throughput.js [postgres-url]
 */
import { randomUUID } from 'node:crypto';
import { PgliteClient, PostgresClient, SqlClient } from '@sms/platform';
import { NewEvent, StreamAppend } from '../src/event-store.port';
import { SqlEventStore } from '../src/sql/sql-event-store';

const POSTGRES_URL = process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/test';

const metadata = {
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: { id: 'service:scheduler', role: 'service' },
  decidedAt: new Date().toISOString(),
};

interface Scenario {
  readonly label: string;
  readonly streamsPerBatch: number;
  readonly eventsPerStream: number;
  readonly batches: number;
  readonly writers: number;
}

async function main(): Promise<void> {
  const postgres = new PostgresClient(POSTGRES_URL, { max: 8 });
  await measureClient('PostgreSQL 15', postgres, [
    { label: 'new streams, 500 x 1 event, 1 writer', streamsPerBatch: 500, eventsPerStream: 1, batches: 100, writers: 1 },
    { label: 'new streams, 100 x 1 event, 1 writer', streamsPerBatch: 100, eventsPerStream: 1, batches: 300, writers: 1 },
    { label: 'existing streams, 500 x 1 event, 1 writer', streamsPerBatch: 500, eventsPerStream: 1, batches: 100, writers: 1 },
    { label: 'new streams, 250 x 2 events, 4 writers', streamsPerBatch: 250, eventsPerStream: 2, batches: 50, writers: 4 },
    { label: 'single-event appends, 4 writers', streamsPerBatch: 1, eventsPerStream: 1, batches: 1_000, writers: 4 },
  ]);
  await postgres.close();

  const pglite = await PgliteClient.open('memory://');
  await measureClient('PGlite', pglite, [
    { label: 'new streams, 500 x 1 event', streamsPerBatch: 500, eventsPerStream: 1, batches: 60, writers: 1 },
    { label: 'existing streams, 500 x 1 event', streamsPerBatch: 500, eventsPerStream: 1, batches: 60, writers: 1 },
    { label: 'single-event appends', streamsPerBatch: 1, eventsPerStream: 1, batches: 2_000, writers: 1 },
  ]);
  await pglite.close();
}

async function measureClient(name: string, client: SqlClient, scenarios: readonly Scenario[]): Promise<void> {
  const schema = `measure_${randomUUID().replace(/-/g, '').slice(0, 8)}`;
  const store = new SqlEventStore(client, { schema });
  await store.ensureSchema();
  try {
    let streamRevisions = new Map<string, number>();
    for (const scenario of scenarios) {
      const reuse = scenario.label.startsWith('existing');
      streamRevisions = await measureAppends(name, store, scenario, reuse ? streamRevisions : new Map());
    }
    await measureReadAll(name, store);
  } finally {
    await client.query(`DROP SCHEMA "${schema}" CASCADE`);
  }
}

async function measureAppends(
  name: string,
  store: SqlEventStore,
  scenario: Scenario,
  knownRevisions: Map<string, number>,
): Promise<Map<string, number>> {
  const known = [...knownRevisions.keys()];
  const revisions = new Map<string, number>();
  let total = 0;

  const started = performance.now();
  await Promise.all(
    Array.from({ length: scenario.writers }, async (_, writer) => {
      for (let batch = 0; batch < scenario.batches; batch += 1) {
        const appends: StreamAppend[] = Array.from({ length: scenario.streamsPerBatch }, (__, index) => {
          const slot = (writer * scenario.batches + batch) * scenario.streamsPerBatch + index;
          const existing = known[slot % Math.max(known.length, 1)];
          const streamName = existing !== undefined && knownRevisions.size > 0 ? existing : `target-${randomUUID()}`;
          const revision = revisions.get(streamName) ?? knownRevisions.get(streamName) ?? -1;
          return {
            streamName,
            events: Array.from({ length: scenario.eventsPerStream }, () => attemptEvent(slot)),
            expectedRevision: revision === -1 ? 'no_stream' : revision,
          };
        });
        const results = await store.appendToStreams(appends);
        results.forEach((result, index) => {
          if (result instanceof Error) {
            throw result;
          }
          revisions.set(appends[index]?.streamName ?? '', result.nextExpectedRevision);
        });
        total += scenario.streamsPerBatch * scenario.eventsPerStream;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  report(`${name} append, ${scenario.label}: ${total} events in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} events/s`);
  return revisions;
}

async function measureReadAll(name: string, store: SqlEventStore): Promise<void> {
  for (const pageSize of [500, 5_000]) {
    let after = undefined;
    let total = 0;
    const started = performance.now();
    for (;;) {
      const events = await store.readAll({ after, maxCount: pageSize });
      const last = events.at(-1);
      if (!last) {
        break;
      }
      total += events.length;
      after = last.position;
    }
    const seconds = (performance.now() - started) / 1000;
    report(`${name} readAll, pages of ${pageSize}: ${total} events in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} events/s`);
  }
}

/** Builds an event shaped like the scheduler's attempt claims: a few ids and a timestamp. */
function attemptEvent(index: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'SmsAttempted',
    data: {
      schemaVersion: 1,
      campaignId: 'campaign-7f3e',
      targetId: randomUUID(),
      attemptId: randomUUID(),
      attemptNumber: (index % 3) + 1,
      sessionId: 'session-2',
      scheduledAt: '2024-05-01T10:00:00.000Z',
    },
    metadata,
  };
}

function report(line: string): void {
  process.stdout.write(`${line}\n`);
}

void main();
