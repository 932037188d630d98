import { planColumns } from '../mapping/columns';
import { ImportFormatError } from '../mapping/import-format-error';
import { ReaderSettings, resolveReaderSettings } from '../mapping/reader-settings';
import { cut, TargetRowMapper } from '../mapping/target-row-mapper';
import { TargetRowOptions, TargetRowResult } from '../mapping/target-row';
import { CsvRecord, CsvRecordReader } from './csv-record-reader';
import { Delimiter, DelimiterDetector } from './delimiter';
import { firstInvalidUtf8Offset } from './utf8-offset';

/** A CSV file as bytes (UTF-8, with or without a byte order mark) or as decoded text, in chunks. */
export type TargetCsvInput = AsyncIterable<Buffer | string> | Iterable<Buffer | string> | NodeJS.ReadableStream;

/**
 * Maximum bytes handed to the parser at once, which bounds a batch to about 330 template rows.
 * Small batches let row objects die young: with 64 KiB a million-row file took about 15% more
 * CPU time, spent in garbage collection.
 */
const CHUNK_BYTES = 16 * 1024;

/** How far into the file the delimiter is looked for when the header line does not end sooner. */
const DELIMITER_SCAN_BYTES = 64 * 1024;

/** Maximum record length in characters. A longer record fails the import instead of filling memory. */
const MAX_RECORD_CHARACTERS = 1024 * 1024;

/**
 * Reads a target CSV file and yields one TargetRow or RowRejection per data row, in file order.
 * Built on {@link readTargetRowBatches}; use that one where per-row async iteration costs too much.
 *
 * @throws ImportFormatError when the options are invalid or the file as a whole cannot be read.
 */
export async function* readTargetRows(input: TargetCsvInput, options: TargetRowOptions): AsyncGenerator<TargetRowResult, void, undefined> {
  for await (const batch of readTargetRowBatches(input, options)) {
    yield* batch;
  }
}

/**
 * Reads a target CSV file and yields its data rows in batches, in file order, each row either a
 * TargetRow or a RowRejection. The input is streamed: the reader pulls the next chunk only when
 * the caller asks for the next batch, and keeps at most one chunk of rows at a time. Breaking out
 * of the loop closes the input.
 *
 * Format: the header names the columns; the delimiter (comma, semicolon or tab) is the one the
 * header line contains most often. Quoted fields may contain delimiters, doubled quotes and line
 * breaks. Lines are numbered from 1 (the header) and a row carries the line on which it starts.
 * Blank rows, including rows whose every cell is empty, are skipped. Duplicate phone numbers are
 * not detected here.
 *
 * @throws ImportFormatError when the options are invalid, the file is empty, the header has no
 * phoneNumber column after mapping, or the CSV breaks off (an unclosed quote, a huge record).
 */
export async function* readTargetRowBatches(
  input: TargetCsvInput,
  options: TargetRowOptions,
): AsyncGenerator<TargetRowResult[], void, undefined> {
  const settings = resolveReaderSettings(options);
  const chunks = sliceChunks(input, CHUNK_BYTES);
  let records: CsvRecordReader | undefined;

  try {
    const { delimiter, head } = await detectDelimiter(chunks);
    records = new CsvRecordReader(delimiter, MAX_RECORD_CHARACTERS);
    const rows = new RecordConverter(settings, delimiter);

    for (const chunk of head) {
      const batch = rows.convert(await records.write(chunk));
      if (batch.length > 0) {
        yield batch;
      }
    }
    for await (const chunk of chunks) {
      const batch = rows.convert(await records.write(chunk));
      if (batch.length > 0) {
        yield batch;
      }
    }

    const last = rows.convert(await records.end());
    if (last.length > 0) {
      yield last;
    }
    rows.assertHeaderRead();
  } finally {
    records?.destroy();
    await chunks.return(undefined);
  }
}

/**
 * Converts records to rows: the first non-blank record is the header, the following ones are data.
 * A record with more or fewer cells than the header is rejected here, and every other rule is the
 * mapper's. A decimal comma is accepted in number cells unless the delimiter is a comma.
 */
class RecordConverter {
  private rows: TargetRowMapper | undefined;

  constructor(
    private readonly settings: ReaderSettings,
    private readonly delimiter: Delimiter,
  ) {}

  convert(records: readonly CsvRecord[]): TargetRowResult[] {
    const results: TargetRowResult[] = [];
    for (const record of records) {
      if (isBlank(record.fields)) {
        continue;
      }
      if (this.rows === undefined) {
        const plan = planColumns(record.fields, this.settings.mapping, this.settings.layoutTypes);
        this.rows = new TargetRowMapper(plan, this.settings, this.delimiter !== ',');
        continue;
      }
      results.push(this.read(this.rows, record));
    }
    return results;
  }

  private read(rows: TargetRowMapper, { line, fields }: CsvRecord): TargetRowResult {
    const columnCount = rows.columns.columnCount;
    if (fields.length !== columnCount) {
      const found = fields.length === 1 ? '1 field' : `${fields.length} fields`;
      return {
        kind: 'rejected',
        line,
        value: cut(fields.join(this.delimiter)),
        reason: `the row has ${found} but the header has ${columnCount} columns`,
      };
    }
    return rows.map(line, fields);
  }

  assertHeaderRead(): void {
    if (this.rows === undefined) {
      throw new ImportFormatError(
        'IMPORT.EMPTY_FILE',
        'the file is empty; expected a header row such as phoneNumber,startDate,priority,insertIfDuplicate',
      );
    }
  }
}

/** Reads chunks until the header line is complete and returns its delimiter with the chunks read. */
async function detectDelimiter(chunks: AsyncGenerator<Buffer>): Promise<{ delimiter: Delimiter; head: Buffer[] }> {
  const detector = new DelimiterDetector(DELIMITER_SCAN_BYTES);
  const head: Buffer[] = [];
  while (!detector.done) {
    const next = await chunks.next();
    if (next.done === true) {
      break;
    }
    detector.scan(next.value);
    head.push(next.value);
  }
  return { delimiter: detector.delimiter(), head };
}

/**
 * Yields the input as Buffers of at most `maxBytes`, so that one large chunk (a whole file read
 * at once) still produces small batches. Strings are encoded as UTF-8.
 */
async function* sliceChunks(input: TargetCsvInput, maxBytes: number): AsyncGenerator<Buffer> {
  const utf8 = new Utf8Check();
  for await (const chunk of input) {
    // NOTE: a string chunk that ends between the two halves of a surrogate pair loses that
    // character, which is encoded as U+FFFD. Byte chunks may be split anywhere.
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    utf8.check(bytes);
    for (let start = 0; start < bytes.length; start += maxBytes) {
      yield bytes.subarray(start, start + maxBytes);
    }
  }
  utf8.end();
}

/**
 * Rejects a file that is not UTF-8, such as a CSV saved as Windows-1252 by a spreadsheet: read as
 * UTF-8, its accented letters would become U+FFFD in every message, without any row rejected.
 */
class Utf8Check {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private bytesRead = 0;
  private readonly lines = new LineCounter();

  check(bytes: Buffer): void {
    try {
      this.decoder.decode(bytes, { stream: true });
    } catch {
      throw this.notUtf8(bytes);
    }
    this.bytesRead += bytes.length;
    this.lines.count(bytes);
  }

  /** Checks that the file does not end inside a character. */
  end(): void {
    try {
      this.decoder.decode();
    } catch {
      throw this.notUtf8(Buffer.alloc(0));
    }
  }

  private notUtf8(bytes: Buffer): ImportFormatError {
    const offset = firstInvalidUtf8Offset(bytes, true);
    const line = this.lines.count(bytes.subarray(0, offset));
    const byte = offset < bytes.length ? `0x${bytes[offset].toString(16).toUpperCase().padStart(2, '0')}` : 'the end of the file';
    return new ImportFormatError(
      'IMPORT.NOT_UTF8',
      `the file is not UTF-8: ${byte} at byte ${this.bytesRead + offset + 1} (line ${line}) is not a UTF-8 character; ` +
        'save the file as CSV UTF-8 and import it again',
      { line },
      { details: [{ field: 'file', value: byte, rule: 'must be encoded in UTF-8' }] },
    );
  }
}

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Counts lines as the CSV reader does: CRLF, a lone LF and a lone CR each end one line. */
class LineCounter {
  private line = 1;
  private afterCarriageReturn = false;

  /** Counts the line breaks in `bytes` and returns the line on which the byte after them is. */
  count(bytes: Buffer): number {
    for (const byte of bytes) {
      if (byte === CARRIAGE_RETURN || (byte === LINE_FEED && !this.afterCarriageReturn)) this.line += 1;
      this.afterCarriageReturn = byte === CARRIAGE_RETURN;
    }
    return this.line;
  }
}

function isBlank(fields: readonly string[]): boolean {
  for (const field of fields) {
    if (field.length > 0 && field.trim().length > 0) {
      return false;
    }
  }
  return true;
}
