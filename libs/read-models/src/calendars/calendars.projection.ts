import { CalendarEvent, STREAM_PREFIXES } from '@sms/domain';
import type { SqlExecutor } from '@sms/platform';
import { OneTableProjection } from '../shared/one-table-projection';
import { RecordedDomainEvent } from '../shared/recorded-domain-event';
import { ReadModelOptions } from '../shared/schema-name';

const CALENDAR_EVENT_TYPES: ReadonlySet<string> = new Set<CalendarEvent['type']>(['CalendarCreated']);

/** The `calendars` table: one row per calendar, its rules kept whole as JSON. */
export class CalendarsProjection extends OneTableProjection<CalendarEvent> {
  constructor(options: ReadModelOptions = {}) {
    super(options, 'calendars', STREAM_PREFIXES.calendar, CALENDAR_EVENT_TYPES);
  }

  protected async createTable(db: SqlExecutor): Promise<void> {
    await db.query(`
      CREATE TABLE IF NOT EXISTS ${this.table} (
        id text PRIMARY KEY,
        name text NOT NULL,
        rules jsonb NOT NULL,
        revision integer NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX IF NOT EXISTS calendars_by_name ON ${this.table} (name, id)`);
  }

  protected async apply(event: RecordedDomainEvent<CalendarEvent>, tx: SqlExecutor): Promise<void> {
    const { id, name, timeZone, openingHours, closedDates, publicHolidays } = event.data;
    const rules = { timeZone, openingHours, closedDates, publicHolidays };
    // The revision guard makes a replayed event a no-op.
    await tx.query(
      `INSERT INTO ${this.table} (id, name, rules, revision, created_at) VALUES ($1, $2, $3::jsonb, $4, $5)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, rules = EXCLUDED.rules, revision = EXCLUDED.revision
       WHERE calendars.revision < EXCLUDED.revision`,
      [id, name, JSON.stringify(rules), event.revision, event.metadata.decidedAt],
    );
  }
}
