import { CalendarEvent, STREAM_PREFIXES } from '@sms/domain';
import type { RecordedEvent, SqlProjection } from '@sms/event-store';
import type { SqlExecutor } from '@sms/platform';
import { asDomainEvent } from '../shared/recorded-domain-event';
import { DEFAULT_READ_MODEL_SCHEMA, quoteSchemaName, ReadModelOptions } from '../shared/schema-name';
import { lockSchemaSetup } from '../shared/setup-lock';

const CALENDAR_EVENT_TYPES: ReadonlySet<string> = new Set<CalendarEvent['type']>(['CalendarCreated']);

/** The `calendars` table: one row per calendar, its rules kept whole as JSON. */
export class CalendarsProjection implements SqlProjection {
  readonly name: string;
  readonly filter = { streamPrefixes: [STREAM_PREFIXES.calendar] };
  private readonly schema: string;
  private readonly table: string;

  constructor(options: ReadModelOptions = {}) {
    const schema = options.schema ?? DEFAULT_READ_MODEL_SCHEMA;
    this.schema = quoteSchemaName(schema);
    this.table = `${this.schema}.calendars`;
    this.name = `${schema}.calendars`;
  }

  async setup(db: SqlExecutor): Promise<void> {
    await lockSchemaSetup(db, this.schema);
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
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

  async reset(db: SqlExecutor): Promise<void> {
    await db.query(`TRUNCATE ${this.table}`);
  }

  async project(events: readonly RecordedEvent[], tx: SqlExecutor): Promise<void> {
    for (const recorded of events) {
      const event = asDomainEvent<CalendarEvent>(recorded, CALENDAR_EVENT_TYPES);
      if (event === null) {
        continue;
      }
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
}
