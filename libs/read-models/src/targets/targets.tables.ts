import type { SqlExecutor } from '@sms/platform';

/**
 * Creates the targets and attempts tables if they are missing.
 *
 * `due_at` is `start_date` with null replaced by -infinity. Ordering by it equals ordering by
 * `start_date ASC NULLS FIRST`, and unlike `start_date IS NULL OR start_date <= now` the due
 * condition `due_at <= now` is one range of an index, which the dispatch query relies on.
 */
export async function createTargetTables(db: SqlExecutor, quotedSchema: string): Promise<void> {
  const targets = `${quotedSchema}.targets`;
  const attempts = `${quotedSchema}.attempts`;
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${quotedSchema}`);
  await db.query(`
    CREATE TABLE IF NOT EXISTS ${targets} (
      id text PRIMARY KEY,
      campaign_id text NOT NULL,
      phone_number text NOT NULL,
      start_date timestamptz,
      due_at timestamptz GENERATED ALWAYS AS (COALESCE(start_date, '-infinity'::timestamptz)) STORED,
      priority integer NOT NULL,
      status text NOT NULL,
      time_zone text,
      layout jsonb,
      import_id text,
      revision integer NOT NULL,
      attempts integer NOT NULL,
      last_attempt_at timestamptz,
      current_attempt_id text
    )`);
  // Serves the dispatch query (status = 'PENDING') and the targets page filtered by status, in page order.
  await db.query(`CREATE INDEX IF NOT EXISTS targets_by_status ON ${targets} (campaign_id, status, priority DESC, due_at, id)`);
  await db.query(`CREATE INDEX IF NOT EXISTS targets_by_campaign ON ${targets} (campaign_id, priority DESC, due_at, id)`);
  await db.query(`CREATE INDEX IF NOT EXISTS targets_by_phone ON ${targets} (campaign_id, phone_number)`);
  // Serves scans of a whole campaign (duplicate, empty, as-of) in an order that no update moves.
  await db.query(`CREATE INDEX IF NOT EXISTS targets_by_id ON ${targets} (campaign_id, id)`);
  // The time zones of a campaign's pending targets, for calendars read in each target's own zone.
  // Partial, so targets without a zone of their own cost nothing to maintain.
  await db.query(
    `CREATE INDEX IF NOT EXISTS targets_pending_zones ON ${targets} (campaign_id, time_zone)
     WHERE status = 'PENDING' AND time_zone IS NOT NULL`,
  );

  // Claims that no sender took up, which the scheduler sends again. Partial: only targets between
  // their claim and its outcome are in it, at most the in-flight window of each running campaign.
  await db.query(`CREATE INDEX IF NOT EXISTS targets_in_progress ON ${targets} (last_attempt_at, id) WHERE status = 'IN_PROGRESS'`);

  await db.query(`
    CREATE TABLE IF NOT EXISTS ${attempts} (
      attempt_id text PRIMARY KEY,
      target_id text NOT NULL,
      campaign_id text NOT NULL,
      session_id text NOT NULL,
      attempt_number integer NOT NULL,
      status text NOT NULL,
      phone_number text NOT NULL,
      started_at timestamptz NOT NULL,
      ended_at timestamptz,
      provider_message_id text,
      error jsonb,
      encoding text,
      segments integer
    )`);
  await db.query(`CREATE INDEX IF NOT EXISTS attempts_by_campaign ON ${attempts} (campaign_id, started_at DESC, attempt_id DESC)`);
  await db.query(`CREATE INDEX IF NOT EXISTS attempts_by_target ON ${attempts} (target_id, attempt_number)`);
  // The Reporter's cursor over every campaign's attempts, oldest first: each page is one index range.
  await db.query(`CREATE INDEX IF NOT EXISTS attempts_by_start ON ${attempts} (started_at, attempt_id)`);
  await db.query(
    `CREATE INDEX IF NOT EXISTS attempts_by_provider_message ON ${attempts} (provider_message_id)
     WHERE provider_message_id IS NOT NULL`,
  );
}
