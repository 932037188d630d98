import { SenderEvent, STREAM_PREFIXES } from '@sms/domain';
import type { RecordedEvent } from '@sms/event-store';
import type { SqlExecutor } from '@sms/platform';
import { asDomainEvent } from '../shared/recorded-domain-event';
import { DEFAULT_READ_MODEL_SCHEMA, quoteSchemaName, ReadModelOptions } from '../shared/schema-name';
import { lockSchemaSetup } from '../shared/setup-lock';
import type { SqlProjection } from '@sms/event-store';

const SENDER_EVENT_TYPES: ReadonlySet<string> = new Set<SenderEvent['type']>(['SenderRegistered']);

/** The `senders` table: one row per registered sender, for the Maker's sender pickers. */
export class SendersProjection implements SqlProjection {
  readonly name: string;
  readonly filter = { streamPrefixes: [STREAM_PREFIXES.sender] };
  private readonly table: string;
  private readonly schema: string;

  constructor(options: ReadModelOptions = {}) {
    const schema = options.schema ?? DEFAULT_READ_MODEL_SCHEMA;
    this.schema = quoteSchemaName(schema);
    this.table = `${this.schema}.senders`;
    this.name = `${schema}.senders`;
  }

  async setup(db: SqlExecutor): Promise<void> {
    await lockSchemaSetup(db, this.schema);
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
    await db.query(`
      CREATE TABLE IF NOT EXISTS ${this.table} (
        id text PRIMARY KEY,
        name text NOT NULL,
        sender_id text NOT NULL,
        kind text NOT NULL,
        revision integer NOT NULL,
        registered_at timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX IF NOT EXISTS senders_by_name ON ${this.table} (name, id)`);
  }

  async reset(db: SqlExecutor): Promise<void> {
    await db.query(`TRUNCATE ${this.table}`);
  }

  async project(events: readonly RecordedEvent[], tx: SqlExecutor): Promise<void> {
    for (const recorded of events) {
      const event = asDomainEvent<SenderEvent>(recorded, SENDER_EVENT_TYPES);
      if (event === null) {
        continue;
      }
      const { id, name, senderId, kind } = event.data;
      // The revision guard makes a replayed event a no-op.
      await tx.query(
        `INSERT INTO ${this.table} (id, name, sender_id, kind, revision, registered_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET
           name = EXCLUDED.name, sender_id = EXCLUDED.sender_id, kind = EXCLUDED.kind, revision = EXCLUDED.revision
         WHERE senders.revision < EXCLUDED.revision`,
        [id, name, senderId, kind, event.revision, event.metadata.decidedAt],
      );
    }
  }
}
