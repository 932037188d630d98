import { STREAM_PREFIXES, TemplateEvent } from '@sms/domain';
import type { RecordedEvent } from '@sms/event-store';
import type { SqlExecutor } from '@sms/platform';
import { asDomainEvent } from '../shared/recorded-domain-event';
import { DEFAULT_READ_MODEL_SCHEMA, quoteSchemaName, ReadModelOptions } from '../shared/schema-name';
import { lockSchemaSetup } from '../shared/setup-lock';
import type { SqlProjection } from '@sms/event-store';

const TEMPLATE_EVENT_TYPES: ReadonlySet<string> = new Set<TemplateEvent['type']>(['TemplateCreated']);

/** The `templates` table: one row per SMS template, with its measured encoding and length. */
export class TemplatesProjection implements SqlProjection {
  readonly name: string;
  readonly filter = { streamPrefixes: [STREAM_PREFIXES.template] };
  private readonly schema: string;
  private readonly table: string;

  constructor(options: ReadModelOptions = {}) {
    const schema = options.schema ?? DEFAULT_READ_MODEL_SCHEMA;
    this.schema = quoteSchemaName(schema);
    this.table = `${this.schema}.templates`;
    this.name = `${schema}.templates`;
  }

  async setup(db: SqlExecutor): Promise<void> {
    await lockSchemaSetup(db, this.schema);
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
    await db.query(`
      CREATE TABLE IF NOT EXISTS ${this.table} (
        id text PRIMARY KEY,
        name text NOT NULL,
        body text NOT NULL,
        language text,
        placeholders text[] NOT NULL,
        encoding text NOT NULL,
        characters integer NOT NULL,
        segments integer NOT NULL,
        revision integer NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX IF NOT EXISTS templates_by_name ON ${this.table} (name, id)`);
  }

  async reset(db: SqlExecutor): Promise<void> {
    await db.query(`TRUNCATE ${this.table}`);
  }

  async project(events: readonly RecordedEvent[], tx: SqlExecutor): Promise<void> {
    for (const recorded of events) {
      const event = asDomainEvent<TemplateEvent>(recorded, TEMPLATE_EVENT_TYPES);
      if (event === null) {
        continue;
      }
      const { id, name, body, language, placeholders, encoding, characters, segments } = event.data;
      // The revision guard makes a replayed event a no-op.
      await tx.query(
        `INSERT INTO ${this.table} (id, name, body, language, placeholders, encoding, characters, segments, revision, created_at)
         VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8, $9, $10)
         ON CONFLICT (id) DO UPDATE SET
           name = EXCLUDED.name, body = EXCLUDED.body, language = EXCLUDED.language,
           placeholders = EXCLUDED.placeholders, encoding = EXCLUDED.encoding,
           characters = EXCLUDED.characters, segments = EXCLUDED.segments, revision = EXCLUDED.revision
         WHERE templates.revision < EXCLUDED.revision`,
        [id, name, body, language, placeholders, encoding, characters, segments, event.revision, event.metadata.decidedAt],
      );
    }
  }
}
