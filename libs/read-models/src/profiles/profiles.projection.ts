import { idFromStreamName, ProfileEvent, STREAM_PREFIXES } from '@sms/domain';
import type { RecordedEvent, SqlProjection } from '@sms/event-store';
import type { SqlExecutor } from '@sms/platform';
import { asDomainEvent } from '../shared/recorded-domain-event';
import { DEFAULT_READ_MODEL_SCHEMA, quoteSchemaName, ReadModelOptions } from '../shared/schema-name';
import { lockSchemaSetup } from '../shared/setup-lock';

const PROFILE_EVENT_TYPES: ReadonlySet<string> = new Set<ProfileEvent['type']>(['ProfileCreated', 'ProfileChanged']);

/** The `profiles` table: one row per advisor profile and whether it may manage campaigns. */
export class ProfilesProjection implements SqlProjection {
  readonly name: string;
  readonly filter = { streamPrefixes: [STREAM_PREFIXES.profile] };
  private readonly schema: string;
  private readonly table: string;

  constructor(options: ReadModelOptions = {}) {
    const schema = options.schema ?? DEFAULT_READ_MODEL_SCHEMA;
    this.schema = quoteSchemaName(schema);
    this.table = `${this.schema}.profiles`;
    this.name = `${schema}.profiles`;
  }

  async setup(db: SqlExecutor): Promise<void> {
    await lockSchemaSetup(db, this.schema);
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
    await db.query(`
      CREATE TABLE IF NOT EXISTS ${this.table} (
        id text PRIMARY KEY,
        name text NOT NULL,
        manage_campaign boolean NOT NULL,
        revision integer NOT NULL
      )`);
  }

  async reset(db: SqlExecutor): Promise<void> {
    await db.query(`TRUNCATE ${this.table}`);
  }

  async project(events: readonly RecordedEvent[], tx: SqlExecutor): Promise<void> {
    for (const recorded of events) {
      const event = asDomainEvent<ProfileEvent>(recorded, PROFILE_EVENT_TYPES);
      if (event === null) {
        continue;
      }
      const id = idFromStreamName(event.streamName);
      // The revision guard makes a replayed event a no-op.
      await tx.query(
        `INSERT INTO ${this.table} (id, name, manage_campaign, revision) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, manage_campaign = EXCLUDED.manage_campaign, revision = EXCLUDED.revision
         WHERE profiles.revision < EXCLUDED.revision`,
        [id, event.data.name, event.data.manageCampaign, event.revision],
      );
    }
  }
}
