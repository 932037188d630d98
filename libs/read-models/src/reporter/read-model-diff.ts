import type { GlobalPosition } from '@sms/event-store';
import { comparePositions } from '@sms/event-store';
import type { SqlClient, SqlExecutor } from '@sms/platform';
import { quoteSchemaName } from '../shared/schema-name';
import { ReadModelReplay } from './read-model-replay';

/**
 * Tables of a read model schema that hold bookkeeping, not views, so a replay does not rebuild
 * them: checkpoints, and the send slots that schedulers and senders book under throughput caps.
 */
export const NOT_REPLAYED_TABLES: readonly string[] = ['projection_checkpoints', 'attempt_feed_checkpoints', 'throughput_slots'];

/** Keys shown per kind of difference. */
const SAMPLE_SIZE = 5;

/** Result of comparing one table of the live schema with its replay, as sets of rows whatever the column order. */
export interface TableComparison {
  readonly table: string;
  readonly liveRows: number;
  readonly replayRows: number;
  /** Rows whose key exists only in the live table; without a primary key, rows with no equal row in the replay. */
  readonly onlyInLive: number;
  readonly onlyInReplay: number;
  /** Rows whose key exists in both tables with other values; always 0 for a table without a primary key. */
  readonly differing: number;
  readonly columnsOnlyInLive: readonly string[];
  readonly columnsOnlyInReplay: readonly string[];
  /** Set when the table exists on one side only. */
  readonly missingIn?: 'live' | 'replay';
  /** Up to five primary keys (as JSON) of each kind of difference. */
  readonly samples: { readonly onlyInLive: string[]; readonly onlyInReplay: string[]; readonly differing: string[] };
}

export interface VerifyOutcome {
  readonly tables: TableComparison[];
  /** True when no table differs. */
  readonly identical: boolean;
  /** Rounds of catch-up and compare needed before the live projections stood where the replay did. */
  readonly rounds: number;
}

export interface VerifyOptions {
  /** Schema of the live read models and of their `projection_checkpoints` table. */
  readonly liveSchema: string;
  /** Maximum wait for the live projections to reach the replay's position in one round, in ms; 60,000 when absent. */
  readonly settleTimeoutMs?: number;
  /** Catch-up and compare rounds before giving up on a store that keeps moving; 5 when absent. */
  readonly maxRounds?: number;
}

/**
 * Compares a finished replay with the live read models. Each round catches the replay up with
 * the store, waits until every live projection has applied the same events, then compares the
 * tables inside one REPEATABLE READ transaction that also reads the live checkpoints. When a live
 * projection moved on during the round, the comparison is thrown away and the next round runs.
 */
export async function verifyReplay(db: SqlClient, replay: ReadModelReplay, options: VerifyOptions): Promise<VerifyOutcome> {
  const maxRounds = options.maxRounds ?? 5;
  const checkpoints = new LiveCheckpoints(options.liveSchema);
  for (let round = 1; ; round += 1) {
    await replay.catchUp();
    await checkpoints.waitUntilReached(db, replay, options.settleTimeoutMs ?? 60_000);
    const outcome = await db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      if (!(await checkpoints.matchReplay(tx, replay))) {
        return null;
      }
      return compareSchemas(tx, options.liveSchema, replay.schema);
    });
    if (outcome !== null) {
      return { tables: outcome, identical: outcome.every(isIdentical), rounds: round };
    }
    if (round >= maxRounds) {
      throw new Error(`the live read models kept moving for ${maxRounds} rounds: verify again when fewer events are being appended`);
    }
  }
}

export function isIdentical(table: TableComparison): boolean {
  return (
    table.missingIn === undefined &&
    table.onlyInLive === 0 &&
    table.onlyInReplay === 0 &&
    table.differing === 0 &&
    table.columnsOnlyInLive.length === 0 &&
    table.columnsOnlyInReplay.length === 0
  );
}

/** Compares every table of two schemas, tables listed in NOT_REPLAYED_TABLES aside, in table name order. */
export async function compareSchemas(db: SqlExecutor, liveSchema: string, replaySchema: string): Promise<TableComparison[]> {
  const liveTables = await listTables(db, liveSchema);
  const replayTables = await listTables(db, replaySchema);
  const names = [...new Set([...liveTables, ...replayTables])].filter((name) => !NOT_REPLAYED_TABLES.includes(name)).sort();
  const comparisons: TableComparison[] = [];
  for (const name of names) {
    if (!liveTables.includes(name) || !replayTables.includes(name)) {
      comparisons.push(await missingTable(db, name, liveTables.includes(name) ? liveSchema : replaySchema, liveTables.includes(name)));
    } else {
      comparisons.push(await compareTable(db, name, liveSchema, replaySchema));
    }
  }
  return comparisons;
}

async function compareTable(db: SqlExecutor, table: string, liveSchema: string, replaySchema: string): Promise<TableComparison> {
  const live = `${quoteSchemaName(liveSchema)}.${quoteIdentifier(table)}`;
  const replay = `${quoteSchemaName(replaySchema)}.${quoteIdentifier(table)}`;
  const liveColumns = await listColumns(db, liveSchema, table);
  const replayColumns = await listColumns(db, replaySchema, table);
  const shared = liveColumns.filter((column) => replayColumns.includes(column));
  const keys = (await primaryKey(db, live)).filter((column) => shared.includes(column));

  const base = {
    table,
    liveRows: await countRows(db, live),
    replayRows: await countRows(db, replay),
    columnsOnlyInLive: liveColumns.filter((column) => !replayColumns.includes(column)),
    columnsOnlyInReplay: replayColumns.filter((column) => !liveColumns.includes(column)),
  };
  if (keys.length === 0) {
    const onlyInLive = await countExcept(db, live, replay, shared);
    const onlyInReplay = await countExcept(db, replay, live, shared);
    return { ...base, onlyInLive, onlyInReplay, differing: 0, samples: { onlyInLive: [], onlyInReplay: [], differing: [] } };
  }

  const keyJoin = keys.map((column) => `a.${quoteIdentifier(column)} = b.${quoteIdentifier(column)}`).join(' AND ');
  const keyJson = `json_build_array(${keys.map((column) => `a.${quoteIdentifier(column)}`).join(', ')})::text`;
  const rowOf = (alias: string) => `ROW(${shared.map((column) => `${alias}.${quoteIdentifier(column)}`).join(', ')})`;
  const onlyIn = (from: string, other: string) =>
    keyDifference(db, `FROM ${from} a WHERE NOT EXISTS (SELECT 1 FROM ${other} b WHERE ${keyJoin})`, keyJson);
  const onlyInLive = await onlyIn(live, replay);
  const onlyInReplay = await onlyIn(replay, live);
  const differing = await keyDifference(
    db,
    `FROM ${live} a JOIN ${replay} b ON ${keyJoin} WHERE ${rowOf('a')} IS DISTINCT FROM ${rowOf('b')}`,
    keyJson,
  );
  return {
    ...base,
    onlyInLive: onlyInLive.count,
    onlyInReplay: onlyInReplay.count,
    differing: differing.count,
    samples: { onlyInLive: onlyInLive.samples, onlyInReplay: onlyInReplay.samples, differing: differing.samples },
  };
}

async function keyDifference(db: SqlExecutor, fromWhere: string, keyJson: string): Promise<{ count: number; samples: string[] }> {
  const counted = await db.query<{ count: number }>(`SELECT count(*)::integer AS count ${fromWhere}`);
  const count = counted.rows[0].count;
  if (count === 0) {
    return { count, samples: [] };
  }
  const sampled = await db.query<{ key: string }>(`SELECT ${keyJson} AS key ${fromWhere} ORDER BY 1 LIMIT ${SAMPLE_SIZE}`);
  return { count, samples: sampled.rows.map((row) => row.key) };
}

async function countExcept(db: SqlExecutor, from: string, other: string, columns: readonly string[]): Promise<number> {
  const list = columns.map(quoteIdentifier).join(', ');
  const { rows } = await db.query<{ count: number }>(
    `SELECT count(*)::integer AS count FROM (SELECT ${list} FROM ${from} EXCEPT ALL SELECT ${list} FROM ${other}) difference`,
  );
  return rows[0].count;
}

async function missingTable(db: SqlExecutor, table: string, schema: string, inLive: boolean): Promise<TableComparison> {
  const rows = await countRows(db, `${quoteSchemaName(schema)}.${quoteIdentifier(table)}`);
  return {
    table,
    liveRows: inLive ? rows : 0,
    replayRows: inLive ? 0 : rows,
    onlyInLive: inLive ? rows : 0,
    onlyInReplay: inLive ? 0 : rows,
    differing: 0,
    columnsOnlyInLive: [],
    columnsOnlyInReplay: [],
    missingIn: inLive ? 'replay' : 'live',
    samples: { onlyInLive: [], onlyInReplay: [], differing: [] },
  };
}

async function countRows(db: SqlExecutor, table: string): Promise<number> {
  const { rows } = await db.query<{ count: number }>(`SELECT count(*)::integer AS count FROM ${table}`);
  return rows[0].count;
}

async function listTables(db: SqlExecutor, schema: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1`,
    [schema],
  );
  return rows.map((row) => row.name);
}

async function listColumns(db: SqlExecutor, schema: string, table: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY 1`,
    [schema, table],
  );
  return rows.map((row) => row.name);
}

async function primaryKey(db: SqlExecutor, qualifiedTable: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT attribute.attname AS name
     FROM pg_index index JOIN pg_attribute attribute ON attribute.attrelid = index.indrelid AND attribute.attnum = ANY(index.indkey)
     WHERE index.indrelid = $1::regclass AND index.indisprimary
     ORDER BY attribute.attnum`,
    [qualifiedTable],
  );
  return rows.map((row) => row.name);
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The live projections' checkpoints, named `<liveSchema>.<projection>` by the projection runner. */
class LiveCheckpoints {
  private readonly table: string;

  constructor(private readonly liveSchema: string) {
    this.table = `${quoteSchemaName(liveSchema)}.projection_checkpoints`;
  }

  async waitUntilReached(db: SqlExecutor, replay: ReadModelReplay, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const behind = await this.projectionsBehind(db, replay);
      if (behind.length === 0) {
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `the live projections ${behind.join(', ')} did not reach the replayed events within ${timeoutMs} ms: is a projector running?`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Tells whether every live projection has applied exactly the events that the replay's copy of it has. */
  async matchReplay(db: SqlExecutor, replay: ReadModelReplay): Promise<boolean> {
    const live = await this.read(db);
    return replay
      .projectionNames()
      .every((name) => comparePositions(live.get(name) ?? { commit: 0, prepare: 0 }, replay.lastAcceptedPosition(name)) === 0);
  }

  private async projectionsBehind(db: SqlExecutor, replay: ReadModelReplay): Promise<string[]> {
    const live = await this.read(db);
    return replay
      .projectionNames()
      .filter((name) => comparePositions(live.get(name) ?? { commit: 0, prepare: 0 }, replay.lastAcceptedPosition(name)) < 0);
  }

  private async read(db: SqlExecutor): Promise<Map<string, GlobalPosition>> {
    const exists = await db.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [this.table]);
    if (!exists.rows[0].found) {
      return new Map();
    }
    const { rows } = await db.query<{ projection_name: string; commit_position: string | number; prepare_position: string | number }>(
      `SELECT projection_name, commit_position, prepare_position FROM ${this.table} WHERE starts_with(projection_name, $1)`,
      [`${this.liveSchema}.`],
    );
    return new Map(
      rows.map((row) => [
        row.projection_name.slice(this.liveSchema.length + 1),
        { commit: Number(row.commit_position), prepare: Number(row.prepare_position) },
      ]),
    );
  }
}
