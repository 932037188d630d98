import { OPT_OUT_STREAM_PREFIX, OptOutEvent } from '@sms/domain';
import type { SqlExecutor } from '@sms/platform';
import { OneTableProjection } from '../shared/one-table-projection';
import { RecordedDomainEvent } from '../shared/recorded-domain-event';
import { ReadModelOptions } from '../shared/schema-name';
import { createTargetTables } from '../targets/targets.tables';

const OPT_OUT_EVENT_TYPES: ReadonlySet<string> = new Set<OptOutEvent['type']>(['OptedOut', 'OptedIn']);

/**
 * The `opt_outs` table: one row per number that was ever on the do-not-contact list. An opt-in
 * clears `opted_out` instead of deleting the row, so the row keeps the revision that makes a
 * replayed event a no-op.
 */
export class OptOutsProjection extends OneTableProjection<OptOutEvent> {
  constructor(options: ReadModelOptions = {}) {
    super(options, 'opt_outs', OPT_OUT_STREAM_PREFIX, OPT_OUT_EVENT_TYPES);
  }

  protected async createTable(db: SqlExecutor): Promise<void> {
    await db.query(`
      CREATE TABLE IF NOT EXISTS ${this.table} (
        phone_number text PRIMARY KEY,
        opted_out boolean NOT NULL,
        since timestamptz,
        source text,
        keyword text,
        campaign_id text,
        revision integer NOT NULL
      )`);
    // Serves the list page, newest opt-out first.
    await db.query(`CREATE INDEX IF NOT EXISTS opt_outs_by_date ON ${this.table} (since DESC, phone_number) WHERE opted_out`);
    // The reply lookup (ReplyOriginQueries) finds the latest attempt to a number in the attempts
    // table, which the targets projection owns: make sure it exists, then index it by number.
    await createTargetTables(db, this.schema);
    await db.query(`CREATE INDEX IF NOT EXISTS attempts_by_phone ON ${this.schema}.attempts (phone_number, started_at DESC)`);
  }

  protected async apply(event: RecordedDomainEvent<OptOutEvent>, tx: SqlExecutor): Promise<void> {
    const optedOut = event.type === 'OptedOut';
    const { phoneNumber, source, keyword, at } = event.data;
    const campaignId = event.type === 'OptedOut' ? event.data.campaignId : null;
    // The revision guard makes a replayed event a no-op.
    await tx.query(
      `INSERT INTO ${this.table} (phone_number, opted_out, since, source, keyword, campaign_id, revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (phone_number) DO UPDATE SET
         opted_out = EXCLUDED.opted_out, since = EXCLUDED.since, source = EXCLUDED.source, keyword = EXCLUDED.keyword,
         campaign_id = EXCLUDED.campaign_id, revision = EXCLUDED.revision
       WHERE opt_outs.revision < EXCLUDED.revision`,
      [phoneNumber, optedOut, optedOut ? at : null, optedOut ? source : null, optedOut ? keyword : null, campaignId, event.revision],
    );
  }
}
