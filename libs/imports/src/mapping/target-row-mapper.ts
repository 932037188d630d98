import { normalisePhoneNumber } from '@sms/domain';
import { ColumnPlan, LayoutColumn } from './columns';
import { DateTimeParser } from './date-time-parser';
import { InvalidValue, parseBoolean, parseDecimal, parsePriority, stripTextMarker, TimeZoneNames } from './field-parsers';
import { ReaderSettings } from './reader-settings';
import { WallClockTime } from './source-record';
import { LayoutValue, RowRejection, TargetRowResult } from './target-row';

/** Maximum length of a rejected value, so that a runaway cell cannot bloat the import's error list. */
const MAX_REJECTED_VALUE_LENGTH = 100;

const NOT_SCALAR_RULE = 'must be a string, a number or a boolean';

/**
 * Turns the records of one source into TargetRow values, or into a RowRejection naming the first
 * field that breaks a rule. The values of a record come in the order of the plan's columns.
 * Text values go through the field parsers. Typed values (numbers, booleans, WallClockTime) are
 * read as the text they stand for, and a Date is taken as the instant it is. Fields are checked
 * in this order: NUL characters, phoneNumber, timeZone, startDate (read in the row's time zone
 * when it has one), priority, insertIfDuplicate, then the layout columns from left to right.
 */
export class TargetRowMapper {
  private readonly dates: DateTimeParser;
  private readonly isoDates: DateTimeParser;
  private readonly timeZones = new TimeZoneNames();

  /** @param acceptDecimalComma whether text number values may use `,` as decimal separator. */
  constructor(
    private readonly plan: ColumnPlan,
    private readonly settings: ReaderSettings,
    private readonly acceptDecimalComma: boolean,
  ) {
    this.dates = new DateTimeParser(settings.dateFormat);
    this.isoDates = settings.dateFormat === undefined ? this.dates : new DateTimeParser(undefined);
  }

  /** The plan the mapper reads records with. */
  get columns(): ColumnPlan {
    return this.plan;
  }

  map(line: number, fields: readonly unknown[]): TargetRowResult {
    // PostgreSQL text cannot hold U+0000, so such a row would fail its whole batch later.
    const withNul = fields.findIndex((field) => typeof field === 'string' && field.includes('\u0000'));
    if (withNul !== -1) {
      const column = this.plan.columnNames[withNul] ?? `column ${withNul + 1}`;
      return reject(
        line,
        column,
        (fields[withNul] as string).replaceAll('\u0000', '\\0'),
        'contains a NUL character (U+0000), which is not accepted',
      );
    }
    const columns = this.plan.targetColumns;

    const rawPhoneNumber = textAt(fields, columns.phoneNumber);
    if (rawPhoneNumber instanceof InvalidValue) {
      return reject(line, 'phoneNumber', fields[columns.phoneNumber], rawPhoneNumber.rule);
    }
    const phoneNumber = normalisePhoneNumber(stripTextMarker(rawPhoneNumber), this.settings.defaultCountry);
    if (!phoneNumber.ok) {
      return reject(line, 'phoneNumber', rawPhoneNumber, phoneNumber.rule);
    }

    const rawTimeZone = textAt(fields, columns.timeZone);
    const timeZoneName = rawTimeZone instanceof InvalidValue ? '' : rawTimeZone.trim();
    const timeZone = timeZoneName === '' ? null : this.timeZones.canonical(timeZoneName);
    if (rawTimeZone instanceof InvalidValue || (timeZoneName !== '' && timeZone === null)) {
      const shown = rawTimeZone instanceof InvalidValue ? valueAt(fields, columns.timeZone) : timeZoneName;
      return reject(line, 'timeZone', shown, 'is not an IANA time zone such as Europe/Paris');
    }
    const zone = timeZone ?? this.settings.timeZone;

    const rawStartDate = valueAt(fields, columns.startDate);
    const startDate = this.parseDate(rawStartDate, zone);
    if (startDate instanceof InvalidValue) {
      return reject(line, 'startDate', rawStartDate, startDate.rule);
    }

    const rawPriority = textAt(fields, columns.priority);
    const priority = rawPriority instanceof InvalidValue ? rawPriority : parsePriority(rawPriority);
    if (priority instanceof InvalidValue) {
      return reject(line, 'priority', valueAt(fields, columns.priority), priority.rule);
    }

    // A database BOOLEAN column of MariaDB or MySQL arrives as the number 1 or 0.
    const typedFlag = valueAt(fields, columns.insertIfDuplicate);
    const rawInsertIfDuplicate = typedFlag === 1 || typedFlag === 0 ? String(typedFlag === 1) : textAt(fields, columns.insertIfDuplicate);
    const insertIfDuplicate =
      rawInsertIfDuplicate instanceof InvalidValue
        ? rawInsertIfDuplicate
        : parseBoolean(rawInsertIfDuplicate, this.settings.insertIfDuplicate);
    if (insertIfDuplicate instanceof InvalidValue) {
      return reject(line, 'insertIfDuplicate', valueAt(fields, columns.insertIfDuplicate), insertIfDuplicate.rule);
    }

    const layoutValues: Record<string, LayoutValue> = {};
    const layoutRejection = this.readLayoutValues(line, fields, layoutValues);
    if (layoutRejection !== null) {
      return layoutRejection;
    }

    return {
      kind: 'target',
      line,
      phoneNumber: phoneNumber.e164,
      startDate,
      priority,
      insertIfDuplicate,
      timeZone,
      layoutValues,
    };
  }

  /** Fills `values` and returns null, or returns the rejection for the first invalid layout cell. */
  private readLayoutValues(line: number, fields: readonly unknown[], values: Record<string, LayoutValue>): RowRejection | null {
    for (const column of this.plan.layoutColumns) {
      const raw = fields[column.index];
      const value = this.readLayoutValue(column, raw);
      if (value instanceof InvalidValue) {
        return reject(line, column.key, raw, value.rule);
      }
      values[column.key] = value;
    }
    return null;
  }

  private readLayoutValue(column: LayoutColumn, raw: unknown): LayoutValue | InvalidValue {
    if (column.type === 'date') {
      return this.parseLayoutDate(raw);
    }
    if (column.type === 'number' && typeof raw === 'number') {
      return Number.isFinite(raw) ? raw : new InvalidValue('is not a finite number');
    }

    const text = textOf(raw);
    if (text instanceof InvalidValue) {
      return text;
    }
    if (column.type === 'number') {
      return parseDecimal(text, this.acceptDecimalComma);
    }
    const trimmed = text.trim();
    return trimmed === '' ? null : trimmed;
  }

  /** Reads a `date` layout value: a Date as its instant, a WallClockTime as its ISO text, and text with `dateFormat`. */
  private parseLayoutDate(raw: unknown): string | null | InvalidValue {
    if (raw instanceof Date || raw instanceof WallClockTime) {
      return textOf(raw);
    }
    const text = textOf(raw);
    return text instanceof InvalidValue ? text : this.dates.parseLayoutDate(text);
  }

  /** Reads an instant: a Date is one already, a WallClockTime is ISO-8601 local time, and text follows `dateFormat`. */
  private parseDate(raw: unknown, zone: string): string | null | InvalidValue {
    if (raw instanceof Date) {
      return Number.isNaN(raw.getTime()) ? new InvalidValue('is not a valid date') : raw.toISOString();
    }
    if (raw instanceof WallClockTime) {
      return this.isoDates.parse(raw.iso, zone);
    }
    const text = textOf(raw);
    return text instanceof InvalidValue ? text : this.dates.parse(text, zone);
  }
}

/** Returns the value of an optional column; a missing column reads as an empty cell. */
function valueAt(fields: readonly unknown[], index: number): unknown {
  return index === -1 ? '' : fields[index];
}

function textAt(fields: readonly unknown[], index: number): string | InvalidValue {
  return textOf(valueAt(fields, index));
}

/**
 * Returns the text a value stands for: strings as they are, null and undefined as an empty cell,
 * numbers, bigints and booleans in their JavaScript spelling, a Date as its ISO instant and a
 * WallClockTime as its ISO text. Objects and arrays are rejected.
 */
function textOf(value: unknown): string | InvalidValue {
  if (typeof value === 'string') {
    return value;
  }
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return String(value);
  }
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? new InvalidValue('is not a valid date') : value.toISOString();
  }
  if (value instanceof WallClockTime) {
    return value.iso;
  }
  return new InvalidValue(NOT_SCALAR_RULE);
}

/** Builds the rejection of a row whose field `field` contains `raw`, which breaks `rule`. */
export function reject(line: number, field: string, raw: unknown, rule: string): RowRejection {
  const shown = displayText(raw);
  const text = shown.trim();
  const reason = text === '' ? `${field} ${rule}` : `${field} '${cut(text)}' ${rule}`;
  return { kind: 'rejected', line, value: cut(shown), reason };
}

/** Cuts a value to MAX_REJECTED_VALUE_LENGTH characters, marking the cut with an ellipsis. */
export function cut(value: string): string {
  return value.length <= MAX_REJECTED_VALUE_LENGTH ? value : `${value.slice(0, MAX_REJECTED_VALUE_LENGTH - 1)}…`;
}

function displayText(raw: unknown): string {
  const text = textOf(raw);
  if (!(text instanceof InvalidValue)) {
    return text;
  }
  try {
    return JSON.stringify(raw) ?? String(raw);
  } catch {
    return String(raw);
  }
}
