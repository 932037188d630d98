import { DomainError, wallTimeToInstant, zoneOffsetAt } from '@sms/domain';

const WITH_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?)?$/;

/**
 * Reads an API date-time and returns the instant as ISO-8601 UTC. With an offset or `Z` it is an
 * instant. Without one (`2026-12-07T09:00`) it is local time in `timeZone`, and a date alone means
 * midnight there. A local time skipped by a daylight-saving change moves forward to the change,
 * and a repeated one takes its first occurrence.
 */
export function toInstant(field: string, value: string, timeZone: string): string {
  if (WITH_OFFSET.test(value)) {
    const time = Date.parse(value);
    if (Number.isNaN(time)) {
      throw DomainError.invalid('REQUEST.INVALID_DATE', field, value, 'is not a valid ISO-8601 date-time');
    }
    return new Date(time).toISOString();
  }
  if (!LOCAL_DATE_TIME.test(value)) {
    throw DomainError.invalid(
      'REQUEST.INVALID_DATE',
      field,
      value,
      'must be an ISO-8601 date-time such as 2026-12-07T09:00 or 2026-12-07T08:00:00Z',
    );
  }
  const wallTime = Date.parse(value.length === 10 ? `${value}T00:00Z` : `${value}Z`);
  if (Number.isNaN(wallTime) || new Date(wallTime).toISOString().slice(0, 10) !== value.slice(0, 10)) {
    throw DomainError.invalid('REQUEST.INVALID_DATE', field, value, 'is not a valid date-time');
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
