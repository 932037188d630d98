import type { RowRejection, TargetRowResult } from './target-row';

/**
 * A date or date-time without an offset, as a typed source column holds it (SQL `DATE`,
 * `TIMESTAMP WITHOUT TIME ZONE`, MariaDB `DATETIME`), in ISO-8601 form such as
 * `2026-12-07 09:00:00`. It is read as wall-clock time in the row's time zone, and never with the
 * import's `dateFormat`, which applies to text values only.
 */
export class WallClockTime {
  constructor(readonly iso: string) {}
}

/**
 * One record of a source before mapping, with its values in the order of the batch's columns.
 * A value is a string, a number, a bigint, a boolean, a Date (an instant), a WallClockTime, null
 * or undefined. Any other value (an object, an array) is rejected by the mapper.
 */
export interface SourceRecord {
  readonly kind: 'record';
  /**
   * Position of the record in its source, shown in the import's errors: the CSV line on which
   * the record starts (the header is line 1), the row number of a query result, the item
   * number across all CRM pages, or the stream sequence of a payment message. Counted from 1.
   */
  readonly line: number;
  readonly values: readonly unknown[];
}

/**
 * Records that share one list of column names. A source that knows its columns before its first
 * record (a query result) may send a batch without records, so that a missing phoneNumber column
 * fails the import even when there are no rows. A source may also reject a record it cannot read
 * at all, such as a payment message that is not JSON.
 */
export interface SourceRecordBatch {
  readonly columns: readonly string[];
  readonly records: readonly (SourceRecord | RowRejection)[];
}

/**
 * Target rows of one import in batches, from any source, with the hooks the import runner calls
 * around storing them.
 */
export interface TargetRowSource {
  readonly rows: AsyncIterable<TargetRowResult[]>;
  /**
   * Confirms that every row yielded so far is stored. A message source acknowledges the
   * messages here, so that a crash before the write makes the server deliver them again.
   */
  commit(): Promise<void>;
  /** Releases connections and files. Called once, after the last commit or after a failure. */
  close(): Promise<void>;
}
