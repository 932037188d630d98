import { idFromStreamName, ProfileEvent, STREAM_PREFIXES } from '@sms/domain';
import type { SqlExecutor } from '@sms/platform';
import { OneTableProjection } from '../shared/one-table-projection';
import { RecordedDomainEvent } from '../shared/recorded-domain-event';
import { ReadModelOptions } from '../shared/schema-name';

const PROFILE_EVENT_TYPES: ReadonlySet<string> = new Set<ProfileEvent['type']>(['ProfileCreated', 'ProfileChanged']);

/** The `profiles` table: one row per advisor profile and whether it may manage campaigns. */
export class ProfilesProjection extends OneTableProjection<ProfileEvent> {
  constructor(options: ReadModelOptions = {}) {
    super(options, 'profiles', STREAM_PREFIXES.profile, PROFILE_EVENT_TYPES);
  }

  protected async createTable(db: SqlExecutor): Promise<void> {
    await db.query(`
      CREATE TABLE IF NOT EXISTS ${this.table} (
        id text PRIMARY KEY,
        name text NOT NULL,
        manage_campaign boolean NOT NULL,
        revision integer NOT NULL
      )`);
  }

  protected async apply(event: RecordedDomainEvent<ProfileEvent>, tx: SqlExecutor): Promise<void> {
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
