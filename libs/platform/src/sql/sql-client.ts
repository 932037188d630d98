/**
 * The SQL surface shared by the PostgreSQL and embedded (PGlite) adapters. Both speak the same
 * dialect, so event store, projections and queries are written once against this interface.
 */
export interface SqlQueryResult<Row> {
  readonly rows: Row[];
  readonly rowCount: number;
}

export interface SqlExecutor {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<SqlQueryResult<Row>>;
}

export interface SqlClient extends SqlExecutor {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs several statements separated by semicolons, without parameters (schema scripts). */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
  readonly dialect: 'postgres' | 'pglite';
  /** A short label for logs and health checks, never containing a password. */
  readonly label: string;
}
