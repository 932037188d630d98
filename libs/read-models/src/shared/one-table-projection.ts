import type { DomainEvent } from '@sms/domain';
import type { EventFilter, RecordedEvent, SqlProjection } from '@sms/event-store';
import type { SqlExecutor } from '@sms/platform';
import { asDomainEvent, RecordedDomainEvent } from './recorded-domain-event';
import { DEFAULT_READ_MODEL_SCHEMA, quoteSchemaName, ReadModelOptions } from './schema-name';
import { lockSchemaSetup } from './setup-lock';

/**
 * A view kept in one table, one row per stream of one kind (senders, templates, calendars,
 * profiles). The base class names the table and the projection, creates the schema under the
 * set-up lock, empties the table for a rebuild, and hands each event it reads to `apply`.
 */
export abstract class OneTableProjection<Event extends DomainEvent> implements SqlProjection {
  readonly name: string;
  readonly filter: EventFilter;
  protected readonly schema: string;
  /** The quoted, schema-qualified table name. */
  protected readonly table: string;

  protected constructor(
    options: ReadModelOptions,
    tableName: string,
    streamPrefix: string,
    private readonly eventTypes: ReadonlySet<string>,
  ) {
    const schema = options.schema ?? DEFAULT_READ_MODEL_SCHEMA;
    this.schema = quoteSchemaName(schema);
    this.table = `${this.schema}.${tableName}`;
    this.name = `${schema}.${tableName}`;
    this.filter = { streamPrefixes: [streamPrefix] };
  }

  /** Creates the table and its indexes if missing. */
  protected abstract createTable(db: SqlExecutor): Promise<void>;

  /** Writes one event; must be a no-op for an event at or below the stored revision. */
  protected abstract apply(event: RecordedDomainEvent<Event>, tx: SqlExecutor): Promise<void>;

  async setup(db: SqlExecutor): Promise<void> {
    await lockSchemaSetup(db, this.schema);
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
    await this.createTable(db);
  }

  async reset(db: SqlExecutor): Promise<void> {
    await db.query(`TRUNCATE ${this.table}`);
  }

  async project(events: readonly RecordedEvent[], tx: SqlExecutor): Promise<void> {
    for (const recorded of events) {
      const event = asDomainEvent<Event>(recorded, this.eventTypes);
      if (event !== null) {
        await this.apply(event, tx);
      }
    }
  }
}
