import { Readable } from 'node:stream';
import type { LayoutField } from '@sms/domain';
import { csvHeaderLine, ExportedTarget, stringifyRecords, toCsvRecord, UTF8_BOM } from './target-csv';

/** Targets read per query. A row without layout values is about 50 bytes, so a page is some 50 KB of CSV plus its layout values. */
export const EXPORT_PAGE_SIZE = 1_000;

/** A target as a keyset scan returns it: `id` is the key of the next page. */
export interface ScannedTarget extends Omit<ExportedTarget, 'phoneNumber'> {
  readonly id: string;
  /** E.164; null once the target was deleted and its personal data erased. */
  readonly phoneNumber: string | null;
}

/** Reads up to `limit` targets whose id sorts after `afterId`, in id order. */
export type TargetPageReader = (request: { afterId?: string; limit: number }) => Promise<readonly ScannedTarget[]>;

/**
 * Returns the CSV of the targets that `readPage` returns, as a byte stream: a byte order mark and
 * the header line, then one chunk per page. A page is read only when the consumer has taken the
 * previous chunks, so a slow client keeps only a few pages in memory. Destroying the
 * stream, as `pipeline` does when the client disconnects, stops the reads after the current one.
 */
export function targetCsvStream(readPage: TargetPageReader, layoutColumns: readonly LayoutField[], pageSize = EXPORT_PAGE_SIZE): Readable {
  return Readable.from(targetCsvChunks(readPage, layoutColumns, pageSize), { objectMode: false });
}

/**
 * Yields the byte order mark and the header line, then the CSV text of each page of targets.
 * Deleted targets are left out, because a row without a phone number cannot be imported.
 */
export async function* targetCsvChunks(
  readPage: TargetPageReader,
  layoutColumns: readonly LayoutField[],
  pageSize: number,
): AsyncGenerator<string> {
  yield UTF8_BOM + csvHeaderLine(layoutColumns);

  const layoutKeys = layoutColumns.map((field) => field.key);
  let afterId: string | undefined;
  for (;;) {
    const page = await readPage({ afterId, limit: pageSize });
    const records = page.flatMap((target) =>
      target.phoneNumber === null ? [] : [toCsvRecord({ ...target, phoneNumber: target.phoneNumber }, layoutKeys)],
    );
    if (records.length > 0) {
      yield stringifyRecords(records);
    }
    if (page.length < pageSize) {
      return;
    }
    afterId = page[page.length - 1].id;
  }
}
