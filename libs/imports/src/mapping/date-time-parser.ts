import { format as formatDate, isValid, parse } from 'date-fns';
import { InvalidValue } from './field-parsers';
import { ZonedTimeConverter } from './zoned-time';

/**
 * The ISO-8601 forms accepted by default. A calendar date may be followed by `T` or a space and a
 * time of hours and minutes, with optional seconds and fraction. The time may end in `Z` or in an
 * offset of at most 14 hours (`+01:00`, `+0100`, `+01`). The end-of-day hour 24 is not accepted.
 */
const ISO_DATE_TIME = new RegExp(
  '^(?<year>\\d{4})-(?<month>\\d{2})-(?<day>\\d{2})' +
    '(?:[T ](?<hour>[01]\\d|2[0-3]):(?<minute>[0-5]\\d)(?::(?<second>[0-5]\\d)(?:\\.(?<fraction>\\d{1,9}))?)?' +
    '(?<offset>Z|(?<offsetSign>[+-])(?<offsetHours>0\\d|1[0-4])(?::?(?<offsetMinutes>[0-5]\\d))?)?)?$',
);

const MINUTE_MS = 60_000;

const ISO_RULE = 'is not a valid ISO-8601 date-time (expected a form such as 2026-12-07T09:00 or 2026-12-07T09:00:00+01:00)';

/** Import files repeat the same few start dates, so results are kept up to this many distinct cells. */
const CACHE_LIMIT = 10_000;

/** Fixed reference for `parse`: fields missing from the pattern (the year of 'dd/MM HH:mm') come from it. */
const REFERENCE_DATE = new Date(2000, 0, 1);

/** date-fns parse tokens that give an instant by themselves: offsets (X, x) and timestamps (t, T). */
const INSTANT_TOKENS = /[XxTt]/;
/** date-fns parse tokens of an hour. */
const HOUR_TOKENS = /[HhKk]/;
const QUOTED_TEXT = /'[^']*'/g;

/**
 * Parses date-time cells into ISO-8601 instants (UTC, with milliseconds). A value with an offset
 * or `Z` is that instant. A value without one is wall-clock time in the time zone given per call,
 * converted with that zone's rules at that date, daylight saving included. Results are cached per
 * distinct (time zone, cell) pair.
 */
export class DateTimeParser {
  /** Results per time zone, then per trimmed cell; nested so that a lookup builds no key string. */
  private readonly cache = new Map<string, Map<string, string | InvalidValue>>();
  private cachedCount = 0;
  private readonly zonedTime = new ZonedTimeConverter();
  private readonly formatGivesInstant: boolean;

  /** @param format date-fns `parse` pattern; undefined selects ISO-8601. Check it first with {@link checkDateFormat}. */
  constructor(private readonly format: string | undefined) {
    this.formatGivesInstant = format !== undefined && INSTANT_TOKENS.test(format.replace(QUOTED_TEXT, ''));
  }

  /** Returns the instant as an ISO string, null for an empty cell, or the rule the cell breaks. */
  parse(raw: string, timeZone: string): string | null | InvalidValue {
    const text = raw.trim();
    if (text === '') {
      return null;
    }

    let results = this.cache.get(timeZone);
    if (results === undefined) {
      results = new Map();
      this.cache.set(timeZone, results);
    }
    let result = results.get(text);
    if (result === undefined) {
      result = this.format === undefined ? this.parseIso(text, timeZone) : this.parseWithFormat(text, this.format, timeZone);
      this.remember(results, text, result);
    }
    return result;
  }

  /**
   * Reads the value of a `date` layout field. Without a format, the text is kept as the file gives
   * it, because a template shows the date as written and the layout rules check its ISO-8601 form.
   * With a format, the value becomes the ISO-8601 text the single add accepts. That is
   * `2026-12-31` when the format has no hour, and `2026-12-31T09:00:00` (wall-clock time, no zone)
   * when it has one. A format with an offset or a timestamp gives the UTC instant. Returns null
   * for an empty cell.
   */
  parseLayoutDate(raw: string): string | null | InvalidValue {
    const text = raw.trim();
    if (text === '' || this.format === undefined) {
      return text === '' ? null : text;
    }
    const parsed = parse(text, this.format, REFERENCE_DATE);
    if (!isValid(parsed)) {
      return new InvalidValue(`is not a valid date in the format ${this.format}`);
    }
    if (this.formatGivesInstant) {
      return parsed.toISOString();
    }
    const hasHour = HOUR_TOKENS.test(this.format.replace(QUOTED_TEXT, ''));
    return formatDate(parsed, hasHour ? "yyyy-MM-dd'T'HH:mm:ss" : 'yyyy-MM-dd');
  }

  private remember(results: Map<string, string | InvalidValue>, text: string, result: string | InvalidValue): void {
    if (this.cachedCount >= CACHE_LIMIT) {
      for (const zoneResults of this.cache.values()) {
        zoneResults.clear();
      }
      this.cachedCount = 0;
    }
    results.set(text, result);
    this.cachedCount++;
  }

  private parseIso(text: string, timeZone: string): string | InvalidValue {
    const parts = ISO_DATE_TIME.exec(text)?.groups;
    const wallTime = parts === undefined ? NaN : isoWallTime(parts);
    if (parts === undefined || Number.isNaN(wallTime)) {
      return new InvalidValue(ISO_RULE);
    }

    const instant = parts.offset === undefined ? this.zonedTime.toInstant(wallTime, timeZone) : wallTime - isoOffset(parts);
    return new Date(instant).toISOString();
  }

  private parseWithFormat(text: string, format: string, timeZone: string): string | InvalidValue {
    // NOTE: date-fns `parse` builds the wall-clock time in the process time zone. A time that
    // does not exist there (inside a spring-forward gap) comes out one gap later, so run the
    // process in UTC, which has no gaps. The ISO path does not have this problem.
    const parsed = parse(text, format, REFERENCE_DATE);
    if (!isValid(parsed)) {
      return new InvalidValue(`is not a valid date-time in the format ${format}`);
    }
    if (this.formatGivesInstant) {
      return parsed.toISOString();
    }

    const wallTime = Date.UTC(
      parsed.getFullYear(),
      parsed.getMonth(),
      parsed.getDate(),
      parsed.getHours(),
      parsed.getMinutes(),
      parsed.getSeconds(),
      parsed.getMilliseconds(),
    );
    return new Date(this.zonedTime.toInstant(wallTime, timeZone)).toISOString();
  }
}

/**
 * Returns the rule a date-fns pattern breaks, or null when `parse` can read back what `format`
 * writes with it. Checked once per import, because `parse` only reports some pattern errors
 * when it meets the bad token in a value.
 */
export function checkDateFormat(format: string): string | null {
  try {
    const sample = formatDate(REFERENCE_DATE, format);
    return isValid(parse(sample, format, REFERENCE_DATE)) ? null : 'cannot be read back by date-fns parse';
  } catch (error: unknown) {
    if (error instanceof RangeError) {
      return `is not a valid date-fns pattern: ${error.message}`;
    }
    throw error;
  }
}

type IsoParts = Record<string, string | undefined>;

/** Returns the wall-clock time as milliseconds read as UTC, or NaN for an impossible date such as 2026-02-30. */
function isoWallTime(parts: IsoParts): number {
  const year = Number(parts.year);
  const month = Number(parts.month) - 1;
  const day = Number(parts.day);
  const milliseconds = Number((parts.fraction ?? '').padEnd(3, '0').slice(0, 3));
  const date = new Date(
    Date.UTC(year, month, day, Number(parts.hour ?? 0), Number(parts.minute ?? 0), Number(parts.second ?? 0), milliseconds),
  );

  // Date.UTC rolls an out-of-range day into the next month and maps years 0-99 to 1900-1999.
  const sameDate = date.getUTCFullYear() === year && date.getUTCMonth() === month && date.getUTCDate() === day;
  return sameDate ? date.getTime() : NaN;
}

/** Returns the offset in milliseconds, positive east of UTC. */
function isoOffset(parts: IsoParts): number {
  if (parts.offset === 'Z') {
    return 0;
  }
  const offset = (Number(parts.offsetHours) * 60 + Number(parts.offsetMinutes ?? 0)) * MINUTE_MS;
  return parts.offsetSign === '-' ? -offset : offset;
}
