import { createConnection, type Connection } from 'mysql2';
import type { Field, Next } from 'mysql2/typings/mysql/lib/parsers/typeCast';
import { SourceRecord, SourceRecordBatch, WallClockTime } from '../mapping/source-record';
import { DatabaseQueryError } from './database-query-error';
import { DatabaseQuery } from './database-reader';

const MS_PER_SECOND = 1000;

/**
 * Runs the query on MariaDB inside `START TRANSACTION READ ONLY`, with `max_statement_time` set
 * for the session, and streams the rows, so that memory does not grow with the result: the
 * driver pauses the socket while `batchSize` rows wait unread. The server rejects a write
 * statement with ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION, and the driver sends one statement
 * only. `DATE` and `DATETIME` come as WallClockTime, `TIMESTAMP` as a Date (the session runs in
 * UTC), `DECIMAL` and `BIGINT` as text.
 *
 * NOTE: a stored procedure can commit and so end the read-only transaction before it writes.
 * Give the connection an account with SELECT grants only; the transaction is a second guard.
 * `max_statement_time` is MariaDB's; MySQL rejects it, so MySQL servers are not supported.
 *
 * @throws DatabaseQueryError when the connection or the query fails.
 */
export async function* readMariaDbRows(query: DatabaseQuery): AsyncGenerator<SourceRecordBatch, void, undefined> {
  const connection = createConnection({
    uri: query.url,
    connectTimeout: query.connectTimeoutMs,
    rowsAsArray: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    timezone: 'Z',
    typeCast: castTemporal,
  });
  // Errors on an idle connection are emitted here; the next query rejects with them.
  connection.on('error', () => undefined);

  try {
    const setup = connection.promise();
    await setup.query(`SET SESSION time_zone = '+00:00', SESSION max_statement_time = ${query.statementTimeoutMs / MS_PER_SECOND}`);
    await setup.query('START TRANSACTION READ ONLY');
    yield* streamRows(connection, query.query, query.batchSize);
    await setup.query('COMMIT');
  } catch (error) {
    throw DatabaseQueryError.from(error, query.connection, query.url);
  } finally {
    connection.destroy();
  }
}

async function* streamRows(connection: Connection, sql: string, batchSize: number): AsyncGenerator<SourceRecordBatch, void, undefined> {
  let columns: readonly string[] = [];
  const rows = connection.query(sql).stream({ highWaterMark: batchSize });
  rows.on('fields', (fields: readonly { name: string }[] | undefined) => {
    columns = (fields ?? []).map((field) => field.name);
  });

  let records: SourceRecord[] = [];
  let line = 0;
  let yielded = false;
  for await (const values of rows as AsyncIterable<unknown[]>) {
    records.push({ kind: 'record', line: ++line, values });
    if (records.length >= batchSize) {
      yield { columns, records };
      yielded = true;
      records = [];
    }
  }
  if (records.length > 0 || !yielded) {
    yield { columns, records };
  }
}

/** Column types whose values are wall-clock dates or date-times, with no offset. */
const WALL_CLOCK_TYPES = new Set(['DATE', 'NEWDATE', 'DATETIME', 'DATETIME2']);

/** Reads DATE and DATETIME columns as WallClockTime and leaves every other type to the driver. */
function castTemporal(field: Field, next: Next): unknown {
  if (!WALL_CLOCK_TYPES.has(field.type)) {
    return next();
  }
  const text = field.string();
  return text === null ? null : new WallClockTime(text);
}
