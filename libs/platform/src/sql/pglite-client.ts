import type { PGlite, Transaction } from '@electric-sql/pglite';
import { SqlClient, SqlExecutor, SqlQueryResult } from './sql-client';

/**
 * SqlClient over PGlite, PostgreSQL compiled to WebAssembly, stored under `dataDir`
 * (`memory://` keeps it in memory). PGlite has one connection: its transactions are serialised.
 */
export class PgliteClient implements SqlClient {
  readonly dialect = 'pglite' as const;
  readonly label: string;

  private constructor(
    private readonly db: PGlite,
    dataDir: string,
  ) {
    this.label = `pglite:${dataDir}`;
  }

  static async open(dataDir: string): Promise<PgliteClient> {
    // PGlite ships as an ES module; the dynamic import keeps this CommonJS build loading it.
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create(dataDir === 'memory://' ? undefined : dataDir);
    return new PgliteClient(db, dataDir);
  }

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<SqlQueryResult<Row>> {
    const result = await this.db.query<Row>(sql, params as unknown[]);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction(async (transaction: Transaction) => {
      const tx: SqlExecutor = {
        query: async <Row>(sql: string, params: readonly unknown[] = []) => {
          const result = await transaction.query<Row>(sql, params as unknown[]);
          return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
        },
      };
      return work(tx);
    });
  }

  async exec(script: string): Promise<void> {
    await this.db.exec(script);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
