import { assertNever, idFromStreamName, ImportCounts, ImportEvent, ImportProgressed, ImportStarted, STREAM_PREFIXES } from '@sms/domain';
import type { RecordedEvent } from '@sms/event-store';
import type { SqlExecutor } from '@sms/platform';
import { asDomainEvent, RecordedDomainEvent } from '../shared/recorded-domain-event';
import { DEFAULT_READ_MODEL_SCHEMA, quoteSchemaName, ReadModelOptions } from '../shared/schema-name';
import { lockSchemaSetup } from '../shared/setup-lock';
import type { SqlProjection } from '@sms/event-store';

const IMPORT_EVENT_TYPES: ReadonlySet<string> = new Set<ImportEvent['type']>([
  'ImportStarted',
  'ImportProgressed',
  'ImportCompleted',
  'ImportFailed',
]);

/**
 * Maximum number of row errors kept per import. Without a limit, a file of a million bad rows
 * would make one row of about 100 MB (estimated at 100 bytes per error). Past the limit, later
 * errors are dropped and `errors_truncated` is set.
 */
export const MAX_IMPORT_ERRORS = 10_000;

/** The `imports` table: progress, counts and the first rejected rows of each import. */
export class ImportsProjection implements SqlProjection {
  readonly name: string;
  readonly filter = { streamPrefixes: [STREAM_PREFIXES.import] };
  private readonly schema: string;
  private readonly table: string;

  constructor(options: ReadModelOptions = {}) {
    const schema = options.schema ?? DEFAULT_READ_MODEL_SCHEMA;
    this.schema = quoteSchemaName(schema);
    this.table = `${this.schema}.imports`;
    this.name = `${schema}.imports`;
  }

  async setup(db: SqlExecutor): Promise<void> {
    await lockSchemaSetup(db, this.schema);
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
    await db.query(`
      CREATE TABLE IF NOT EXISTS ${this.table} (
        id text PRIMARY KEY,
        campaign_id text NOT NULL,
        source text NOT NULL,
        status text NOT NULL,
        processed integer NOT NULL DEFAULT 0,
        imported integer NOT NULL DEFAULT 0,
        duplicates integer NOT NULL DEFAULT 0,
        rejected integer NOT NULL DEFAULT 0,
        errors jsonb NOT NULL DEFAULT '[]',
        error_count integer NOT NULL DEFAULT 0,
        errors_truncated boolean NOT NULL DEFAULT false,
        reason text,
        revision integer NOT NULL,
        started_at timestamptz NOT NULL,
        ended_at timestamptz
      )`);
    await db.query(`CREATE INDEX IF NOT EXISTS imports_by_campaign ON ${this.table} (campaign_id, started_at DESC)`);
  }

  async reset(db: SqlExecutor): Promise<void> {
    await db.query(`TRUNCATE ${this.table}`);
  }

  /** Writes one statement per event, which is cheap because imports report progress in chunks of rows, not per row. */
  async project(events: readonly RecordedEvent[], tx: SqlExecutor): Promise<void> {
    for (const recorded of events) {
      const event = asDomainEvent<ImportEvent>(recorded, IMPORT_EVENT_TYPES);
      if (event === null) {
        continue;
      }
      switch (event.type) {
        case 'ImportStarted':
          await this.insertImport(event, tx);
          break;
        case 'ImportProgressed':
          await this.appendProgress(event, tx);
          break;
        case 'ImportCompleted':
          await this.finish(event, 'DONE', event.data, null, event.data.completedAt, tx);
          break;
        case 'ImportFailed':
          await this.finish(event, 'FAILED', event.data, event.data.reason, event.data.failedAt, tx);
          break;
        default:
          assertNever(event);
      }
    }
  }

  private async insertImport(event: RecordedDomainEvent<ImportStarted>, tx: SqlExecutor): Promise<void> {
    const { campaignId, source, startedAt } = event.data;
    await tx.query(
      `INSERT INTO ${this.table} (id, campaign_id, source, status, revision, started_at)
       VALUES ($1, $2, $3, 'RUNNING', $4, $5)
       ON CONFLICT (id) DO NOTHING`,
      [idFromStreamName(event.streamName), campaignId, source, event.revision, startedAt],
    );
  }

  /**
   * Replaces the stored counts with the event's cumulative counts. Appends the event's errors,
   * which are the rows rejected since the previous event, until MAX_IMPORT_ERRORS are kept.
   * An UPDATE reads every column on the right-hand side before the row changes, so `error_count`
   * below is the count before this event.
   */
  private async appendProgress(event: RecordedDomainEvent<ImportProgressed>, tx: SqlExecutor): Promise<void> {
    const { processed, imported, duplicates, rejected, errors } = event.data;
    await tx.query(
      `UPDATE ${this.table} SET
         processed = $3, imported = $4, duplicates = $5, rejected = $6,
         errors = errors || COALESCE(
           (SELECT jsonb_agg(element ORDER BY position) FROM jsonb_array_elements($7::jsonb) WITH ORDINALITY AS e(element, position)
            WHERE position <= $8 - error_count),
           '[]'::jsonb),
         error_count = LEAST($8, error_count + jsonb_array_length($7::jsonb)),
         errors_truncated = errors_truncated OR error_count + jsonb_array_length($7::jsonb) > $8,
         revision = $2
       WHERE id = $1 AND revision < $2`,
      [
        idFromStreamName(event.streamName),
        event.revision,
        processed,
        imported,
        duplicates,
        rejected,
        JSON.stringify(errors),
        MAX_IMPORT_ERRORS,
      ],
    );
  }

  private async finish(
    event: RecordedEvent,
    status: 'DONE' | 'FAILED',
    counts: ImportCounts,
    reason: string | null,
    endedAt: string,
    tx: SqlExecutor,
  ): Promise<void> {
    await tx.query(
      `UPDATE ${this.table} SET
         status = $3, processed = $4, imported = $5, duplicates = $6, rejected = $7, reason = $8, ended_at = $9,
         revision = $2
       WHERE id = $1 AND revision < $2`,
      [
        idFromStreamName(event.streamName),
        event.revision,
        status,
        counts.processed,
        counts.imported,
        counts.duplicates,
        counts.rejected,
        reason,
        endedAt,
      ],
    );
  }
}
