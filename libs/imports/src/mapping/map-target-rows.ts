import { ColumnOrigin, planColumns } from './columns';
import { resolveReaderSettings } from './reader-settings';
import { SourceRecordBatch, TargetRowSource } from './source-record';
import { TargetRowMapper } from './target-row-mapper';
import { TargetRowOptions, TargetRowResult } from './target-row';

/**
 * Maps the record batches of a source to target rows, one output batch per input batch, with the
 * same field rules as CSV files. The column plan is built again whenever a batch carries another
 * columns array. Numbers in text values take `.` as decimal separator only.
 *
 * @throws ImportFormatError when the options are invalid or the columns have no phoneNumber after
 * mapping; the error names `origin` as where the columns come from.
 */
export async function* mapTargetRowBatches(
  batches: AsyncIterable<SourceRecordBatch>,
  options: TargetRowOptions,
  origin: ColumnOrigin,
): AsyncGenerator<TargetRowResult[], void, undefined> {
  const settings = resolveReaderSettings(options);
  let mapper: TargetRowMapper | undefined;
  let columns: readonly string[] | undefined;

  for await (const batch of batches) {
    if (mapper === undefined || batch.columns !== columns) {
      mapper = new TargetRowMapper(planColumns(batch.columns, settings.mapping, settings.layoutTypes, origin), settings, false);
      columns = batch.columns;
    }
    const current = mapper;
    yield batch.records.map((record) => (record.kind === 'rejected' ? record : current.map(record.line, record.values)));
  }
}

/**
 * Wraps row batches that need no acknowledgement (a file, a query result, HTTP pages) as a
 * TargetRowSource. Closing it ends the generator, which releases what it holds.
 */
export function rowSourceOf(rows: AsyncGenerator<TargetRowResult[], void, undefined>): TargetRowSource {
  return {
    rows,
    commit: () => Promise.resolve(),
    close: async () => {
      await rows.return(undefined);
    },
  };
}
