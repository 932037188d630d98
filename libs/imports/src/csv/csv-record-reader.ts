import { CsvError, parse, Parser } from 'csv-parse';
import { Delimiter } from './delimiter';
import { ImportFormatError } from '../mapping/import-format-error';

/** One CSV record as csv-parse splits it, with the line on which it starts (the first line is 1). */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

/**
 * Wraps the csv-parse stream parser so that records come out in arrays, one array per chunk
 * written, each with the line on which it starts. Records are taken with synchronous `read()`
 * calls after each write: async iteration costs a promise per record, and `on_record` makes
 * csv-parse copy its info object per record, each slowing a million-row import by a fifth.
 */
export class CsvRecordReader {
  private readonly parser: Parser;
  private records: CsvRecord[] = [];
  private nextLine = 1;

  constructor(delimiter: Delimiter, maxRecordCharacters: number) {
    this.parser = parse({
      delimiter,
      bom: true,
      // CRLF, LF and CR alone (old Mac exports) are all accepted in the same file, as
      // concatenated exports mix them. CRLF comes first, so that it ends one record, not two.
      record_delimiter: ['\r\n', '\n', '\r'],
      // A stray quote inside an unquoted field (O"Neil) is kept as a character.
      relax_quotes: true,
      // The column count is checked per row, so that one bad row is rejected, not the file.
      relax_column_count: true,
      // Bounds memory when a quote is never closed and the rest of the file becomes one field.
      max_record_size: maxRecordCharacters,
    });
    // Errors reach the caller through the write and end callbacks. Without a listener, the
    // 'error' event the stream also emits would crash the process.
    this.parser.on('error', () => undefined);
  }

  /** Parses a chunk and returns the records it completed. */
  async write(chunk: Buffer): Promise<CsvRecord[]> {
    const written = new Promise<void>((resolve, reject) => {
      this.parser.write(chunk, (error) => (error ? reject(this.toFormatError(error)) : resolve()));
    });
    // The stream holds back the write callback while its readable buffer is full, so the
    // records must be read before the callback can fire.
    this.readParsedRecords();
    await written;
    return this.takeRecords();
  }

  /** Parses what is left after the last chunk and returns the final records. */
  async end(): Promise<CsvRecord[]> {
    await new Promise<void>((resolve, reject) => {
      this.parser.end((error?: Error | null) => (error ? reject(this.toFormatError(error)) : resolve()));
    });
    this.readParsedRecords();
    return this.takeRecords();
  }

  /** Stops the parser when the caller gives up before the end of the input. */
  destroy(): void {
    this.parser.destroy();
  }

  private readParsedRecords(): void {
    let fields: string[] | null;
    while ((fields = this.parser.read() as string[] | null) !== null) {
      this.records.push({ line: this.nextLine, fields });
      // csv-parse 5.6 counts a CRLF inside a quoted field as two lines, so lines are counted
      // here. Only a quoted field can contain a line break, and each one starts a new line.
      this.nextLine += 1 + countLineBreaks(fields);
    }
  }

  private takeRecords(): CsvRecord[] {
    const records = this.records;
    this.records = [];
    return records;
  }

  private toFormatError(error: Error): ImportFormatError {
    // Records parsed before the error may still sit in the stream; reading them moves nextLine
    // to the start of the record that failed.
    this.readParsedRecords();
    const line = this.nextLine;
    if (!(error instanceof CsvError)) {
      return new ImportFormatError(
        'IMPORT.MALFORMED_CSV',
        `reading the CSV failed at line ${line}: ${error.message}`,
        { line },
        { cause: error },
      );
    }
    switch (error.code) {
      case 'CSV_QUOTE_NOT_CLOSED':
        return new ImportFormatError(
          'IMPORT.UNCLOSED_QUOTE',
          `the row starting at line ${line} has a quoted field that is not closed before the end of the file`,
          { line },
          { cause: error },
        );
      case 'CSV_MAX_RECORD_SIZE':
        return new ImportFormatError(
          'IMPORT.ROW_TOO_LARGE',
          `the row starting at line ${line} is longer than ${this.parser.options.max_record_size} characters; check that its quotes are closed`,
          { line },
          { cause: error },
        );
      default:
        return new ImportFormatError(
          'IMPORT.MALFORMED_CSV',
          `the row starting at line ${line} is not valid CSV: ${error.message}`,
          { line },
          { cause: error },
        );
    }
  }
}

/** Counts the line breaks in the fields, a CRLF, a lone LF and a lone CR each as one. */
function countLineBreaks(fields: readonly string[]): number {
  let count = 0;
  for (const field of fields) {
    // Most fields have no line break, and indexOf skips them faster than a loop over characters.
    if (field.indexOf('\n') === -1 && field.indexOf('\r') === -1) {
      continue;
    }
    for (let index = 0; index < field.length; index++) {
      const char = field[index];
      if (char === '\r' || (char === '\n' && field[index - 1] !== '\r')) {
        count++;
      }
    }
  }
  return count;
}
