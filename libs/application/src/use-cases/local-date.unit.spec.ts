import { DomainError } from '@sms/domain';
import { toInstant } from './local-date';

function rejection(value: string): DomainError {
  try {
    toInstant('after', value, 'Europe/Paris');
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error(`toInstant accepted '${value}'`);
}

describe('toInstant with an offset', () => {
  it.each([
    ['2026-12-07T08:00:00Z', '2026-12-07T08:00:00.000Z'],
    ['2026-12-07T09:00:00+01:00', '2026-12-07T08:00:00.000Z'],
    ['2026-12-07T03:00-0500', '2026-12-07T08:00:00.000Z'],
    ['2026-12-07T13:30:00.250+05:30', '2026-12-07T08:00:00.250Z'],
    ['2026-12-07t08:00:00.123456z', '2026-12-07T08:00:00.123Z'],
    ['2026-12-07 08:00:00Z', '2026-12-07T08:00:00.000Z'],
    ['2028-02-29T23:59:59Z', '2028-02-29T23:59:59.000Z'],
    ['2026-12-31T23:30:00-01:00', '2027-01-01T00:30:00.000Z'],
  ])('reads %s as %s', (value, expected) => {
    expect(toInstant('after', value, 'Europe/Paris')).toBe(expected);
  });

  it.each([
    ['2025-02-30T00:00:00Z', 'has day 30, but 2025-02 has 28 days'],
    ['2025-02-29T00:00:00Z', 'has day 29, but 2025-02 has 28 days'],
    ['2025-04-31T10:00:00+02:00', 'has day 31, but 2025-04 has 30 days'],
    ['2025-04-00T10:00:00Z', 'has day 00, but 2025-04 has 30 days'],
    ['2025-13-01T00:00:00Z', 'has month 13, but months run from 01 to 12'],
    ['2025-00-10T00:00:00Z', 'has month 00, but months run from 01 to 12'],
    ['2025-03-29T24:00:00Z', expect.stringContaining('has hour 24, but hours run from 00 to 23')],
    ['2025-03-29T23:60:00Z', 'has minute 60, but minutes run from 00 to 59'],
    ['2025-03-29T23:59:60Z', 'has second 60, but seconds run from 00 to 59'],
    ['2025-03-29T10:00:00+24:00', 'has offset +24:00, but offsets run from -23:59 to +23:59'],
  ])('rejects %s naming the field out of range', (value, rule) => {
    const error = rejection(value);

    expect(error.code).toBe('REQUEST.INVALID_DATE');
    expect(error.details).toEqual([{ field: 'after', value, rule }]);
  });

  it.each(['March 7 2025 10:00 +0100', '2025-03-07T10:00:00 Z', '2025-3-7T10:00:00Z', '+002025-03-07T10:00:00Z', '2025-03-07Z'])(
    'rejects %s as not ISO-8601',
    (value) => {
      expect(rejection(value).details).toEqual([{ field: 'after', value, rule: expect.stringContaining('must be an ISO-8601 date-time') }]);
    },
  );
});

describe('toInstant without an offset', () => {
  it('reads a local date-time in the time zone', () => {
    expect(toInstant('startDate', '2026-12-07T09:00', 'Europe/Paris')).toBe('2026-12-07T08:00:00.000Z');
  });

  it('reads a date alone as local midnight', () => {
    expect(toInstant('startDate', '2026-07-01', 'Europe/Paris')).toBe('2026-06-30T22:00:00.000Z');
  });

  it('moves a time skipped in spring forward to the change', () => {
    expect(toInstant('startDate', '2027-03-28T02:30', 'Europe/Paris')).toBe('2027-03-28T01:00:00.000Z');
  });

  it.each([
    ['2025-02-30T09:00', 'has day 30, but 2025-02 has 28 days'],
    ['2025-02-30', 'has day 30, but 2025-02 has 28 days'],
    ['2025-03-29T24:00', expect.stringContaining('has hour 24')],
  ])('rejects %s naming the field out of range', (value, rule) => {
    expect(rejection(value).details).toEqual([{ field: 'after', value, rule }]);
  });

  it('rejects garbage as not ISO-8601', () => {
    expect(rejection('garbage').details).toEqual([{ field: 'after', value: 'garbage', rule: expect.stringContaining('ISO-8601') }]);
  });
});
