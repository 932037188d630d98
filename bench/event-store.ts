import { randomUUID } from 'node:crypto';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { createPostgresEventStore, EventMetadata, NewEvent } from '@sms/event-store';
import { createScratchDatabase, currentLoad, flagValue, formatNumber, RowCollector, writeReport } from './support';

/**
 * Our PostgreSQL event store (libs/event-store) against Emmett's (`@event-driven-io/emmett-postgresql`)
 * on the same PostgreSQL server, each on a fresh database per run that is dropped after it:
 * single-event appends, appends of 100 events, and reading one long stream back.
 *
 *   npm run bench -- --only event-store
 *   node bench/out/build/bench/event-store.js --runs 3 --json /tmp/event-store.json
 *
 * Needs PostgreSQL on 127.0.0.1:5432 with the right to create databases.
 */

/** Appends under way at once; both stores open a pool of 10 connections. */
const WRITERS = 8;
const SINGLE_APPENDS = 8_000;
const BATCH_SIZE = 100;
const BATCHED_APPENDS = 500;
const READ_STREAM_LENGTH = 10_000;
const STREAM_READS = 10;

interface Scenario {
  /** Appends one event to a stream of its own. */
  appendOne(streamName: string, event: NewEvent): Promise<void>;
  /** Appends `events` to one stream in one call. */
  appendMany(streamName: string, events: readonly NewEvent[]): Promise<void>;
  /** Appends one event to each of several streams in one call; undefined when the store has no such call. */
  appendAcrossStreams?(appends: ReadonlyArray<{ streamName: string; event: NewEvent }>): Promise<void>;
  /** Reads a whole stream; returns how many events it held. */
  readStream(streamName: string): Promise<number>;
  close(): Promise<void>;
}

type Store = 'ours' | 'emmett';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = Number(flagValue(args, '--runs') ?? 3);
  const sampleBytes = Buffer.byteLength(JSON.stringify(targetAdded(0).data)) + Buffer.byteLength(JSON.stringify(targetAdded(0).metadata));
  console.log(
    `bench event-store: ${runs} run(s) per store, ${WRITERS} appends at once, event data and metadata ${sampleBytes} bytes of JSON, ` +
      `${new Date().toISOString()}`,
  );

  const rows = new RowCollector();
  for (let run = 1; run <= runs; run += 1) {
    const stores: Store[] = run % 2 === 1 ? ['ours', 'emmett'] : ['emmett', 'ours'];
    for (const store of stores) {
      const figures = await measureStore(store);
      const name = store === 'ours' ? 'ours' : 'Emmett';
      rows.record(`${name}: append, 1 event per call`, 'events/s', figures.single, figures.load);
      rows.record(`${name}: append, ${BATCH_SIZE} events to one stream per call`, 'events/s', figures.batched, figures.load);
      if (figures.acrossStreams !== undefined) {
        rows.record(`${name}: appendToStreams, ${BATCH_SIZE} streams of 1 event per call`, 'events/s', figures.acrossStreams, figures.load);
      }
      rows.record(`${name}: read a stream of ${formatNumber(READ_STREAM_LENGTH)} events`, 'events/s', figures.read, figures.load);
      console.log(
        `run ${run} ${name} (load ${figures.load}): single ${formatNumber(figures.single)} events/s, ` +
          `batched ${formatNumber(figures.batched)} events/s` +
          (figures.acrossStreams === undefined ? '' : `, across streams ${formatNumber(figures.acrossStreams)} events/s`) +
          `, stream read ${formatNumber(figures.read)} events/s`,
      );
    }
  }

  writeReport(flagValue(args, '--json'), {
    comparison: 'event-store',
    title: 'Event store against Emmett 0.42.0 (`@event-driven-io/emmett-postgresql`), same PostgreSQL server',
    rows: rows.toRows(),
    ratios: [
      { label: 'append, 1 event per call', ours: 'ours: append, 1 event per call', peer: 'Emmett: append, 1 event per call' },
      {
        label: `append, ${BATCH_SIZE} events to one stream per call`,
        ours: `ours: append, ${BATCH_SIZE} events to one stream per call`,
        peer: `Emmett: append, ${BATCH_SIZE} events to one stream per call`,
      },
      {
        label: `our appendToStreams (${BATCH_SIZE} streams) / Emmett's closest call (${BATCH_SIZE} events to one stream)`,
        ours: `ours: appendToStreams, ${BATCH_SIZE} streams of 1 event per call`,
        peer: `Emmett: append, ${BATCH_SIZE} events to one stream per call`,
      },
      {
        label: `read a stream of ${formatNumber(READ_STREAM_LENGTH)} events`,
        ours: `ours: read a stream of ${formatNumber(READ_STREAM_LENGTH)} events`,
        peer: `Emmett: read a stream of ${formatNumber(READ_STREAM_LENGTH)} events`,
      },
    ],
    notes: [
      `Same event for both: a TargetAdded-shaped data object and our metadata, ${sampleBytes} bytes of JSON together.`,
      `Appends: ${WRITERS} under way at once, each pool 10 connections; single: ${formatNumber(SINGLE_APPENDS)} appends, each to a new stream; ` +
        `batched: ${BATCHED_APPENDS} appends of ${BATCH_SIZE} events. No expected revision on either side.`,
      `Emmett has no call that appends to several streams in one transaction, so our appendToStreams is set against its ${BATCH_SIZE}-event append.`,
      `Stream read: one stream of ${formatNumber(READ_STREAM_LENGTH)} events read whole ${STREAM_READS} times, one read at a time.`,
      'Each store runs on its own fresh database, dropped after the run; PostgreSQL 15 with Debian defaults (fsync and synchronous_commit on).',
    ],
  });
}

async function measureStore(
  store: Store,
): Promise<{ load: number; single: number; batched: number; acrossStreams?: number; read: number }> {
  const database = await createScratchDatabase(`sms_bench_${store}`);
  try {
    const scenario = store === 'ours' ? await oursScenario(database.url) : await emmettScenario(database.url);
    try {
      const load = currentLoad();
      // Creates the schema (Emmett migrates on first use) and warms both pools before any clock runs.
      await Promise.all(Array.from({ length: WRITERS }, (_, index) => scenario.appendOne(`warmup-${index}`, targetAdded(index))));

      const single = await rate(SINGLE_APPENDS, (index) => scenario.appendOne(`target-${index}`, targetAdded(index)));
      const batched = await rate(BATCHED_APPENDS, (index) =>
        scenario.appendMany(
          `import-${index}`,
          Array.from({ length: BATCH_SIZE }, (_, offset) => targetAdded(index * BATCH_SIZE + offset)),
        ),
      );
      const appendAcrossStreams = scenario.appendAcrossStreams?.bind(scenario);
      const acrossStreams =
        appendAcrossStreams === undefined
          ? undefined
          : await rate(BATCHED_APPENDS, (index) =>
              appendAcrossStreams(
                Array.from({ length: BATCH_SIZE }, (_, offset) => ({
                  streamName: `batch-target-${index * BATCH_SIZE + offset}`,
                  event: targetAdded(index * BATCH_SIZE + offset),
                })),
              ),
            );

      const longStream = `campaign-${randomUUID()}`;
      for (let offset = 0; offset < READ_STREAM_LENGTH; offset += BATCH_SIZE) {
        await scenario.appendMany(
          longStream,
          Array.from({ length: BATCH_SIZE }, (_, index) => targetAdded(offset + index)),
        );
      }
      const readStarted = performance.now();
      for (let read = 0; read < STREAM_READS; read += 1) {
        const count = await scenario.readStream(longStream);
        if (count !== READ_STREAM_LENGTH) throw new Error(`${store} read ${count} events of a stream of ${READ_STREAM_LENGTH}`);
      }
      const read = (READ_STREAM_LENGTH * STREAM_READS) / ((performance.now() - readStarted) / 1000);

      return {
        load,
        single: single,
        batched: batched * BATCH_SIZE,
        acrossStreams: acrossStreams === undefined ? undefined : acrossStreams * BATCH_SIZE,
        read,
      };
    } finally {
      await scenario.close();
    }
  } finally {
    await database.drop();
  }
}

/** Runs `count` calls, WRITERS at a time; returns calls per second. */
async function rate(count: number, call: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < count) {
        const index = next;
        next += 1;
        await call(index);
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

async function oursScenario(url: string): Promise<Scenario> {
  const store = await createPostgresEventStore({ connectionString: url, schema: 'event_store' });
  return {
    appendOne: async (streamName, event) => {
      await store.appendToStream(streamName, [event]);
    },
    appendMany: async (streamName, events) => {
      await store.appendToStream(streamName, events);
    },
    appendAcrossStreams: async (appends) => {
      await store.appendToStreams(appends.map(({ streamName, event }) => ({ streamName, events: [event] })));
    },
    readStream: async (streamName) => (await store.readStream(streamName)).length,
    close: () => store.close(),
  };
}

async function emmettScenario(url: string): Promise<Scenario> {
  const store = getPostgreSQLEventStore(url);
  const toEmmett = (event: NewEvent) => ({ type: event.type, data: event.data, metadata: { ...event.metadata, messageId: event.id } });
  return {
    appendOne: async (streamName, event) => {
      await store.appendToStream(streamName, [toEmmett(event)]);
    },
    appendMany: async (streamName, events) => {
      await store.appendToStream(streamName, events.map(toEmmett));
    },
    readStream: async (streamName) => (await store.readStream(streamName)).events.length,
    close: () => store.close(),
  };
}

/** A TargetAdded-shaped event, the event the store receives most (one per imported row). */
function targetAdded(index: number): NewEvent {
  const metadata: EventMetadata = {
    correlationId: randomUUID(),
    causationId: randomUUID(),
    actor: { id: 'user:bench', role: 'maker' },
    decidedAt: new Date(1_796_400_000_000 + index).toISOString(),
  };
  return {
    id: randomUUID(),
    type: 'TargetAdded',
    data: {
      campaignId: '6c1f7a52-3f4e-4d83-9a57-0b8e2d7c9f10',
      targetId: `t${String(index).padStart(63, '0')}`,
      phoneNumber: `+336${String(10_000_000 + (index % 90_000_000))}`,
      startDate: null,
      priority: (index % 10) + 1,
      timeZone: 'Europe/Paris',
      layout: { name: 'paiement', values: { firstName: 'Camille', amount: (index % 500) + 0.5 } },
      importId: '0f3d8a1e-7b6c-4e21-8d5f-2a9c4b7e1d03',
    },
    metadata,
  };
}

main().catch((error: unknown) => {
  console.error(`bench event-store failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
