import { resolve } from 'node:path';
import { EVENT_SCHEMA, loadConfig, loadSecrets, protectPersonalData, READ_SCHEMA } from '@sms/application';
import { createEmbeddedEventStore, createPostgresEventStore, EventStore, ProjectionRunner, SqlSubjectKeyStore } from '@sms/event-store';
import { PgliteClient, PostgresClient, SqlClient } from '@sms/platform';
import { createSqlProjections, isIdentical, ReadModelReplay, TableComparison, verifyReplay } from '@sms/read-models';

/**
 * Rebuilds every read model from the event store into a new schema, `read_models_replay_<time>`,
 * with the configuration of the service (EVENT_STORE, DATABASE_URL, DATA_DIR):
 *
 *   npm run replay                 rebuild, print events/s, keep the new schema
 *   npm run replay -- --verify     rebuild, compare with the live read models table by table, drop the new schema
 *   npm run replay -- --verify --keep
 *
 * With --verify it also runs the live projections until they have applied the same events, so
 * the comparison is meaningful on a stopped embedded service too. Exit code 1 when a table
 * differs, 2 when the replay fails. On the embedded profile, stop the service first: PGlite
 * opens a data directory from one process only.
 */
interface Arguments {
  readonly verify: boolean;
  readonly keep: boolean;
  readonly batchSize: number | undefined;
}

async function main(): Promise<number> {
  const args = parseArguments(process.argv.slice(2));
  const config = loadConfig();
  const db: SqlClient =
    config.EVENT_STORE === 'embedded'
      ? await PgliteClient.open(resolve(config.DATA_DIR, 'pglite'))
      : new PostgresClient(config.DATABASE_URL ?? '', { max: 4 });
  const rawStore: EventStore =
    config.EVENT_STORE === 'embedded'
      ? await createEmbeddedEventStore({ client: db, schema: EVENT_SCHEMA })
      : await createPostgresEventStore({ client: db, schema: EVENT_SCHEMA });
  // The read models hold personal fields in clear, so the replay reads them as the service does.
  const keyStore = new SqlSubjectKeyStore(db, { schema: EVENT_SCHEMA, eventsOnSameServer: true });
  const { eventStore: store } = await protectPersonalData(rawStore, keyStore, await loadSecrets(config));
  const schema = `${READ_SCHEMA}_replay_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;
  const replay = new ReadModelReplay(store, db, schema, args.batchSize);
  try {
    await replay.setUp();
    const started = performance.now();
    const events = await replay.catchUp();
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `replayed ${events} events into ${schema} in ${seconds.toFixed(1)} s (${Math.round(events / Math.max(seconds, 0.001))} events/s)`,
    );
    if (!args.verify) {
      console.log(`kept schema ${schema}; drop it with DROP SCHEMA "${schema}" CASCADE`);
      return 0;
    }
    const identical = await verifyAgainstLive(store, db, replay);
    return identical ? 0 : 1;
  } finally {
    if (args.verify && !args.keep) {
      await replay.drop();
    } else if (args.verify) {
      console.log(`kept schema ${schema}`);
    }
    await store.close();
    await db.close();
  }
}

async function verifyAgainstLive(store: EventStore, db: SqlClient, replay: ReadModelReplay): Promise<boolean> {
  const live = new ProjectionRunner(store, db, createSqlProjections({ schema: READ_SCHEMA }), { checkpointSchema: READ_SCHEMA });
  await live.start();
  try {
    const outcome = await verifyReplay(db, replay, { liveSchema: READ_SCHEMA });
    for (const table of outcome.tables) {
      console.log(describeTable(table));
    }
    const differing = outcome.tables.filter((table) => !isIdentical(table)).length;
    console.log(
      differing === 0 ? `no differences in ${outcome.tables.length} tables` : `${differing} of ${outcome.tables.length} tables differ`,
    );
    return outcome.identical;
  } finally {
    await live.stop();
  }
}

function describeTable(table: TableComparison): string {
  if (table.missingIn !== undefined) {
    return `${table.table}: DIFFERS, missing in ${table.missingIn} (${Math.max(table.liveRows, table.replayRows)} rows on the other side)`;
  }
  const counts = `live ${table.liveRows} rows, replay ${table.replayRows}`;
  if (isIdentical(table)) {
    return `${table.table}: identical (${counts})`;
  }
  const parts = [
    `only in live ${table.onlyInLive}`,
    `only in replay ${table.onlyInReplay}`,
    `differing ${table.differing}`,
    ...(table.columnsOnlyInLive.length > 0 ? [`columns only in live: ${table.columnsOnlyInLive.join(', ')}`] : []),
    ...(table.columnsOnlyInReplay.length > 0 ? [`columns only in replay: ${table.columnsOnlyInReplay.join(', ')}`] : []),
  ];
  const samples = Object.entries(table.samples)
    .filter(([, keys]) => keys.length > 0)
    .map(([kind, keys]) => `\n    ${kind} e.g. ${keys.join(' ')}`)
    .join('');
  return `${table.table}: DIFFERS (${counts}): ${parts.join(', ')}${samples}`;
}

function parseArguments(argv: readonly string[]): Arguments {
  let verify = false;
  let keep = false;
  let batchSize: number | undefined;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    if (arg === '--verify') {
      verify = true;
    } else if (arg === '--keep') {
      keep = true;
    } else if (arg === '--batch-size') {
      batchSize = Number(argv[index + 1]);
      index += 1;
      if (!Number.isInteger(batchSize) || batchSize < 1) {
        throw new Error(`--batch-size must be a positive integer, got '${argv[index]}'`);
      }
    } else {
      throw new Error(`unknown argument '${arg}'; usage: npm run replay -- [--verify] [--keep] [--batch-size N]`);
    }
  }
  return { verify, keep, batchSize };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`replay failed: ${(error as Error).message}`);
    process.exit(2);
  },
);
