import Holidays from 'date-holidays';
import { FieldViolation } from '../shared/domain-error';
import { OffsetAt, wallTimeToInstant, zoneOffsetAt } from '../time/wall-time';

export type Weekday = 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT' | 'SUN';

/** Weekdays in the order of `Date.prototype.getUTCDay`, Sunday first. */
const WEEKDAYS: readonly Weekday[] = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** One opening range of a weekday, in local time: from `from` (included) to `to` (excluded, `24:00` allowed). */
export interface OpeningRange {
  readonly day: Weekday;
  readonly from: string;
  readonly to: string;
}

export interface CalendarRules {
  /** IANA zone in which the opening hours and closed dates are read. */
  readonly timeZone: string;
  readonly openingHours: readonly OpeningRange[];
  /** Local dates (`2026-12-25`) on which nothing is open. */
  readonly closedDates: readonly string[];
  /** ISO 3166-1 country whose public holidays are closed, moving feasts included; null for none. */
  readonly publicHolidays: string | null;
}

/** Days searched ahead for an open instant before concluding that the calendar never opens. */
const SEARCH_DAYS = 400;
const DAY_MS = 86_400_000;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/**
 * Earliest closed date accepted, because an earlier one such as 0000-01-01 is a typing mistake.
 * The four-digit year already stops at 9999-12-31.
 */
const FIRST_CLOSED_DATE = '1970-01-01';

/**
 * Returns the first instant at or after `after` (milliseconds since the epoch) at which the
 * calendar is open, or null when it opens on none of the next 400 days. Opening times that a
 * daylight-saving change skips move forward to the change; repeated ones take their first
 * occurrence.
 */
export function nextOpenInstant(rules: CalendarRules, after: number): number | null {
  const offsetAt = zoneOffsetAt(rules.timeZone);
  const firstDay = localDate(after, offsetAt);
  for (let day = 0; day < SEARCH_DAYS; day += 1) {
    const date = addDays(firstDay, day);
    if (isClosedDate(rules, date)) continue;

    for (const range of rangesOf(rules, date)) {
      const start = instantOf(date, range.from, offsetAt);
      const end = range.to === '24:00' ? instantOf(addDays(date, 1), '00:00', offsetAt) : instantOf(date, range.to, offsetAt);
      if (end <= after || start >= end) continue;
      return Math.max(start, after);
    }
  }
  return null;
}

/**
 * Returns the calendar's open intervals between `from` (included) and `to` (excluded), in
 * milliseconds since the epoch, oldest first, with touching intervals merged.
 */
export function openIntervals(rules: CalendarRules, from: number, to: number): Array<{ start: number; end: number }> {
  const offsetAt = zoneOffsetAt(rules.timeZone);
  const intervals: Array<{ start: number; end: number }> = [];
  const lastDay = addDays(localDate(to, offsetAt), 1);
  for (let date = addDays(localDate(from, offsetAt), -1); date <= lastDay; date = addDays(date, 1)) {
    if (isClosedDate(rules, date)) continue;

    for (const range of rangesOf(rules, date)) {
      const rangeEnd = range.to === '24:00' ? instantOf(addDays(date, 1), '00:00', offsetAt) : instantOf(date, range.to, offsetAt);
      const start = Math.max(instantOf(date, range.from, offsetAt), from);
      const end = Math.min(rangeEnd, to);
      if (start >= end) continue;
      const previous = intervals.at(-1);
      if (previous !== undefined && previous.end >= start) {
        previous.end = Math.max(previous.end, end);
      } else {
        intervals.push({ start, end });
      }
    }
  }
  return intervals;
}

/**
 * Returns `count` instants spread evenly over the open time of `intervals`: the first at the
 * first opening, then one every (open time / count) of open time, so none falls in a closed
 * period and the last comes one step before the end.
 */
export function spreadOverIntervals(intervals: ReadonlyArray<{ start: number; end: number }>, count: number): number[] {
  const total = intervals.reduce((sum, interval) => sum + interval.end - interval.start, 0);
  if (count > 0 && total <= 0) {
    throw new RangeError(`cannot spread ${count} instants over no open time`);
  }
  const step = count === 0 ? 0 : total / count;
  const instants: number[] = [];
  let index = 0;
  let elapsedBefore = 0;
  for (let position = 0; position < count; position += 1) {
    const offset = position * step;
    while (elapsedBefore + intervals[index].end - intervals[index].start <= offset) {
      elapsedBefore += intervals[index].end - intervals[index].start;
      index += 1;
    }
    instants.push(Math.floor(intervals[index].start + offset - elapsedBefore));
  }
  return instants;
}

export function isOpenAt(rules: CalendarRules, instant: number): boolean {
  return nextOpenInstant(rules, instant) === instant;
}

/** Lists what is wrong with calendar rules, each violation naming its field; empty when valid. */
export function calendarViolations(rules: CalendarRules): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (!isTimeZone(rules.timeZone)) {
    violations.push({ field: 'timeZone', value: rules.timeZone, rule: 'must be an IANA time zone such as Europe/Paris' });
  }
  rules.openingHours.forEach((range, index) => violations.push(...rangeViolations(range, `openingHours[${index}]`)));
  violations.push(...overlapViolations(rules.openingHours));
  violations.push(...closedDateViolations(rules.closedDates));
  if (rules.publicHolidays !== null && !(rules.publicHolidays in new Holidays().getCountries())) {
    violations.push({
      field: 'publicHolidays',
      value: rules.publicHolidays,
      rule: 'must be an ISO 3166-1 country with known public holidays, such as FR',
    });
  }
  return violations;
}

const MONDAY_TO_SATURDAY: readonly Weekday[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const EVERY_DAY: readonly Weekday[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

/** Sending-hour presets for promotional SMS. */
export const CALENDAR_PRESETS = {
  /**
   * The af2m charter's sending hours as its 2026 revision sets them: 08:00-21:30 on working days.
   * The af2m's Business Messaging charter (in force since 1 September 2024) limits sending to
   * "jours ouvrables", which French usage reads as Monday to Saturday except public holidays.
   */
  FR_AF2M_2026: (timeZone = 'Europe/Paris'): CalendarRules => weekly(timeZone, MONDAY_TO_SATURDAY, '08:00', '21:30', 'FR'),
  /** The rule many French operators enforce: Monday to Saturday 08:00-20:00, Sundays and public holidays closed. */
  FR_STRICT: (timeZone = 'Europe/Paris'): CalendarRules => weekly(timeZone, MONDAY_TO_SATURDAY, '08:00', '20:00', 'FR'),
  /** United States quiet hours: 08:00-21:00 every day, read in the recipient's own time zone. */
  US_RECIPIENT_HOURS: (recipientTimeZone: string): CalendarRules => weekly(recipientTimeZone, EVERY_DAY, '08:00', '21:00', null),
} as const;

export type CalendarPreset = keyof typeof CALENDAR_PRESETS;

function weekly(timeZone: string, days: readonly Weekday[], from: string, to: string, publicHolidays: string | null): CalendarRules {
  return { timeZone, openingHours: days.map((day) => ({ day, from, to })), closedDates: [], publicHolidays };
}

function rangesOf(rules: CalendarRules, date: string): OpeningRange[] {
  const weekday = WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()];
  return rules.openingHours.filter((range) => range.day === weekday).sort((a, b) => a.from.localeCompare(b.from));
}

function isClosedDate(rules: CalendarRules, date: string): boolean {
  return (
    rules.closedDates.includes(date) ||
    (rules.publicHolidays !== null && publicHolidaysOf(rules.publicHolidays, Number(date.slice(0, 4))).has(date))
  );
}

const holidayCache = new Map<string, ReadonlySet<string>>();

/** Local dates of a country's public holidays in a year, from the date-holidays data set. */
function publicHolidaysOf(country: string, year: number): ReadonlySet<string> {
  const key = `${country}:${year}`;
  let dates = holidayCache.get(key);
  if (dates === undefined) {
    const holidays = new Holidays(country).getHolidays(year);
    dates = new Set(holidays.filter((holiday) => holiday.type === 'public').map((holiday) => holiday.date.slice(0, 10)));
    holidayCache.set(key, dates);
  }
  return dates;
}

function instantOf(date: string, time: string, offsetAt: OffsetAt): number {
  return wallTimeToInstant(Date.parse(`${date}T${time}:00Z`), offsetAt);
}

function localDate(instant: number, offsetAt: OffsetAt): string {
  return new Date(instant + offsetAt(instant)).toISOString().slice(0, 10);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function rangeViolations(range: OpeningRange, field: string): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (!WEEKDAYS.includes(range.day))
    violations.push({ field: `${field}.day`, value: range.day, rule: 'must be one of MON, TUE, WED, THU, FRI, SAT, SUN' });
  if (!TIME.test(range.from))
    violations.push({ field: `${field}.from`, value: range.from, rule: 'must be a time HH:mm from 00:00 to 23:59' });
  if (!TIME.test(range.to) && range.to !== '24:00')
    violations.push({ field: `${field}.to`, value: range.to, rule: 'must be a time HH:mm from 00:01 to 24:00' });
  if (violations.length === 0 && range.from >= range.to)
    violations.push({ field: `${field}.to`, value: range.to, rule: `must be after from (${range.from})` });
  return violations;
}

function overlapViolations(ranges: readonly OpeningRange[]): FieldViolation[] {
  const violations: FieldViolation[] = [];
  ranges.forEach((range, index) => {
    const overlapping = ranges.findIndex(
      (other, otherIndex) => otherIndex < index && other.day === range.day && other.from < range.to && range.from < other.to,
    );
    if (overlapping !== -1) {
      violations.push({
        field: `openingHours[${index}]`,
        value: `${range.day} ${range.from}-${range.to}`,
        rule: `must not overlap openingHours[${overlapping}]`,
      });
    }
  });
  return violations;
}

function closedDateViolations(dates: readonly string[]): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const firstIndexOf = new Map<string, number>();
  dates.forEach((date, index) => {
    const field = `closedDates[${index}]`;
    const first = firstIndexOf.get(date);
    if (!isDate(date)) {
      violations.push({ field, value: date, rule: 'must be a date such as 2026-12-25' });
    } else if (date < FIRST_CLOSED_DATE) {
      violations.push({ field, value: date, rule: `must be a date from ${FIRST_CLOSED_DATE} to 9999-12-31` });
    } else if (first !== undefined) {
      violations.push({ field, value: date, rule: `must not repeat closedDates[${first}]` });
    } else {
      firstIndexOf.set(date, index);
    }
  });
  return violations;
}

/** Whether `value` is a calendar date `YYYY-MM-DD`; Date.parse alone would roll 2026-02-30 over to March. */
function isDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
