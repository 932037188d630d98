import { STREAM_PREFIXES, TemplateEvent } from '@sms/domain';
import type { SqlExecutor } from '@sms/platform';
import { OneTableProjection } from '../shared/one-table-projection';
import { RecordedDomainEvent } from '../shared/recorded-domain-event';
import { ReadModelOptions } from '../shared/schema-name';

const TEMPLATE_EVENT_TYPES: ReadonlySet<string> = new Set<TemplateEvent['type']>(['TemplateCreated']);

/** The `templates` table: one row per SMS template, with its measured encoding and length. */
export class TemplatesProjection extends OneTableProjection<TemplateEvent> {
  constructor(options: ReadModelOptions = {}) {
    super(options, 'templates', STREAM_PREFIXES.template, TEMPLATE_EVENT_TYPES);
  }

  protected async createTable(db: SqlExecutor): Promise<void> {
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

  protected async apply(event: RecordedDomainEvent<TemplateEvent>, tx: SqlExecutor): Promise<void> {
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
