import type { SqlExecutor } from '@sms/platform';
import { TARGET_STATUSES, COUNT_COLUMNS } from './target-counts';

/**
 * Creates the campaigns table if it is missing. Two projections write to it: the campaigns
 * projection owns the settings columns and the targets projection owns the count columns. Either
 * may create a row first, so every settings column is nullable. `revision IS NULL` marks a row
 * whose CampaignCreated the campaigns projection has not applied yet, and queries skip such rows.
 */
export async function createCampaignsTable(db: SqlExecutor, quotedSchema: string): Promise<void> {
  const table = `${quotedSchema}.campaigns`;
  const countColumns = TARGET_STATUSES.map((status) => `${COUNT_COLUMNS[status]} integer NOT NULL DEFAULT 0`).join(',\n');
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${quotedSchema}`);
  await db.query(`
    CREATE TABLE IF NOT EXISTS ${table} (
      id text PRIMARY KEY,
      revision integer,
      name text,
      reference text,
      alias text,
      status text,
      session_id text,
      settings jsonb,
      tags text[] NOT NULL DEFAULT '{}',
      search_text text NOT NULL DEFAULT '',
      created_at timestamptz,
      ${countColumns}
    )`);
  await db.query(`CREATE INDEX IF NOT EXISTS campaigns_by_creation ON ${table} (created_at DESC, id) WHERE revision IS NOT NULL`);
  await db.query(`CREATE INDEX IF NOT EXISTS campaigns_by_tag ON ${table} USING gin (tags)`);
  // Added after the first release of the table, so tables created before it gain the column.
  await db.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS profile_ids text[] NOT NULL DEFAULT '{}'`);
  await db.query(`CREATE INDEX IF NOT EXISTS campaigns_by_profile ON ${table} USING gin (profile_ids)`);
  await db.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS layouts jsonb NOT NULL DEFAULT '[]'`);
  await db.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS copied_from text`);
}
