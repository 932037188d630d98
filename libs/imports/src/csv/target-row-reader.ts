import { normalisePhoneNumber } from '@sms/domain';
import { ColumnPlan, LayoutColumn } from './columns';
import { CsvRecord } from './csv-record-reader';
import { DateTimeParser } from './date-time-parser';
import { Delimiter } from './delimiter';
import { InvalidValue, parseBoolean, parseDecimal, parsePriority, TimeZoneNames } from './field-parsers';
import { ReaderSettings } from './reader-settings';
import { LayoutValue, RowRejection, TargetRowResult } from './target-row';

/** Maximum length of a rejected value, so that a runaway cell cannot bloat the import's error list. */
const MAX_REJECTED_VALUE_LENGTH = 100;

/**
 * Turns the data records of one file into TargetRow values, or into a RowRejection naming the
 * first field that breaks a rule. Fields are checked in this order: column count, phoneNumber,
 * timeZone, startDate (read in the row's time zone when it has one), priority,
 * insertIfDuplicate, then the layout columns from left to right.
 */
export class TargetRowReader {
  private readonly dates: DateTimeParser;
  private readonly timeZones = new TimeZoneNames();
  private readonly acceptDecimalComma: boolean;

  constructor(
    private readonly plan: ColumnPlan,
    private readonly settings: ReaderSettings,
    private readonly delimiter: Delimiter,
  ) {
    this.dates = new DateTimeParser(settings.dateFormat);
    this.acceptDecimalComma = delimiter !== ',';
  }

  read({ line, fields }: CsvRecord): TargetRowResult {
    if (fields.length !== this.plan.columnCount) {
      const found = fields.length === 1 ? '1 field' : `${fields.length} fields`;
      return {
        kind: 'rejected',
        line,
        value: cut(fields.join(this.delimiter)),
        reason: `the row has ${found} but the header has ${this.plan.columnCount} columns`,
      };
    }
    // PostgreSQL text cannot hold U+0000, so such a row would fail its whole batch later.
    const withNul = fields.findIndex((field) => field.includes('\u0000'));
    if (withNul !== -1) {
      const column = this.plan.columnNames[withNul] ?? `column ${withNul + 1}`;
      return reject(line, column, fields[withNul].replaceAll('\u0000', '\\0'), 'contains a NUL character (U+0000), which is not accepted');
    }
    const columns = this.plan.targetColumns;

    const rawPhoneNumber = fields[columns.phoneNumber];
    const phoneNumber = normalisePhoneNumber(rawPhoneNumber, this.settings.defaultCountry);
    if (!phoneNumber.ok) {
      return reject(line, 'phoneNumber', rawPhoneNumber, phoneNumber.rule);
    }

    const rawTimeZone = cellAt(fields, columns.timeZone).trim();
    const timeZone = rawTimeZone === '' ? null : this.timeZones.canonical(rawTimeZone);
    if (rawTimeZone !== '' && timeZone === null) {
      return reject(line, 'timeZone', rawTimeZone, 'is not an IANA time zone such as Europe/Paris');
    }
    const zone = timeZone ?? this.settings.timeZone;

    const rawStartDate = cellAt(fields, columns.startDate);
    const startDate = this.dates.parse(rawStartDate, zone);
    if (startDate instanceof InvalidValue) {
      return reject(line, 'startDate', rawStartDate, startDate.rule);
    }

    const rawPriority = cellAt(fields, columns.priority);
    const priority = parsePriority(rawPriority);
    if (priority instanceof InvalidValue) {
      return reject(line, 'priority', rawPriority, priority.rule);
    }

    const rawInsertIfDuplicate = cellAt(fields, columns.insertIfDuplicate);
    const insertIfDuplicate = parseBoolean(rawInsertIfDuplicate, this.settings.insertIfDuplicate);
    if (insertIfDuplicate instanceof InvalidValue) {
      return reject(line, 'insertIfDuplicate', rawInsertIfDuplicate, insertIfDuplicate.rule);
    }

    const layoutValues: Record<string, LayoutValue> = {};
    const layoutRejection = this.readLayoutValues(line, fields, zone, layoutValues);
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
  private readLayoutValues(
    line: number,
    fields: readonly string[],
    zone: string,
    values: Record<string, LayoutValue>,
  ): RowRejection | null {
    for (const column of this.plan.layoutColumns) {
      const raw = fields[column.index];
      const value = this.readLayoutValue(column, raw, zone);
      if (value instanceof InvalidValue) {
        return reject(line, column.key, raw, value.rule);
      }
      values[column.key] = value;
    }
    return null;
  }

  private readLayoutValue(column: LayoutColumn, raw: string, zone: string): LayoutValue | InvalidValue {
    switch (column.type) {
      case 'number':
        return parseDecimal(raw, this.acceptDecimalComma);
      case 'date':
        return this.dates.parse(raw, zone);
      case 'string': {
        const text = raw.trim();
        return text === '' ? null : text;
      }
    }
  }
}

/** Returns the cell of an optional column; a missing column reads as an empty cell. */
function cellAt(fields: readonly string[], index: number): string {
  return index === -1 ? '' : fields[index];
}

function reject(line: number, field: string, raw: string, rule: string): RowRejection {
  const text = raw.trim();
  const reason = text === '' ? `${field} ${rule}` : `${field} '${cut(text)}' ${rule}`;
  return { kind: 'rejected', line, value: cut(raw), reason };
}

function cut(value: string): string {
  return value.length <= MAX_REJECTED_VALUE_LENGTH ? value : `${value.slice(0, MAX_REJECTED_VALUE_LENGTH - 1)}…`;
}
