import { Pool, PoolConfig } from 'pg';
import { SqlClient, SqlExecutor, SqlQueryResult } from './sql-client';

/** SqlClient over a `pg` pool. */
export class PostgresClient implements SqlClient {
  readonly dialect = 'postgres' as const;
  readonly label: string;
  private readonly pool: Pool;

  constructor(connectionString: string, options: Omit<PoolConfig, 'connectionString'> = {}) {
    this.pool = new Pool({ connectionString, max: 10, ...options });
    this.label = maskPassword(connectionString);
    // An idle client that loses its server emits 'error' on the pool; without a listener the process dies.
    this.pool.on('error', () => undefined);
  }

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<SqlQueryResult<Row>> {
    const result = await this.pool.query(sql, params as unknown[]);
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // The pool listens for errors only on idle clients. A checked-out client whose server goes
    // away (a restart ends every session with 57P01) emits 'error', and with no listener the
    // process dies; the query under way rejects anyway, which is how the caller learns of it.
    let lost: Error | undefined;
    const onError = (error: Error) => (lost = error);
    client.on('error', onError);
    const tx: SqlExecutor = {
      query: async <Row>(sql: string, params: readonly unknown[] = []) => {
        const result = await client.query(sql, params as unknown[]);
        return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
      },
    };
    try {
      await client.query('BEGIN');
      const value = await work(tx);
      await client.query('COMMIT');
      client.off('error', onError);
      client.release();
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.off('error', onError);
      // A client whose connection broke must not go back to the pool.
      client.release(lost ?? (isConnectionError(error) ? (error as Error) : undefined));
      throw error;
    }
  }

  async exec(script: string): Promise<void> {
    await this.pool.query(script);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

export function maskPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return code.startsWith('08') || code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === '57P01';
}
