import { Decider, DomainEvent } from '../shared/decider';
import { DomainError } from '../shared/domain-error';
import { calendarViolations, CalendarRules, OpeningRange } from './calendar';

export type CalendarCreated = DomainEvent<
  'CalendarCreated',
  {
    id: string;
    name: string;
    timeZone: string;
    openingHours: OpeningRange[];
    closedDates: string[];
    publicHolidays: string | null;
  }
>;
export type CalendarEvent = CalendarCreated;

export type CreateCalendar = { type: 'CreateCalendar'; id: string; name: string; rules: CalendarRules };
export type CalendarCommand = CreateCalendar;

export type CalendarState = { exists: false } | ({ exists: true } & CalendarCreated['data']);

export const calendarDecider: Decider<CalendarState, CalendarCommand, CalendarEvent> = {
  initialState: () => ({ exists: false }),

  evolve: (_, event) => ({ exists: true, ...event.data }),

  decide: (command, state) => {
    if (state.exists) {
      throw DomainError.conflict('CALENDAR.ALREADY_EXISTS', `calendar '${command.id}' already exists`);
    }
    const violations = calendarViolations(command.rules);
    if (violations.length > 0) {
      const message = violations.map((violation) => `${violation.field} ${violation.rule}`).join('; ');
      throw new DomainError('CALENDAR.INVALID', 'INVALID', message, violations);
    }
    const { timeZone, openingHours, closedDates, publicHolidays } = command.rules;
    return [
      {
        type: 'CalendarCreated',
        data: {
          id: command.id,
          name: command.name,
          timeZone,
          openingHours: [...openingHours],
          closedDates: [...closedDates],
          publicHolidays,
        },
      },
    ];
  },
};

/** Copies the rules out of a calendar, its event or a view of it, leaving the other fields. */
export function calendarRulesOf(calendar: CalendarRules): CalendarRules {
  const { timeZone, openingHours, closedDates, publicHolidays } = calendar;
  return { timeZone, openingHours, closedDates, publicHolidays };
}
