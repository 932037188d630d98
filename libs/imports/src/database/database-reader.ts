import { SourceRecordBatch } from '../mapping/source-record';

/** A named connection and the query to run on it. */
export interface DatabaseQuery {
  /** Name under which the connection is configured; appears in error messages. */
  readonly connection: string;
  /** Connection URL, with its password; never shown. */
  readonly url: string;
  readonly query: string;
  /** Maximum run time of one statement on the server, in milliseconds. */
  readonly statementTimeoutMs: number;
  /** Maximum wait for the connection to open, in milliseconds. */
  readonly connectTimeoutMs: number;
  /** Rows fetched per round trip, which is also the size of the record batches. */
  readonly batchSize: number;
}

/** Reads a query's result as record batches; every batch shares one columns array. */
export type DatabaseReader = (query: DatabaseQuery) => AsyncGenerator<SourceRecordBatch, void, undefined>;
