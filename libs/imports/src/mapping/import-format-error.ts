import { DomainError, FieldViolation } from '@sms/domain';

export type ImportFormatErrorCode =
  | 'IMPORT.INVALID_OPTION'
  | 'IMPORT.INVALID_MAPPING'
  | 'IMPORT.EMPTY_FILE'
  | 'IMPORT.MISSING_COLUMN'
  | 'IMPORT.DUPLICATE_COLUMN'
  | 'IMPORT.INVALID_COLUMN'
  | 'IMPORT.UNCLOSED_QUOTE'
  | 'IMPORT.ROW_TOO_LARGE'
  | 'IMPORT.MALFORMED_CSV'
  | 'IMPORT.NOT_UTF8';

/** Facts about the failure that a caller may show or log next to the message. */
export interface ImportFormatErrorContext {
  /** Line on which the offending record starts; the header is line 1. */
  readonly line?: number;
  /** Target field or option the error is about, such as 'phoneNumber' or 'timeZone'. */
  readonly field?: string;
  /** Column names as the source gives them (header cells of a file), trimmed. */
  readonly columnsFound?: readonly string[];
}

/**
 * Raised when a source as a whole cannot be read: invalid options, an empty file, columns
 * without phoneNumber, or CSV that breaks off. A problem in one data row is a
 * RowRejection instead, so that one bad row never stops an import. The kind is INVALID, so the
 * HTTP layer responds with 400 when the error reaches a request.
 */
export class ImportFormatError extends DomainError {
  declare readonly code: ImportFormatErrorCode;

  constructor(
    code: ImportFormatErrorCode,
    message: string,
    readonly context: ImportFormatErrorContext = {},
    options: { details?: readonly FieldViolation[]; cause?: unknown } = {},
  ) {
    super(code, 'INVALID', message, options.details);
    this.name = 'ImportFormatError';
    if (options.cause !== undefined) {
      this.cause = options.cause;
    }
  }

  /** @param origin where the columns come from: 'the header' of a CSV file, 'the query result' or 'the mapping'. */
  static missingColumn(field: string, columnsFound: readonly string[], origin = 'the header'): ImportFormatError {
    const found = columnsFound.length === 0 ? 'none' : columnsFound.join(', ');
    return new ImportFormatError(
      'IMPORT.MISSING_COLUMN',
      `${origin} has no ${field} column (columns found: ${found}); name the column ${field} or map it with the mapping option`,
      { field, columnsFound },
      { details: [{ field, value: columnsFound, rule: 'is a required column' }] },
    );
  }

  static invalidOption(option: string, value: unknown, rule: string): ImportFormatError {
    const shown = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
    return new ImportFormatError(
      'IMPORT.INVALID_OPTION',
      `option ${option} ${shown} ${rule}`,
      { field: option },
      { details: [{ field: option, value, rule }] },
    );
  }
}
