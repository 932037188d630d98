import { deciderSpec } from '../shared/decider-spec';
import { CALENDAR_PRESETS } from './calendar';
import { calendarDecider } from './calendar-aggregate';

const spec = deciderSpec(calendarDecider);

describe('calendar decider', () => {
  it('creates a calendar from valid rules', () => {
    const rules = CALENDAR_PRESETS.FR_STRICT();
    const [event] = spec.given([]).when({ type: 'CreateCalendar', id: 'k1', name: 'Strict', rules }).result();
    expect(event).toEqual({ type: 'CalendarCreated', data: { id: 'k1', name: 'Strict', ...rules, openingHours: [...rules.openingHours] } });
  });

  it('rejects invalid rules naming each field', () => {
    const rules = { ...CALENDAR_PRESETS.FR_STRICT(), timeZone: 'Nowhere/Land' };
    spec.given([]).when({ type: 'CreateCalendar', id: 'k1', name: 'Bad', rules }).thenThrows('CALENDAR.INVALID');
  });

  it('rejects creating the same calendar twice', () => {
    const rules = CALENDAR_PRESETS.FR_STRICT();
    const [created] = spec.given([]).when({ type: 'CreateCalendar', id: 'k1', name: 'Strict', rules }).result();
    spec.given([created]).when({ type: 'CreateCalendar', id: 'k1', name: 'Strict', rules }).thenThrows('CALENDAR.ALREADY_EXISTS');
  });
});
