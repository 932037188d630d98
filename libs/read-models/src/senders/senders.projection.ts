import { SenderEvent, STREAM_PREFIXES } from '@sms/domain';
import type { SqlExecutor } from '@sms/platform';
import { OneTableProjection } from '../shared/one-table-projection';
import { RecordedDomainEvent } from '../shared/recorded-domain-event';
import { ReadModelOptions } from '../shared/schema-name';

const SENDER_EVENT_TYPES: ReadonlySet<string> = new Set<SenderEvent['type']>(['SenderRegistered']);

/** The `senders` table: one row per registered sender, for the Maker's sender pickers. */
export class SendersProjection extends OneTableProjection<SenderEvent> {
  constructor(options: ReadModelOptions = {}) {
    super(options, 'senders', STREAM_PREFIXES.sender, SENDER_EVENT_TYPES);
  }

  protected async createTable(db: SqlExecutor): Promise<void> {
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
    // Added after the first release of the table, so tables created before it gain the column.
    await db.query(`ALTER TABLE ${this.table} ADD COLUMN IF NOT EXISTS throughput_per_second integer`);
  }

  protected async apply(event: RecordedDomainEvent<SenderEvent>, tx: SqlExecutor): Promise<void> {
    const { id, name, senderId, kind, throughputPerSecond = null } = event.data;
    // The revision guard makes a replayed event a no-op.
    await tx.query(
      `INSERT INTO ${this.table} (id, name, sender_id, kind, revision, registered_at, throughput_per_second)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET
         name = EXCLUDED.name, sender_id = EXCLUDED.sender_id, kind = EXCLUDED.kind, revision = EXCLUDED.revision,
         throughput_per_second = EXCLUDED.throughput_per_second
       WHERE senders.revision < EXCLUDED.revision`,
      [id, name, senderId, kind, event.revision, event.metadata.decidedAt, throughputPerSecond],
    );
  }
}
