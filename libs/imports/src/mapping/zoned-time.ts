import { wallTimeToInstant } from '@sms/domain';

const HOUR_MS = 3_600_000;
const SECOND_MS = 1000;

/** Cached hours across all zones before the cache is emptied; about 11 years of hours for one zone. */
const MAX_CACHED_HOURS = 100_000;

/**
 * Converts wall-clock times to instants in IANA time zones with the domain's rule (a skipped time
 * moves forward to the change, a repeated one takes its first occurrence), with zone offsets from
 * Intl cached per UTC hour. Asking Intl for every value (about 8 µs each, measured) halved the
 * import speed of a file of distinct start dates.
 */
export class ZonedTimeConverter {
  private readonly formatters = new Map<string, Intl.DateTimeFormat>();
  /** Offset in milliseconds per zone and UTC hour number; null when the offset changes within that hour. */
  private readonly hourOffsets = new Map<string, Map<number, number | null>>();
  private cachedHours = 0;

  /**
   * Returns the instant, in milliseconds since the epoch, at which clocks in `timeZone` show
   * `wallTime`.
   *
   * @param wallTime the wall-clock time as milliseconds since the epoch, read as if it were UTC.
   * @param timeZone a valid IANA name.
   */
  toInstant(wallTime: number, timeZone: string): number {
    return wallTimeToInstant(wallTime, (instant) => this.offsetAt(instant, timeZone));
  }

  /** Returns the zone's offset from UTC in milliseconds at the instant, positive east of UTC. */
  private offsetAt(instant: number, timeZone: string): number {
    let offsets = this.hourOffsets.get(timeZone);
    if (offsets === undefined) {
      offsets = new Map();
      this.hourOffsets.set(timeZone, offsets);
    }

    const hour = Math.floor(instant / HOUR_MS);
    let offset = offsets.get(hour);
    if (offset === undefined) {
      offset = this.hourOffset(hour, timeZone);
      this.remember(offsets, hour, offset);
    }
    return offset ?? this.exactOffset(instant, timeZone);
  }

  /**
   * Returns the offset that holds for the whole UTC hour, or null when the offsets at its first
   * and last second differ. This assumes that a zone never changes its offset twice within one
   * hour.
   */
  private hourOffset(hour: number, timeZone: string): number | null {
    const start = this.exactOffset(hour * HOUR_MS, timeZone);
    const end = this.exactOffset((hour + 1) * HOUR_MS - SECOND_MS, timeZone);
    return start === end ? start : null;
  }

  /** Returns the offset at the instant, truncated to the second, from the wall time Intl shows there. */
  private exactOffset(instant: number, timeZone: string): number {
    const second = Math.floor(instant / SECOND_MS) * SECOND_MS;
    const parts = this.formatter(timeZone).formatToParts(second);
    const field = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((part) => part.type === type)?.value);
    const wallTime = Date.UTC(field('year'), field('month') - 1, field('day'), field('hour'), field('minute'), field('second'));
    return wallTime - second;
  }

  private formatter(timeZone: string): Intl.DateTimeFormat {
    let formatter = this.formatters.get(timeZone);
    if (formatter === undefined) {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
      this.formatters.set(timeZone, formatter);
    }
    return formatter;
  }

  private remember(offsets: Map<number, number | null>, hour: number, offset: number | null): void {
    if (this.cachedHours >= MAX_CACHED_HOURS) {
      for (const zoneOffsets of this.hourOffsets.values()) {
        zoneOffsets.clear();
      }
      this.cachedHours = 0;
    }
    offsets.set(hour, offset);
    this.cachedHours++;
  }
}
