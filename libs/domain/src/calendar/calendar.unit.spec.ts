import {
  CALENDAR_PRESETS,
  calendarViolations,
  CalendarRules,
  isOpenAt,
  nextOpenInstant,
  openIntervals,
  spreadOverIntervals,
  Weekday,
} from './calendar';

const WEEKDAYS_MON_SAT: Weekday[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function weekly(timeZone: string, days: Weekday[], from: string, to: string, extra: Partial<CalendarRules> = {}): CalendarRules {
  return { timeZone, openingHours: days.map((day) => ({ day, from, to })), closedDates: [], publicHolidays: null, ...extra };
}

function next(rules: CalendarRules, after: string): string | null {
  const instant = nextOpenInstant(rules, Date.parse(after));
  return instant === null ? null : new Date(instant).toISOString();
}

describe('nextOpenInstant', () => {
  const parisOffice = weekly('Europe/Paris', WEEKDAYS_MON_SAT, '09:00', '18:00');

  it('skips Sunday across the spring change in Paris', () => {
    expect(next(parisOffice, '2025-03-29T17:30:00Z')).toBe('2025-03-31T07:00:00.000Z');
  });

  it('returns the instant itself while open', () => {
    expect(next(parisOffice, '2025-03-28T10:15:00Z')).toBe('2025-03-28T10:15:00.000Z');
    expect(isOpenAt(parisOffice, Date.parse('2025-03-28T10:15:00Z'))).toBe(true);
  });

  it('treats the closing time as closed', () => {
    expect(next(parisOffice, '2025-03-28T17:00:00Z')).toBe('2025-03-29T08:00:00.000Z');
  });

  it('crosses the autumn change in Paris', () => {
    // Saturday 2025-10-25 after closing; Monday 09:00 is CET (+01:00) again.
    expect(next(parisOffice, '2025-10-25T16:30:00Z')).toBe('2025-10-27T08:00:00.000Z');
  });

  it('moves an opening inside the spring gap forward to the change', () => {
    const night = weekly('Europe/Paris', ['SUN'], '02:30', '05:00');
    expect(next(night, '2027-03-27T12:00:00Z')).toBe('2027-03-28T01:00:00.000Z');
  });

  it('opens at the first occurrence of a repeated autumn time', () => {
    const night = weekly('Europe/Paris', ['SUN'], '02:30', '05:00');
    expect(next(night, '2027-10-30T12:00:00Z')).toBe('2027-10-31T00:30:00.000Z');
  });

  it('crosses both changes in New York', () => {
    const office = weekly('America/New_York', ['MON', 'TUE', 'WED', 'THU', 'FRI'], '09:00', '17:00');
    expect(next(office, '2026-03-06T23:00:00Z')).toBe('2026-03-09T13:00:00.000Z');
    expect(next(office, '2026-10-30T22:00:00Z')).toBe('2026-11-02T14:00:00.000Z');
  });

  it('keeps the same offset all year in a zone without daylight saving', () => {
    const office = weekly('Asia/Kolkata', WEEKDAYS_MON_SAT, '10:00', '19:00');
    expect(next(office, '2026-03-28T14:00:00Z')).toBe('2026-03-30T04:30:00.000Z');
    expect(next(office, '2026-10-24T14:00:00Z')).toBe('2026-10-26T04:30:00.000Z');
  });

  it('uses every range of a day in order', () => {
    const split: CalendarRules = {
      timeZone: 'Europe/Paris',
      openingHours: [
        { day: 'MON', from: '14:00', to: '18:00' },
        { day: 'MON', from: '09:00', to: '12:00' },
      ],
      closedDates: [],
      publicHolidays: null,
    };
    expect(next(split, '2026-12-07T06:00:00Z')).toBe('2026-12-07T08:00:00.000Z');
    expect(next(split, '2026-12-07T11:30:00Z')).toBe('2026-12-07T13:00:00.000Z');
  });

  it('skips closed dates', () => {
    const rules = weekly('Europe/Paris', WEEKDAYS_MON_SAT, '09:00', '18:00', { closedDates: ['2026-12-24', '2026-12-26'] });
    expect(next(rules, '2026-12-23T18:00:00Z')).toBe('2026-12-25T08:00:00.000Z');
  });

  it('reads 24:00 as the next midnight', () => {
    const evening = weekly('Europe/Paris', ['FRI'], '20:00', '24:00');
    expect(isOpenAt(evening, Date.parse('2026-12-04T22:59:00Z'))).toBe(true);
    expect(isOpenAt(evening, Date.parse('2026-12-04T23:00:00Z'))).toBe(false);
  });

  it('returns null for a calendar that never opens', () => {
    expect(next(weekly('Europe/Paris', [], '09:00', '18:00'), '2026-12-04T12:00:00Z')).toBeNull();
  });
});

describe('calendar presets', () => {
  it('closes the strict French hours on Whit Monday, a moving feast', () => {
    // Whit Monday 2026 is 25 May; sending resumes Tuesday at 08:00 Paris time.
    expect(next(CALENDAR_PRESETS.FR_STRICT(), '2026-05-23T18:30:00Z')).toBe('2026-05-26T06:00:00.000Z');
  });

  it('closes the strict French hours at 20:00 and on Sunday', () => {
    expect(next(CALENDAR_PRESETS.FR_STRICT(), '2026-12-05T19:00:00Z')).toBe('2026-12-07T07:00:00.000Z');
  });

  it('keeps the af2m charter open until 21:30', () => {
    expect(isOpenAt(CALENDAR_PRESETS.FR_AF2M_2026(), Date.parse('2026-12-07T20:29:00Z'))).toBe(true);
    expect(isOpenAt(CALENDAR_PRESETS.FR_AF2M_2026(), Date.parse('2026-12-07T20:30:00Z'))).toBe(false);
  });

  it('reads the US hours in the recipient zone', () => {
    const losAngeles = CALENDAR_PRESETS.US_RECIPIENT_HOURS('America/Los_Angeles');
    expect(next(losAngeles, '2026-12-07T05:30:00Z')).toBe('2026-12-07T16:00:00.000Z');
  });
});

describe('calendarViolations', () => {
  it('accepts a valid calendar', () => {
    expect(calendarViolations(CALENDAR_PRESETS.FR_STRICT())).toEqual([]);
  });

  it('names each invalid field', () => {
    const violations = calendarViolations({
      timeZone: 'Mars/Olympus',
      openingHours: [
        { day: 'MON', from: '18:00', to: '09:00' },
        { day: 'TUE', from: '9h', to: '25:00' },
        { day: 'WED', from: '09:00', to: '12:00' },
        { day: 'WED', from: '11:00', to: '14:00' },
      ],
      closedDates: ['2026-02-30'],
      publicHolidays: 'XX',
    });
    expect(violations.map((violation) => violation.field)).toEqual([
      'timeZone',
      'openingHours[0].to',
      'openingHours[1].from',
      'openingHours[1].to',
      'openingHours[3]',
      'closedDates[0]',
      'publicHolidays',
    ]);
  });

  it.each(['2025-13-01', '2025-00-10', '2025-12-32', '2025-99-99', '2025-02-29', '25-12-01', '2025-1-01'])(
    'rejects closed date %s',
    (date) => {
      const rules = { ...CALENDAR_PRESETS.FR_STRICT(), closedDates: ['2026-12-25', date] };

      expect(calendarViolations(rules)).toEqual([{ field: 'closedDates[1]', value: date, rule: 'must be a date such as 2026-12-25' }]);
    },
  );

  it('rejects closed dates before 1970', () => {
    const rules = { ...CALENDAR_PRESETS.FR_STRICT(), closedDates: ['0000-01-01', '1969-12-31', '1970-01-01', '9999-12-31'] };

    expect(calendarViolations(rules)).toEqual([
      { field: 'closedDates[0]', value: '0000-01-01', rule: 'must be a date from 1970-01-01 to 9999-12-31' },
      { field: 'closedDates[1]', value: '1969-12-31', rule: 'must be a date from 1970-01-01 to 9999-12-31' },
    ]);
  });

  it('rejects a repeated closed date naming its first index', () => {
    const rules = { ...CALENDAR_PRESETS.FR_STRICT(), closedDates: ['2026-12-25', '2026-01-01', '2026-12-25', '2026-12-25'] };

    expect(calendarViolations(rules)).toEqual([
      { field: 'closedDates[2]', value: '2026-12-25', rule: 'must not repeat closedDates[0]' },
      { field: 'closedDates[3]', value: '2026-12-25', rule: 'must not repeat closedDates[0]' },
    ]);
  });

  it('accepts a leap day', () => {
    expect(calendarViolations({ ...CALENDAR_PRESETS.FR_STRICT(), closedDates: ['2028-02-29'] })).toEqual([]);
  });
});

describe('openIntervals', () => {
  const at = (iso: string) => Date.parse(iso);
  const iso = (intervals: Array<{ start: number; end: number }>) =>
    intervals.map(({ start, end }) => [new Date(start).toISOString(), new Date(end).toISOString()]);

  it('clips the opening hours to the range, across the spring change in Paris', () => {
    const strict = CALENDAR_PRESETS.FR_STRICT();

    const intervals = openIntervals(strict, at('2025-03-28T10:00:00Z'), at('2025-03-31T08:00:00Z'));

    expect(iso(intervals)).toEqual([
      ['2025-03-28T10:00:00.000Z', '2025-03-28T19:00:00.000Z'],
      ['2025-03-29T07:00:00.000Z', '2025-03-29T19:00:00.000Z'],
      ['2025-03-31T06:00:00.000Z', '2025-03-31T08:00:00.000Z'],
    ]);
  });

  it('merges ranges that touch across midnight', () => {
    const allDay: CalendarRules = {
      timeZone: 'UTC',
      openingHours: (['MON', 'TUE'] as Weekday[]).map((day) => ({ day, from: '00:00', to: '24:00' })),
      closedDates: [],
      publicHolidays: null,
    };

    expect(iso(openIntervals(allDay, at('2026-12-07T12:00:00Z'), at('2026-12-09T12:00:00Z')))).toEqual([
      ['2026-12-07T12:00:00.000Z', '2026-12-09T00:00:00.000Z'],
    ]);
  });

  it('returns nothing over a public holiday', () => {
    const christmas = openIntervals(CALENDAR_PRESETS.FR_STRICT(), at('2026-12-24T23:00:00Z'), at('2026-12-25T23:00:00Z'));

    expect(christmas).toEqual([]);
  });
});

describe('spreadOverIntervals', () => {
  it('spaces instants by equal open time, skipping closed periods', () => {
    const intervals = [
      { start: 0, end: 100 },
      { start: 1_000, end: 1_100 },
    ];

    expect(spreadOverIntervals(intervals, 4)).toEqual([0, 50, 1_000, 1_050]);
    expect(spreadOverIntervals(intervals, 1)).toEqual([0]);
    expect(spreadOverIntervals(intervals, 0)).toEqual([]);
  });

  it('rejects spreading over no open time', () => {
    expect(() => spreadOverIntervals([], 3)).toThrow(RangeError);
  });
});
