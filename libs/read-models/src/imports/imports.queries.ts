import type { ImportRowError, ImportSource, ImportStatus } from '@sms/domain';
import type { SqlExecutor } from '@sms/platform';
import { DEFAULT_READ_MODEL_SCHEMA, quoteSchemaName, ReadModelOptions } from '../shared/schema-name';
import { toIsoString } from '../shared/sql-values';

/** An import as `GET /imports/:id` shows it. */
export interface ImportView {
  readonly id: string;
  readonly campaignId: string;
  readonly source: ImportSource;
  readonly status: ImportStatus;
  /** Rows read so far. */
  readonly processed: number;
  readonly imported: number;
  readonly duplicates: number;
  readonly rejected: number;
  /** The first rejected rows, in file order, up to MAX_IMPORT_ERRORS. */
  readonly errors: ImportRowError[];
  /** True when more rows were rejected than `errors` contains. */
  readonly errorsTruncated: boolean;
  /** Failure reason, or null unless the import FAILED. */
  readonly reason: string | null;
  readonly startedAt: string;
  /** Instant the import completed or failed, or null while RUNNING. */
  readonly endedAt: string | null;
  /** Stream revision, the resource's ETag. */
  readonly revision: number;
}

type ImportRow = {
  id: string;
  campaign_id: string;
  source: ImportSource;
  status: ImportStatus;
  processed: number;
  imported: number;
  duplicates: number;
  rejected: number;
  errors: ImportRowError[];
  errors_truncated: boolean;
  reason: string | null;
  started_at: Date;
  ended_at: Date | null;
  revision: number;
};

export class ImportQueries {
  private readonly table: string;

  constructor(
    private readonly db: SqlExecutor,
    options: ReadModelOptions = {},
  ) {
    this.table = `${quoteSchemaName(options.schema ?? DEFAULT_READ_MODEL_SCHEMA)}.imports`;
  }

  async getImport(id: string): Promise<ImportView | null> {
    const { rows } = await this.db.query<ImportRow>(
      `SELECT id, campaign_id, source, status, processed, imported, duplicates, rejected, errors, errors_truncated,
              reason, started_at, ended_at, revision
       FROM ${this.table} WHERE id = $1`,
      [id],
    );
    if (rows.length === 0) {
      return null;
    }
    const row = rows[0];
    return {
      id: row.id,
      campaignId: row.campaign_id,
      source: row.source,
      status: row.status,
      processed: row.processed,
      imported: row.imported,
      duplicates: row.duplicates,
      rejected: row.rejected,
      errors: row.errors,
      errorsTruncated: row.errors_truncated,
      reason: row.reason,
      startedAt: toIsoString(row.started_at),
      endedAt: toIsoString(row.ended_at),
      revision: row.revision,
    };
  }
}
