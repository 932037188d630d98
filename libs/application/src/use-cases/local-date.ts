import { DomainError, wallTimeToInstant, zoneOffsetAt } from '@sms/domain';

/** A date-time with an offset or `Z`: date, time, optional seconds and fraction, offset. */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
/** A local date-time, or a date alone, without an offset. */
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?)?$/;
const FORMAT_RULE = 'must be an ISO-8601 date-time such as 2026-12-07T09:00 or 2026-12-07T08:00:00Z';
const MINUTE_MS = 60_000;

/**
 * Reads an API date-time and returns the instant as ISO-8601 UTC. With an offset or `Z` it is an
 * instant. Without one (`2026-12-07T09:00`) it is local time in `timeZone`, and a date alone means
 * midnight there. A local time skipped by a daylight-saving change moves forward to the change,
 * and a repeated one takes its first occurrence. Each field is checked against its range, because
 * Date.parse rolls `2025-02-30` over to March and reads `24:00` as the next midnight.
 */
export function toInstant(field: string, value: string, timeZone: string): string {
  const instant = INSTANT.exec(value);
  const local = instant === null ? LOCAL_DATE_TIME.exec(value) : null;
  const match = instant ?? local;
  if (match === null) {
    throw DomainError.invalid('REQUEST.INVALID_DATE', field, value, FORMAT_RULE);
  }

  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', offset = 'Z'] = match;
  const rule = fieldRangeRule({ year, month, day, hour, minute, second }) ?? offsetRule(offset);
  if (rule !== undefined) {
    throw DomainError.invalid('REQUEST.INVALID_DATE', field, value, rule);
  }

  const wallTime = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${fraction}Z`);
  if (instant !== null) {
    return new Date(wallTime - offsetMinutes(offset) * MINUTE_MS).toISOString();
  }
  return new Date(wallTimeToInstant(wallTime, zoneOffsetAt(timeZone))).toISOString();
}

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

interface DateTimeFields {
  readonly year: string;
  readonly month: string;
  readonly day: string;
  readonly hour: string;
  readonly minute: string;
  readonly second: string;
}

/** Returns the rule that the first field out of its range breaks, or undefined when all are in range. */
function fieldRangeRule(fields: DateTimeFields): string | undefined {
  const month = Number(fields.month);
  if (month < 1 || month > 12) {
    return `has month ${fields.month}, but months run from 01 to 12`;
  }
  const days = daysInMonth(Number(fields.year), month);
  const day = Number(fields.day);
  if (day < 1 || day > days) {
    return `has day ${fields.day}, but ${fields.year}-${fields.month} has ${days} days`;
  }
  if (Number(fields.hour) > 23) {
    return `has hour ${fields.hour}, but hours run from 00 to 23 (write midnight at the end of a day as 00:00 of the next day)`;
  }
  if (Number(fields.minute) > 59) {
    return `has minute ${fields.minute}, but minutes run from 00 to 59`;
  }
  if (Number(fields.second) > 59) {
    return `has second ${fields.second}, but seconds run from 00 to 59`;
  }
  return undefined;
}

function offsetRule(offset: string): string | undefined {
  if (/^z$/i.test(offset)) {
    return undefined;
  }
  const hours = Number(offset.slice(1, 3));
  const minutes = Number(offset.slice(-2));
  return hours > 23 || minutes > 59 ? `has offset ${offset}, but offsets run from -23:59 to +23:59` : undefined;
}

/** Minutes east of UTC of an offset such as `+05:30`, `-0800` or `Z`. */
function offsetMinutes(offset: string): number {
  if (/^z$/i.test(offset)) {
    return 0;
  }
  const sign = offset.startsWith('-') ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(-2)));
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    return isLeapYear(year) ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
