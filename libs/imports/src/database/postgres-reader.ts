import { Client, type QueryConfig } from 'pg';
import { SourceRecord, SourceRecordBatch, WallClockTime } from '../mapping/source-record';
import { DatabaseQueryError } from './database-query-error';
import { DatabaseQuery } from './database-reader';

/** PostgreSQL type OIDs read as wall-clock time instead of through a JavaScript Date in the process time zone. */
const DATE_OID = 1082;
const TIMESTAMP_OID = 1114;

const CURSOR_NAME = 'sms_import_rows';

/**
 * Runs the query on PostgreSQL inside `BEGIN READ ONLY`, with `statement_timeout` set for the
 * transaction, and reads it through a cursor, `batchSize` rows per FETCH, so that memory does not
 * grow with the result. The server enforces read-only: a write through a function fails with
 * SQLSTATE 25006. The query is sent with the extended protocol, which takes one statement only,
 * so a `COMMIT;` cannot end the transaction early. DECLARE itself accepts only SELECT and VALUES,
 * so a bare `DELETE` fails as a syntax error there. Dates and timestamps without a time zone come
 * as WallClockTime, `timestamptz` as Date, numeric and bigint as text.
 *
 * @throws DatabaseQueryError when the connection, the query or a fetch fails.
 */
export async function* readPostgresRows(query: DatabaseQuery): AsyncGenerator<SourceRecordBatch, void, undefined> {
  const client = new Client({
    connectionString: query.url,
    connectionTimeoutMillis: query.connectTimeoutMs,
    application_name: 'sms-campaigns-import',
  });
  client.setTypeParser(DATE_OID, 'text', (text) => new WallClockTime(text));
  client.setTypeParser(TIMESTAMP_OID, 'text', (text) => new WallClockTime(text));
  // An error on an idle connection (the server shutting down) is emitted here; the next query rejects with it.
  client.on('error', () => undefined);

  try {
    await client.connect();
    await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(query.statementTimeoutMs))}`);
    // @types/pg 8.23 does not declare queryMode, which pg 8.23 reads in lib/query.js.
    const declare: QueryConfig = Object.assign(
      { text: `DECLARE ${CURSOR_NAME} NO SCROLL CURSOR FOR ${query.query}` },
      { queryMode: 'extended' },
    );
    await client.query(declare);

    let columns: readonly string[] | undefined;
    let line = 0;
    for (;;) {
      const result = await client.query<unknown[]>({ text: `FETCH ${query.batchSize} FROM ${CURSOR_NAME}`, rowMode: 'array' });
      columns ??= result.fields.map((field) => field.name);
      const records = result.rows.map((values): SourceRecord => ({ kind: 'record', line: ++line, values }));
      yield { columns, records };
      if (result.rows.length < query.batchSize) {
        break;
      }
    }
    await client.query('COMMIT');
  } catch (error) {
    throw DatabaseQueryError.from(error, query.connection, query.url);
  } finally {
    await client.end().catch(() => undefined);
  }
}
