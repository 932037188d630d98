import { wallTimeToInstant, zoneOffsetAt } from '@sms/domain';
import { ZonedTimeConverter } from './zoned-time';

const QUARTER_HOUR_MS = 15 * 60_000;
const DAY_MS = 24 * 3_600_000;

function wallTime(text: string): number {
  return Date.parse(`${text}Z`);
}

/** Resolves a wall time with the domain's resolver over offsets read from Intl each time, without the cache. */
function expectedInstant(wall: number, timeZone: string): number {
  return wallTimeToInstant(wall, zoneOffsetAt(timeZone));
}

describe('ZonedTimeConverter', () => {
  it.each([
    ['2026-12-07T09:00', 'Europe/Paris', '2026-12-07T08:00:00.000Z'],
    ['2026-07-07T09:00', 'Europe/Paris', '2026-07-07T07:00:00.000Z'],
    ['2026-12-07T09:00', 'Asia/Kathmandu', '2026-12-07T03:15:00.000Z'],
    ['2026-12-07T09:00', 'Pacific/Chatham', '2026-12-06T19:15:00.000Z'],
    ['2026-12-07T09:00', 'UTC', '2026-12-07T09:00:00.000Z'],
  ])('converts %p in %p to %p', (wall, timeZone, expected) => {
    expect(new Date(new ZonedTimeConverter().toInstant(wallTime(wall), timeZone)).toISOString()).toBe(expected);
  });

  // Days around the 2026 transitions: whole-hour shifts, a 30-minute shift (Lord Howe), and
  // zones whose transition falls inside a UTC hour (Adelaide +09:30, Chatham +12:45).
  it.each([
    ['Europe/Paris', '2026-03-29'],
    ['Europe/Paris', '2026-10-25'],
    ['America/New_York', '2026-03-08'],
    ['America/New_York', '2026-11-01'],
    ['Australia/Adelaide', '2026-04-05'],
    ['Australia/Adelaide', '2026-10-04'],
    ['Australia/Lord_Howe', '2026-04-05'],
    ['Australia/Lord_Howe', '2026-10-04'],
    ['Pacific/Chatham', '2026-04-05'],
    ['Pacific/Chatham', '2026-09-27'],
  ])('matches the uncached resolver in %p around %p', (timeZone, day) => {
    const converter = new ZonedTimeConverter();
    const first = wallTime(`${day}T00:00`) - DAY_MS;

    for (let wall = first; wall < first + 3 * DAY_MS; wall += QUARTER_HOUR_MS) {
      const text = new Date(wall).toISOString();
      expect([text, converter.toInstant(wall, timeZone)]).toEqual([text, expectedInstant(wall, timeZone)]);
    }
  });

  it.each([
    // Repeated wall times take their first occurrence; skipped ones move forward to the change.
    ['2026-10-25T02:30', 'Europe/Paris', '2026-10-25T00:30:00.000Z'],
    ['2026-11-01T01:30', 'America/New_York', '2026-11-01T05:30:00.000Z'],
    ['2026-03-29T02:30', 'Europe/Paris', '2026-03-29T01:00:00.000Z'],
    ['2026-03-08T02:30', 'America/New_York', '2026-03-08T07:00:00.000Z'],
  ])('resolves the transition wall time %p in %p to %p', (wall, timeZone, expected) => {
    expect(new Date(new ZonedTimeConverter().toInstant(wallTime(wall), timeZone)).toISOString()).toBe(expected);
  });

  it('matches the uncached resolver every hour of a year', () => {
    const converter = new ZonedTimeConverter();
    const first = wallTime('2026-01-01T00:00');

    for (let wall = first; wall < first + 365 * DAY_MS; wall += 3_600_000 + 7 * 60_000) {
      const text = new Date(wall).toISOString();
      expect([text, converter.toInstant(wall, 'America/Sao_Paulo')]).toEqual([text, expectedInstant(wall, 'America/Sao_Paulo')]);
      expect([text, converter.toInstant(wall, 'Europe/London')]).toEqual([text, expectedInstant(wall, 'Europe/London')]);
    }
  });
});
