import { Readable } from 'node:stream';
import type { AttemptKey, AttemptReportRow } from '@sms/read-models';
import { CsvCell, stringifyRecords, UTF8_BOM } from '../targets/target-csv';

/** Attempts read per query while streaming. A CSV row is about 250 bytes, so a page is some 250 KB. */
export const STREAM_PAGE_SIZE = 1_000;

export type AttemptStreamFormat = 'ndjson' | 'csv';

/** Reads up to `limit` attempts that sort after `after`, in (startedAt, attemptId) order. */
export type AttemptPageReader = (after: AttemptKey | undefined, limit: number) => Promise<readonly AttemptReportRow[]>;

/** Columns of the CSV, in order: the fields of AttemptReportRow. */
export const ATTEMPT_CSV_COLUMNS: readonly (keyof AttemptReportRow)[] = [
  'campaignId',
  'campaignName',
  'sessionId',
  'targetId',
  'attemptId',
  'attemptNumber',
  'phoneNumber',
  'status',
  'startedAt',
  'endedAt',
  'segments',
  'encoding',
  'providerMessageId',
  'errorCode',
  'errorReason',
];

/**
 * Returns every attempt that `readPage` returns after `after`, as a byte stream in `format`. A
 * page is read only when the consumer has taken the previous chunks, so a slow client holds
 * back the reads instead of filling memory, and destroying the stream stops them.
 */
export function attemptReportStream(
  format: AttemptStreamFormat,
  readPage: AttemptPageReader,
  after: AttemptKey | undefined,
  pageSize = STREAM_PAGE_SIZE,
): Readable {
  return Readable.from(attemptReportChunks(format, readPage, after, pageSize), { objectMode: false });
}

/**
 * Yields the text of each page: NDJSON lines, or CSV records after a byte order mark and a header
 * line. CSV cells go through the target export's options, so a text cell that a spreadsheet would
 * run as a formula gets a leading `'`, E.164 numbers included.
 */
export async function* attemptReportChunks(
  format: AttemptStreamFormat,
  readPage: AttemptPageReader,
  after: AttemptKey | undefined,
  pageSize: number,
): AsyncGenerator<string> {
  if (format === 'csv') {
    yield UTF8_BOM + stringifyRecords([[...ATTEMPT_CSV_COLUMNS]]);
  }
  let key = after;
  for (;;) {
    const page = await readPage(key, pageSize);
    if (page.length > 0) {
      yield format === 'csv' ? stringifyRecords(page.map(toCsvRecord)) : page.map((row) => `${JSON.stringify(row)}\n`).join('');
    }
    if (page.length < pageSize) {
      return;
    }
    const last = page[page.length - 1];
    key = { startedAt: last.startedAt, attemptId: last.attemptId };
  }
}

function toCsvRecord(row: AttemptReportRow): CsvCell[] {
  return ATTEMPT_CSV_COLUMNS.map((column) => row[column]);
}
