import { checkDateFormat, DateTimeParser } from './date-time-parser';
import { InvalidValue } from './field-parsers';

describe('DateTimeParser - ISO-8601', () => {
  it.each([
    ['2026-12-07T09:00', 'Europe/Paris', '2026-12-07T08:00:00.000Z'],
    ['2026-12-07T09:00', 'America/New_York', '2026-12-07T14:00:00.000Z'],
    ['2026-12-07T09:00', 'UTC', '2026-12-07T09:00:00.000Z'],
    ['2026-03-29T03:30', 'Europe/Paris', '2026-03-29T01:30:00.000Z'],
    ['2026-12-07T09:00:00+0100', 'America/New_York', '2026-12-07T08:00:00.000Z'],
    ['2026-12-07T09:00+01', 'America/New_York', '2026-12-07T08:00:00.000Z'],
    ['2028-02-29T10:00Z', 'Europe/Paris', '2028-02-29T10:00:00.000Z'],
  ])('reads %p in %p as %p', (text, timeZone, expected) => {
    expect(new DateTimeParser(undefined).parse(text, timeZone)).toBe(expected);
  });

  it.each([
    '2026-02-30T10:00',
    '2026-13-01',
    '2026-12-07T24:00',
    '2026-12-07T09:60',
    '2026-12-07T09:00+15:00',
    '2026-12-07Z',
    '20261207T0900',
    'tomorrow',
  ])('rejects %p', (text) => {
    expect(new DateTimeParser(undefined).parse(text, 'Europe/Paris')).toBeInstanceOf(InvalidValue);
  });

  it('returns null for a blank cell', () => {
    expect(new DateTimeParser(undefined).parse('  ', 'Europe/Paris')).toBeNull();
  });

  it('keeps cached results apart per time zone', () => {
    const parser = new DateTimeParser(undefined);

    expect(parser.parse('2026-12-07T09:00', 'Europe/Paris')).toBe('2026-12-07T08:00:00.000Z');
    expect(parser.parse('2026-12-07T09:00', 'Asia/Tokyo')).toBe('2026-12-07T00:00:00.000Z');
    expect(parser.parse('2026-12-07T09:00', 'Europe/Paris')).toBe('2026-12-07T08:00:00.000Z');
  });

  it('parses correctly after the cache fills', () => {
    const parser = new DateTimeParser(undefined);

    for (let minute = 0; minute < 12_000; minute++) {
      const hours = String(Math.floor(minute / 60) % 24).padStart(2, '0');
      const minutes = String(minute % 60).padStart(2, '0');
      parser.parse(`2026-12-07T${hours}:${minutes}`, 'UTC');
    }

    expect(parser.parse('2026-12-07T09:00', 'Europe/Paris')).toBe('2026-12-07T08:00:00.000Z');
  });
});

describe('DateTimeParser - date-fns pattern', () => {
  it('reads wall-clock time in the given time zone', () => {
    expect(new DateTimeParser('dd/MM/yyyy HH:mm').parse('07/12/2026 09:00', 'Europe/Paris')).toBe('2026-12-07T08:00:00.000Z');
  });

  it('reads a date-only pattern as midnight in the time zone', () => {
    expect(new DateTimeParser('dd/MM/yyyy').parse('07/12/2026', 'Europe/Paris')).toBe('2026-12-06T23:00:00.000Z');
  });

  it('takes the offset from a pattern with an offset token', () => {
    const parser = new DateTimeParser("yyyy-MM-dd'T'HH:mmXXX");

    expect(parser.parse('2026-12-07T09:00-05:00', 'Europe/Paris')).toBe('2026-12-07T14:00:00.000Z');
  });

  it('reads a quoted T as text', () => {
    expect(new DateTimeParser("yyyy-MM-dd'T'HH:mm").parse('2026-12-07T09:00', 'Europe/Paris')).toBe('2026-12-07T08:00:00.000Z');
  });

  it('names the pattern when a value does not match', () => {
    const result = new DateTimeParser('dd/MM/yyyy HH:mm').parse('32/12/2026 09:00', 'Europe/Paris');

    expect(result).toEqual(new InvalidValue('is not a valid date-time in the format dd/MM/yyyy HH:mm'));
  });
});

describe('checkDateFormat', () => {
  it.each(['dd/MM/yyyy HH:mm', 'yyyy-MM-dd', "dd.MM.yyyy 'at' HH:mm", 'MM/dd/yyyy hh:mm a'])('accepts %p', (format) => {
    expect(checkDateFormat(format)).toBeNull();
  });

  it('rejects a pattern with an unknown letter', () => {
    expect(checkDateFormat('dd/MM/yyyy foo')).toMatch(/^is not a valid date-fns pattern: /);
  });
});
