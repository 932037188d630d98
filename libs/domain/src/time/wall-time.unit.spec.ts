import { wallTimeToInstant, zoneOffsetAt } from './wall-time';

const at = (wall: string, zone: string) => new Date(wallTimeToInstant(Date.parse(`${wall}Z`), zoneOffsetAt(zone))).toISOString();

describe('wallTimeToInstant', () => {
  it.each([
    ['2026-12-07T09:00:00', 'Europe/Paris', '2026-12-07T08:00:00.000Z'],
    ['2026-07-07T09:00:00', 'Europe/Paris', '2026-07-07T07:00:00.000Z'],
    ['2027-03-28T01:59:59', 'Europe/Paris', '2027-03-28T00:59:59.000Z'],
    ['2027-03-28T03:00:00', 'Europe/Paris', '2027-03-28T01:00:00.000Z'],
    ['2026-12-07T09:00:00', 'Asia/Kolkata', '2026-12-07T03:30:00.000Z'],
    ['2026-12-07T09:00:00', 'UTC', '2026-12-07T09:00:00.000Z'],
    ['2026-12-07T09:00:00.250', 'America/New_York', '2026-12-07T14:00:00.250Z'],
  ])('reads %s in %s as %s', (wall, zone, instant) => {
    expect(at(wall, zone)).toBe(instant);
  });

  it('moves a skipped Paris time forward to the change', () => {
    expect(at('2027-03-28T02:30:00', 'Europe/Paris')).toBe('2027-03-28T01:00:00.000Z');
  });

  it('takes the first occurrence of a repeated Paris time', () => {
    expect(at('2027-10-31T02:30:00', 'Europe/Paris')).toBe('2027-10-31T00:30:00.000Z');
  });

  it('moves a skipped New York time forward to the change', () => {
    expect(at('2027-03-14T02:15:00', 'America/New_York')).toBe('2027-03-14T07:00:00.000Z');
  });

  it('takes the first occurrence of a repeated New York time', () => {
    expect(at('2027-11-07T01:30:00', 'America/New_York')).toBe('2027-11-07T05:30:00.000Z');
  });

  it('handles a zone with a 30-minute change', () => {
    // Lord Howe Island moves by 30 minutes: 02:00 becomes 02:30 on the first Sunday of October.
    expect(at('2026-10-04T02:10:00', 'Australia/Lord_Howe')).toBe('2026-10-03T15:30:00.000Z');
  });
});
