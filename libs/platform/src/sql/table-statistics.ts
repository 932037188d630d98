import type { SqlExecutor } from './sql-client';

/** Minimum number of rows written between two ANALYZE runs. */
const DEFAULT_MIN_ROWS = 50_000;

/** Growth of the rows seen by this process since the last ANALYZE, as a share, before the next one. */
const DEFAULT_GROWTH = 0.2;

export interface TableStatisticsOptions {
  /** Rows written before the first ANALYZE, and the least between two; 50,000 when absent. */
  readonly minRows?: number;
  /** Share of the rows seen so far that must be written again before the next ANALYZE; 0.2 when absent. */
  readonly growth?: number;
}

/**
 * Keeps the planner's statistics of tables that grow fast, by running ANALYZE once enough rows
 * were written since the last one. PostgreSQL's autovacuum does the same, but a server may run
 * without it. Without statistics, the planner took a prefix filter on stream names for a rare
 * match, so each poll of a lagging projection read every event after its position. A
 * 1,000,000-row import then took about twice as long on a server with autovacuum off.
 *
 * Counts are kept per process, so each process analyzes after its own writes.
 */
export class TableStatistics {
  private writtenSinceAnalyze = 0;
  private seen = 0;
  private threshold: number;
  private readonly minRows: number;
  private readonly growth: number;

  constructor(
    /** Schema-qualified, quoted table names, analyzed together. */
    private readonly tables: readonly string[],
    options: TableStatisticsOptions = {},
  ) {
    this.minRows = options.minRows ?? DEFAULT_MIN_ROWS;
    this.growth = options.growth ?? DEFAULT_GROWTH;
    this.threshold = this.minRows;
  }

  /** Counts `rows` written and returns whether the tables are due for ANALYZE. */
  noteWrites(rows: number): boolean {
    this.writtenSinceAnalyze += rows;
    this.seen += rows;
    if (this.writtenSinceAnalyze < this.threshold) {
      return false;
    }
    this.writtenSinceAnalyze = 0;
    this.threshold = Math.max(this.minRows, Math.round(this.seen * this.growth));
    return true;
  }

  /** Runs ANALYZE on the tables. */
  analyze(db: SqlExecutor): Promise<unknown> {
    return db.query(`ANALYZE ${this.tables.join(', ')}`);
  }
}
