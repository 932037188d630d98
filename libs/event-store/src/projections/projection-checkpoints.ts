import { SqlClient, SqlExecutor } from '@sms/platform';
import { GlobalPosition, START_POSITION } from '../event-store.port';
import { quoteSchemaName } from '../sql/event-store-schema';
import { toNumber } from '../sql/sql-values';

/**
 * The `projection_checkpoints` table of the read database: one row per projection with the
 * position of the last event it applied, written in the same transaction as its rows.
 */
export class ProjectionCheckpoints {
  private readonly table: string;

  constructor(
    private readonly db: SqlClient,
    private readonly schemaName: string,
  ) {
    this.table = `${quoteSchemaName(schemaName, 'checkpointSchema')}.projection_checkpoints`;
  }

  /** Creates the schema and table when missing, under an advisory lock so that runners may start together. */
  async ensureTable(): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('sms-campaigns:projection-checkpoints'), hashtext($1))`, [this.schemaName]);
      await tx.query(`CREATE SCHEMA IF NOT EXISTS "${this.schemaName}"`);
      await tx.query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (
           projection_name text PRIMARY KEY,
           commit_position bigint NOT NULL,
           prepare_position bigint NOT NULL,
           updated_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
    });
  }

  /** Returns the projection's checkpoint, or undefined when it has none (never run, or rebuilt). */
  async read(db: SqlExecutor, projectionName: string): Promise<GlobalPosition | undefined> {
    const result = await db.query<CheckpointRow>(`SELECT commit_position, prepare_position FROM ${this.table} WHERE projection_name = $1`, [
      projectionName,
    ]);
    const [row] = result.rows;
    return row ? toPosition(row) : undefined;
  }

  /**
   * Locks the projection's checkpoint row until `tx` ends, creating it at the start position when
   * missing, and returns its position. Runners of the same projection in other processes then
   * apply batches one at a time.
   */
  async lock(tx: SqlExecutor, projectionName: string): Promise<GlobalPosition> {
    const locked = await this.selectForUpdate(tx, projectionName);
    if (locked) {
      return locked;
    }
    await tx.query(
      `INSERT INTO ${this.table} (projection_name, commit_position, prepare_position) VALUES ($1, 0, 0)
       ON CONFLICT (projection_name) DO NOTHING`,
      [projectionName],
    );
    return (await this.selectForUpdate(tx, projectionName)) ?? START_POSITION;
  }

  async write(tx: SqlExecutor, projectionName: string, position: GlobalPosition): Promise<void> {
    await tx.query(`UPDATE ${this.table} SET commit_position = $2, prepare_position = $3, updated_at = now() WHERE projection_name = $1`, [
      projectionName,
      position.commit,
      position.prepare,
    ]);
  }

  async delete(tx: SqlExecutor, projectionName: string): Promise<void> {
    await tx.query(`DELETE FROM ${this.table} WHERE projection_name = $1`, [projectionName]);
  }

  private async selectForUpdate(tx: SqlExecutor, projectionName: string): Promise<GlobalPosition | undefined> {
    const result = await tx.query<CheckpointRow>(
      `SELECT commit_position, prepare_position FROM ${this.table} WHERE projection_name = $1 FOR UPDATE`,
      [projectionName],
    );
    const [row] = result.rows;
    return row ? toPosition(row) : undefined;
  }
}

interface CheckpointRow {
  commit_position: string | number;
  prepare_position: string | number;
}

function toPosition(row: CheckpointRow): GlobalPosition {
  return { commit: toNumber(row.commit_position), prepare: toNumber(row.prepare_position) };
}
