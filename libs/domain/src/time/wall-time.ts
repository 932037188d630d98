/** Offset of a time zone from UTC at an instant, in milliseconds, positive east of UTC. */
export type OffsetAt = (instant: number) => number;

const DAY_MS = 86_400_000;
const SECOND_MS = 1_000;

/**
 * Returns the instant at which clocks governed by `offsetAt` show `wallTime` (a wall-clock time
 * in milliseconds since the epoch, read as if it were UTC). A wall time that a daylight-saving
 * change skips moves forward to the first valid instant, which is the change itself. A wall time
 * that occurs twice takes its first occurrence.
 *
 * NOTE: the offsets a day before and a day after `wallTime` are taken as the only candidates, so
 * a zone that changed its offset twice within two days would be resolved with one of them.
 */
export function wallTimeToInstant(wallTime: number, offsetAt: OffsetAt): number {
  const before = offsetAt(wallTime - DAY_MS);
  const after = offsetAt(wallTime + DAY_MS);
  const valid = [wallTime - before, wallTime - after].filter((instant) => offsetAt(instant) === wallTime - instant);
  if (valid.length > 0) {
    return Math.min(...valid);
  }
  return firstInstantWithOffset(wallTime - after, wallTime - before, after, offsetAt);
}

/** Binary search, to the second, for the first instant in [from, to] at which the offset is `offset`. */
function firstInstantWithOffset(from: number, to: number, offset: number, offsetAt: OffsetAt): number {
  let low = Math.floor(from / SECOND_MS);
  let high = Math.ceil(to / SECOND_MS);
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (offsetAt(middle * SECOND_MS) === offset) {
      high = middle;
    } else {
      low = middle;
    }
  }
  return high * SECOND_MS;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The offset function of an IANA time zone, from the runtime's time zone data. */
export function zoneOffsetAt(timeZone: string): OffsetAt {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  const zoneFormatter = formatter;
  return (instant) => {
    const parts: Record<string, number> = {};
    for (const part of zoneFormatter.formatToParts(new Date(instant))) {
      if (part.type !== 'literal') parts[part.type] = Number(part.value);
    }
    const shown = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
    return shown - Math.floor(instant / SECOND_MS) * SECOND_MS;
  };
}
