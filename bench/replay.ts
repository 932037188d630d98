import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  comparePositions,
  createEmbeddedEventStore,
  createPostgresEventStore,
  EventStore,
  GlobalPosition,
  JsonObject,
  NewEvent,
  ProjectionRunner,
  SqlSubjectKeyStore,
  StreamAppend,
} from '@sms/event-store';
import { protectPersonalData } from '@sms/application';
import { streams } from '@sms/domain';
import { PgliteClient, PostgresClient, SqlClient } from '@sms/platform';
import { createSqlProjections, isIdentical, ReadModelReplay, verifyReplay } from '@sms/read-models';
import { createTestDatabase } from '../test/support/test-environment';

/**
 * Rebuild speed of the read models. It appends one campaign of N targets (default 100,000), each
 * with one attempt that is claimed, submitted, sent and delivered (five events per target). Then
 * it brings the live read models up to date with the projection runner, times a replay into a new
 * schema, and verifies that the replay equals the live schema.
 *
 *   npm run bench:replay                                  postgres, 100,000 targets, 3 replays
 *   npm run bench:replay -- --profile embedded --targets 20000 --runs 1
 *   npm run bench:replay -- --runs 1 --cpu-prof /tmp/profiles    V8 CPU profile of each replay
 *
 * The postgres profile creates a database on 127.0.0.1:5432 and drops it afterwards; the embedded
 * profile uses an in-memory PGlite.
 */
type Profile = 'postgres' | 'embedded';

const APPEND_BATCH_TARGETS = 1_000;
const LIVE_SCHEMA = 'read_models';

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  console.log(
    `bench:replay ${args.profile}, ${args.targets} targets, ${args.runs} replay(s), node ${process.version}, ${new Date().toISOString()}`,
  );
  const database = args.profile === 'postgres' ? await createTestDatabase() : undefined;
  const db: SqlClient = database === undefined ? await PgliteClient.open('memory://') : new PostgresClient(database.url, { max: 4 });
  try {
    const raw =
      args.profile === 'postgres'
        ? await createPostgresEventStore({ client: db, schema: 'event_store' })
        : await createEmbeddedEventStore({ client: db, schema: 'event_store' });
    // As in the service: personal fields are sealed on append and opened on every read.
    const secrets = { jwtSecret: randomBytes(32).toString('hex'), numberHashKey: randomBytes(32).toString('hex') };
    const keyStore = new SqlSubjectKeyStore(db, { schema: 'event_store', eventsOnSameServer: true });
    const { eventStore: store } = await protectPersonalData(raw, keyStore, secrets);
    const { events, last } = await appendCampaign(store, args.targets);
    await bringLiveUpToDate(store, db, last);

    const rates: number[] = [];
    for (let run = 1; run <= args.runs; run += 1) {
      const replay = new ReadModelReplay(store, db, `read_models_replay_bench_${run}`, args.batchSize);
      await replay.setUp();
      const load = loadavg()[0].toFixed(2);
      const profiler = args.cpuProfileDir === undefined ? undefined : await startProfiler();
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const replayed = await replay.catchUp();
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      console.log(`  run ${run}: this process used ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU during the replay`);
      if (profiler !== undefined && args.cpuProfileDir !== undefined) {
        const file = await profiler.stop(args.cpuProfileDir, `replay-run-${run}.cpuprofile`);
        console.log(`  run ${run}: V8 CPU profile of the replay written to ${file}`);
      }
      const rate = Math.round(replayed / seconds);
      rates.push(rate);
      const outcome = await verifyReplay(db, replay, { liveSchema: LIVE_SCHEMA });
      const differing = outcome.tables.filter((table) => !isIdentical(table)).map((table) => table.table);
      console.log(
        `run ${run}: ${replayed} events in ${seconds.toFixed(1)} s = ${rate} events/s (1-min load before: ${load}); ` +
          `verify: ${differing.length === 0 ? `no differences in ${outcome.tables.length} tables` : `DIFFERENCES in ${differing.join(', ')}`}`,
      );
      await replay.drop();
      if (differing.length > 0) process.exitCode = 1;
    }
    console.log(`median: ${[...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)]} events/s over ${events} events`);
    await store.close();
  } finally {
    await db.close();
    await database?.drop();
  }
}

/** Appends the campaign and its targets' events; returns their number and the position of the last one. */
async function appendCampaign(store: EventStore, targets: number): Promise<{ events: number; last: GlobalPosition }> {
  const campaignId = randomUUID();
  const sessionId = randomUUID();
  let { position: last } = await store.appendToStream(streams.campaign(campaignId), [
    newEvent('CampaignCreated', {
      id: campaignId,
      name: 'Relance été',
      reference: 'BENCH-REPLAY',
      alias: null,
      senderId: randomUUID(),
      templateId: randomUUID(),
      calendarId: null,
      endDate: null,
      timeZone: 'Europe/Paris',
      language: 'fr',
      refreshSeconds: 60,
      chatFlow: { enabled: false, flowId: null },
      throughputPerSecond: null,
      maxAttempts: 1,
      retryDelaySeconds: 600,
      tags: [],
    }),
    newEvent('StatusToggled', { status: 'ON', sessionId, newSession: true, source: 'MAKER' }),
  ]);

  const started = performance.now();
  let appended = 2;
  for (let first = 0; first < targets; first += APPEND_BATCH_TARGETS) {
    const appends: StreamAppend[] = [];
    for (let index = first; index < Math.min(targets, first + APPEND_BATCH_TARGETS); index += 1) {
      appends.push(targetStream(campaignId, sessionId, index));
    }
    const results = await store.appendToStreams(appends);
    for (const result of results) {
      if (result instanceof Error) throw result;
      if (comparePositions(result.position, last) > 0) last = result.position;
    }
    appended += appends.length * 5;
  }
  console.log(`appended ${appended} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { events: appended, last };
}

/** Builds the stream of a target with one attempt that was claimed, submitted, sent and delivered, one second per step. */
function targetStream(campaignId: string, sessionId: string, index: number): StreamAppend {
  const targetId = randomUUID();
  const attemptId = randomUUID();
  const start = Date.UTC(2026, 11, 7, 8) + index * 10;
  const at = (seconds: number) => new Date(start + seconds * 1000).toISOString();
  const providerMessageId = `bench-${index}`;
  return {
    streamName: streams.target(targetId),
    expectedRevision: 'no_stream',
    events: [
      newEvent('TargetAdded', {
        targetId,
        campaignId,
        phoneNumber: `+336${String(10_000_000 + index).padStart(8, '0')}`,
        startDate: null,
        priority: 1 + (index % 10),
        timeZone: null,
        layout: { name: 'import', values: { firstName: 'Zoé', amount: index % 500 } },
        importId: null,
      }),
      newEvent('SmsAttemptStarted', { attemptId, attemptNumber: 1, campaignId, sessionId, startedAt: at(0) }),
      newEvent('SmsSubmissionStarted', { attemptId, at: at(1) }),
      newEvent('SmsAttempted', {
        attemptId,
        sessionId,
        status: 'SENT',
        providerMessageId,
        error: null,
        encoding: 'GSM-7',
        segments: 1,
        at: at(2),
        retryAt: null,
      }),
      newEvent('SmsDeliveryReported', {
        attemptId,
        providerMessageId,
        status: 'DELIVERED',
        errorCode: null,
        doneAt: at(60),
        receivedAt: at(61),
      }),
    ],
  };
}

/** Runs the live projections until they have applied every event, and prints their rate. */
async function bringLiveUpToDate(store: EventStore, db: SqlClient, last: GlobalPosition): Promise<void> {
  const runner = new ProjectionRunner(store, db, createSqlProjections({ schema: LIVE_SCHEMA }), { checkpointSchema: LIVE_SCHEMA });
  const started = performance.now();
  await runner.start();
  await runner.waitFor(last, 30 * 60_000);
  await runner.stop();
  console.log(`live projection runner caught up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

function newEvent(type: string, data: JsonObject): NewEvent {
  return {
    id: randomUUID(),
    type,
    data,
    metadata: {
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { id: 'service:bench', role: 'service' },
      decidedAt: '2026-12-07T08:00:00.000Z',
    },
  };
}

/** Profiles this process from now until `stop`, which writes a `.cpuprofile` that Chrome DevTools opens. */
async function startProfiler(): Promise<{ stop(directory: string, name: string): Promise<string> }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (error, result) => (error === null ? resolve(result) : reject(error))),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    stop: async (directory, name) => {
      const { profile } = (await post('Profiler.stop')) as { profile: object };
      session.disconnect();
      await mkdir(directory, { recursive: true });
      const file = join(directory, name);
      await writeFile(file, JSON.stringify(profile));
      return file;
    },
  };
}

interface Args {
  readonly profile: Profile;
  readonly targets: number;
  readonly runs: number;
  readonly batchSize: number | undefined;
  /** Where to write a V8 CPU profile of each replay, when given. */
  readonly cpuProfileDir: string | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const value = (name: string) => {
    const index = argv.indexOf(name);
    return index === -1 ? undefined : argv[index + 1];
  };
  const profile = (value('--profile') ?? 'postgres') as Profile;
  if (profile !== 'postgres' && profile !== 'embedded') {
    throw new Error(`--profile must be postgres or embedded, got '${profile}'`);
  }
  const batch = value('--batch-size');
  return {
    profile,
    targets: Number(value('--targets') ?? 100_000),
    runs: Number(value('--runs') ?? 3),
    batchSize: batch === undefined ? undefined : Number(batch),
    cpuProfileDir: value('--cpu-prof'),
  };
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
