import type { LayoutField, TargetLayout, TargetLayoutValues } from '@sms/domain';
import { importTemplateHeader } from '@sms/imports';
import type { Options as StringifyOptions } from 'csv-stringify';
import { stringify } from 'csv-stringify/sync';

/**
 * UTF-8 byte order mark. Excel opens a CSV without one in the system's ANSI code page
 * (Windows-1252 on a French Windows), which garbles accented letters. The CSV import skips it.
 */
export const UTF8_BOM = '\uFEFF';

/** RFC 4180 ends records with CRLF; the CSV import also reads LF. */
const CSV_RECORD_DELIMITER = '\r\n';

export type CsvCell = string | number | null;

/** A negative number in decimal notation, which a spreadsheet reads as a number and not as a formula. */
const NEGATIVE_DECIMAL = /^-\d+(?:\.\d+)?$/;

/** The target fields a CSV record is built from. */
export interface ExportedTarget {
  /** E.164. */
  readonly phoneNumber: string;
  readonly startDate: string | null;
  readonly priority: number;
  readonly layout: TargetLayoutValues | null;
}

/**
 * Options of every target CSV that the API writes. With `escape_formulas`, csv-stringify 6.9
 * prefixes `'` to a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return, or
 * with the full-width `＝`, `＋`, `－`, `＠`. A spreadsheet then reads the cell as text instead of
 * running it as a formula. Number cells are left as they are, because a negative number is not a
 * formula. E.164 phone numbers start with `+`, so they get the prefix as well, and the CSV import
 * removes it from phone numbers.
 */
export const TARGET_CSV_OPTIONS: StringifyOptions = {
  escape_formulas: true,
  record_delimiter: 'windows',
  // With a record delimiter set, csv-stringify quotes a value containing a lone LF or CR only with this option.
  quote_record_delimiter: true,
  cast: { number: formatPlainNumber },
};

/**
 * Returns the layout fields of every layout, each key once, in the order in which the keys first
 * appear. Two layouts may share a key; the first one's field is kept.
 */
export function layoutColumnsOf(layouts: readonly TargetLayout[]): LayoutField[] {
  const fields = new Map<string, LayoutField>();
  for (const layout of layouts) {
    for (const field of layout.fields) {
      if (!fields.has(field.key)) {
        fields.set(field.key, field);
      }
    }
  }
  return [...fields.values()];
}

/**
 * Returns the header line of the import template and the export, with its record delimiter. The
 * header cells are not neutralised, or the import would not recognise them. Layout keys contain
 * only letters, digits, `_`, `-` and `.`, so no header cell can hold a function call.
 */
export function csvHeaderLine(layoutColumns: readonly LayoutField[]): string {
  return `${importTemplateHeader(layoutColumns)}${CSV_RECORD_DELIMITER}`;
}

/**
 * Returns the cells of a target in the columns of the import template: phoneNumber, startDate,
 * priority, insertIfDuplicate (always false), then one cell per layout key. A layout value that
 * the target lacks is an empty cell.
 */
export function toCsvRecord(target: ExportedTarget, layoutKeys: readonly string[]): CsvCell[] {
  const values = target.layout?.values ?? {};
  // Own keys only: a layout key may be named like an Object.prototype member, such as `constructor`.
  const layoutCells = layoutKeys.map((key) => (Object.hasOwn(values, key) ? toLayoutCell(values[key]) : null));
  return [target.phoneNumber, target.startDate, target.priority, 'false', ...layoutCells];
}

/**
 * Returns a layout value as a cell. The CSV import keeps layout values as text, so an exported
 * -12.75 comes back as the text '-12.75'. Written as text, the next export would neutralise it
 * to `'-12.75`; written as the number it spells, it stays the same. Only text that `String`
 * would give for that number is converted, so no cell changes its spelling.
 */
function toLayoutCell(value: string | number | null): CsvCell {
  if (typeof value === 'string' && NEGATIVE_DECIMAL.test(value) && String(Number(value)) === value) {
    return Number(value);
  }
  return value;
}

/** Returns the CSV text of the records, each one ended by CRLF, with cells neutralised as TARGET_CSV_OPTIONS sets. */
export function stringifyRecords(records: CsvCell[][]): string {
  return stringify(records, TARGET_CSV_OPTIONS);
}

/**
 * Writes a number in plain decimal notation. JavaScript writes 1e21 and above, and below 1e-6, in
 * exponent notation, which the CSV import rejects as a number. The digits are those of
 * `String(value)`, so the text reads back to the same number.
 */
export function formatPlainNumber(value: number): string {
  const text = String(value);
  const exponentForm = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (exponentForm === null) {
    return text;
  }
  const [, sign, firstDigit, otherDigits = '', exponent] = exponentForm;
  const digits = firstDigit + otherDigits;
  const integerDigits = 1 + Number(exponent);
  if (integerDigits <= 0) {
    return `${sign}0.${'0'.repeat(-integerDigits)}${digits}`;
  }
  // A positive exponent is at least 21 while String() gives at most 17 significant digits.
  return `${sign}${digits}${'0'.repeat(integerDigits - digits.length)}`;
}
