import { mapTargetRowBatches, rowSourceOf } from '../mapping/map-target-rows';
import { TargetRowSource } from '../mapping/source-record';
import { TargetRowOptions } from '../mapping/target-row';
import { DatabaseQuery } from './database-reader';
import { databaseDialect, DATABASE_URL_SCHEMES } from './database-url';
import { readMariaDbRows } from './mariadb-reader';
import { readPostgresRows } from './postgres-reader';

/**
 * Opens the target rows of a read-only SQL query. Each result column fills the target field or
 * layout key of its name, after `mapping`, as the columns of a CSV file do. The query runs when
 * the rows are first read.
 *
 * @throws Error when the URL's scheme is not one of DATABASE_URL_SCHEMES; configuration checks
 * it at start, so this is a programming error.
 */
export function openDatabaseRows(query: DatabaseQuery, options: TargetRowOptions): TargetRowSource {
  const dialect = databaseDialect(query.url);
  if (dialect === undefined) {
    throw new Error(`connection '${query.connection}' has a URL that is not ${DATABASE_URL_SCHEMES}`);
  }
  const read = dialect === 'postgres' ? readPostgresRows : readMariaDbRows;
  return rowSourceOf(mapTargetRowBatches(read(query), options, 'the query result'));
}
