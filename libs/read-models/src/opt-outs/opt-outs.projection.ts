import { idFromStreamName, OPT_OUT_STREAM_PREFIX, OptOutEvent } from '@sms/domain';
import type { SqlExecutor } from '@sms/platform';
import { OneTableProjection } from '../shared/one-table-projection';
import { RecordedDomainEvent } from '../shared/recorded-domain-event';
import { DEFAULT_READ_MODEL_SCHEMA, ReadModelOptions } from '../shared/schema-name';
import { createTargetTables } from '../targets/targets.tables';
import { ERASED } from '../targets/target-rows';

const OPT_OUT_EVENT_TYPES: ReadonlySet<string> = new Set<OptOutEvent['type']>(['OptedOut', 'OptedIn', 'OptOutErased']);

/**
 * The `opt_outs` table: one row per number that was ever on the do-not-contact list, keyed by the
 * keyed hash of the number that names its stream (`number_key`). Lookups go by that hash, so a
 * number whose personal data was erased (`phone_number` empty) is still blocked. An opt-in clears
 * `opted_out` instead of deleting the row, so the row keeps the revision that makes a replayed
 * event a no-op.
 */
export class OptOutsProjection extends OneTableProjection<OptOutEvent> {
  // A checkpoint name of its own: the table was keyed by the number before, so it is rebuilt from the first event.
  override readonly name: string;

  constructor(options: ReadModelOptions = {}) {
    super(options, 'opt_outs', OPT_OUT_STREAM_PREFIX, OPT_OUT_EVENT_TYPES);
    this.name = `${options.schema ?? DEFAULT_READ_MODEL_SCHEMA}.opt_outs_by_number_key`;
  }

  protected async createTable(db: SqlExecutor): Promise<void> {
    await dropTableKeyedByNumber(db, this.schema, this.table);
    await db.query(`
      CREATE TABLE IF NOT EXISTS ${this.table} (
        number_key text PRIMARY KEY,
        phone_number text NOT NULL,
        opted_out boolean NOT NULL,
        since timestamptz,
        source text,
        keyword text,
        campaign_id text,
        revision integer NOT NULL
      )`);
    // Serves the list page, newest opt-out first.
    await db.query(`CREATE INDEX IF NOT EXISTS opt_outs_by_date ON ${this.table} (since DESC, number_key) WHERE opted_out`);
    // The queries without a number hasher (tests, tools) look numbers up in clear.
    await db.query(`CREATE INDEX IF NOT EXISTS opt_outs_by_number ON ${this.table} (phone_number)`);
    // The reply lookup (ReplyOriginQueries) finds the latest attempt to a number in the attempts
    // table, which the targets projection owns: make sure it exists, then index it by number.
    await createTargetTables(db, this.schema);
    await db.query(`CREATE INDEX IF NOT EXISTS attempts_by_phone ON ${this.schema}.attempts (phone_number, started_at DESC)`);
  }

  protected async apply(event: RecordedDomainEvent<OptOutEvent>, tx: SqlExecutor): Promise<void> {
    const numberKey = idFromStreamName(event.streamName);
    if (event.type === 'OptOutErased') {
      await tx.query(`UPDATE ${this.table} SET phone_number = $2, revision = $3 WHERE number_key = $1 AND revision < $3`, [
        numberKey,
        ERASED,
        event.revision,
      ]);
      return;
    }
    const optedOut = event.type === 'OptedOut';
    const { phoneNumber, source, keyword, at } = event.data;
    const campaignId = event.type === 'OptedOut' ? event.data.campaignId : null;
    // The revision guard makes a replayed event a no-op.
    await tx.query(
      `INSERT INTO ${this.table} (number_key, phone_number, opted_out, since, source, keyword, campaign_id, revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (number_key) DO UPDATE SET
         phone_number = EXCLUDED.phone_number, opted_out = EXCLUDED.opted_out, since = EXCLUDED.since, source = EXCLUDED.source,
         keyword = EXCLUDED.keyword, campaign_id = EXCLUDED.campaign_id, revision = EXCLUDED.revision
       WHERE opt_outs.revision < EXCLUDED.revision`,
      [
        numberKey,
        phoneNumber,
        optedOut,
        optedOut ? at : null,
        optedOut ? source : null,
        optedOut ? keyword : null,
        campaignId,
        event.revision,
      ],
    );
  }
}

/**
 * Drops an `opt_outs` table of the earlier shape, keyed by the number in clear. The projection's
 * new checkpoint name makes it rebuild the table from the first event.
 */
async function dropTableKeyedByNumber(db: SqlExecutor, quotedSchema: string, table: string): Promise<void> {
  const { rows } = await db.query<{ keyed_by_number: boolean }>(
    `SELECT NOT EXISTS (
       SELECT 1 FROM information_schema.columns
       WHERE table_schema = $1 AND table_name = 'opt_outs' AND column_name = 'number_key'
     ) AND EXISTS (
       SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'opt_outs'
     ) AS keyed_by_number`,
    [quotedSchema.slice(1, -1)],
  );
  if (rows[0]?.keyed_by_number) {
    await db.query(`DROP TABLE ${table}`);
  }
}
