import {
  canonicalTimeZone,
  InvalidValue,
  parseBoolean,
  parseDecimal,
  parsePriority,
  stripTextMarker,
  TimeZoneNames,
} from './field-parsers';

describe('parseDecimal', () => {
  it.each([
    ['40', true, 40],
    ['40,0', true, 40],
    ['-1,25', true, -1.25],
    ['+3.5', true, 3.5],
    [' 12.75 ', false, 12.75],
    ['', false, null],
  ])('reads %p (decimal comma %p) as %p', (text, acceptDecimalComma, expected) => {
    expect(parseDecimal(text, acceptDecimalComma)).toBe(expected);
  });

  it.each([
    ['40,5', false],
    ['1 234,5', true],
    ['1,234.5', true],
    ['12.', true],
    ['1e3', true],
    ['abc', true],
  ])('rejects %p (decimal comma %p)', (text, acceptDecimalComma) => {
    expect(parseDecimal(text, acceptDecimalComma)).toBeInstanceOf(InvalidValue);
  });
});

describe('parsePriority', () => {
  it('reads the integers 1 to 10', () => {
    for (let priority = 1; priority <= 10; priority++) {
      expect(parsePriority(String(priority))).toBe(priority);
    }
  });

  it.each(['0', '11', '-1', '5.0', '1e1', '100'])('rejects %p', (text) => {
    expect(parsePriority(text)).toEqual(new InvalidValue('must be an integer from 1 to 10'));
  });
});

describe('parseBoolean', () => {
  it.each(['true', ' true '])('reads %p as true', (text) => {
    expect(parseBoolean(text, false)).toBe(true);
  });

  it.each(['false', 'false '])('reads %p as false', (text) => {
    expect(parseBoolean(text, true)).toBe(false);
  });

  it.each(['', '  '])('reads %p as the default', (text) => {
    expect(parseBoolean(text, true)).toBe(true);
  });

  it.each(['yes', 'no', '1', '0', 'TRUE', 'False', 'maybe', 'oui'])('rejects %p as the query parameter does', (text) => {
    expect(parseBoolean(text, false)).toBeInstanceOf(InvalidValue);
  });
});

describe('canonicalTimeZone', () => {
  it.each([
    ['Europe/Paris', 'Europe/Paris'],
    ['europe/paris', 'Europe/Paris'],
    ['UTC', 'UTC'],
    ['Mars/Olympus', null],
    ['', null],
  ])('resolves %p to %p', (name, expected) => {
    expect(canonicalTimeZone(name)).toBe(expected);
  });

  it('caches resolved names', () => {
    const names = new TimeZoneNames();

    expect(names.canonical('asia/tokyo')).toBe('Asia/Tokyo');
    expect(names.canonical('asia/tokyo')).toBe('Asia/Tokyo');
    expect(names.canonical('Nowhere/Land')).toBeNull();
  });
});

describe('stripTextMarker', () => {
  it.each([
    ["'+33612345678", '+33612345678'],
    [" '0612345678", '0612345678'],
    ["''+33612345678", "'+33612345678"],
    ['+33612345678', '+33612345678'],
    ['', ''],
  ])('reads %p as %p', (text, expected) => {
    expect(stripTextMarker(text)).toBe(expected);
  });
});
