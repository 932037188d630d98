import { randomUUID } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { ImportFormatError } from '../mapping/import-format-error';
import { TargetRowSource } from '../mapping/source-record';
import { RowRejection, TargetRow, TargetRowResult } from '../mapping/target-row';
import { DatabaseQueryError } from './database-query-error';
import { DatabaseQuery } from './database-reader';
import { openDatabaseRows } from './database-source';

const POSTGRES_URL = process.env.TEST_POSTGRES_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MARIADB_URL = process.env.TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test';

const PARIS = { timeZone: 'Europe/Paris' };

function databaseQuery(url: string, query: string, overrides: Partial<DatabaseQuery> = {}): DatabaseQuery {
  return { connection: 'crm', url, query, statementTimeoutMs: 10_000, connectTimeoutMs: 5_000, batchSize: 500, ...overrides };
}

async function readAll(source: TargetRowSource): Promise<TargetRowResult[]> {
  const rows: TargetRowResult[] = [];
  try {
    for await (const batch of source.rows) {
      rows.push(...batch);
    }
  } finally {
    await source.close();
  }
  return rows;
}

async function failure(source: TargetRowSource): Promise<unknown> {
  try {
    await readAll(source);
  } catch (error) {
    return error;
  }
  throw new Error('the source read to the end');
}

function targets(rows: readonly TargetRowResult[]): TargetRow[] {
  return rows.filter((row): row is TargetRow => row.kind === 'target');
}

function phoneNumberOf(index: number): string {
  return `06${String(index).padStart(8, '0')}`;
}

describe('database import - PostgreSQL', () => {
  const schema = `import_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let admin: Client;

  beforeAll(async () => {
    admin = new Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(
      `CREATE TABLE ${schema}.debtors (id int PRIMARY KEY, telephone text, due date, remind_at timestamp, paid_at timestamptz, amount numeric(10,2), prio int)`,
    );
    await admin.query(
      `INSERT INTO ${schema}.debtors
       SELECT i, '06' || lpad(i::text, 8, '0'), DATE '2026-12-07', TIMESTAMP '2026-12-07 09:00', TIMESTAMPTZ '2026-12-07 09:00Z', 12.5, 1 + i % 10
       FROM generate_series(1, 1200) AS i`,
    );
    await admin.query(`UPDATE ${schema}.debtors SET telephone = '06 39' WHERE id = 7`);
    await admin.query(`CREATE TABLE ${schema}.calls (n int)`);
    await admin.query(
      `CREATE FUNCTION ${schema}.record_call() RETURNS int LANGUAGE sql AS 'INSERT INTO ${schema}.calls VALUES (1) RETURNING n'`,
    );
  });

  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  it('streams every row through the mapping in batches', async () => {
    const source = openDatabaseRows(
      databaseQuery(POSTGRES_URL, `SELECT telephone, remind_at, prio, amount, due, paid_at FROM ${schema}.debtors ORDER BY id`),
      {
        ...PARIS,
        mapping: { telephone: 'phoneNumber', remind_at: 'startDate', prio: 'priority' },
        layoutFields: [
          { key: 'amount', type: 'number' },
          { key: 'paid_at', type: 'date' },
        ],
      },
    );
    const batchSizes: number[] = [];
    const rows: TargetRowResult[] = [];
    for await (const batch of source.rows) {
      batchSizes.push(batch.length);
      rows.push(...batch);
    }
    await source.close();

    expect(batchSizes).toEqual([500, 500, 200]);
    expect(targets(rows)).toHaveLength(1199);
    expect(rows[0]).toEqual({
      kind: 'target',
      line: 1,
      phoneNumber: '+33600000001',
      startDate: '2026-12-07T08:00:00.000Z',
      priority: 2,
      insertIfDuplicate: false,
      timeZone: null,
      layoutValues: { amount: 12.5, due: '2026-12-07', paid_at: '2026-12-07T09:00:00.000Z' },
    });
    expect(rows[6]).toEqual<RowRejection>({
      kind: 'rejected',
      line: 7,
      value: '06 39',
      reason: "phoneNumber '06 39' is not a valid number for FR",
    });
  });

  it('reads a date column with dateFormat set as ISO wall time', async () => {
    const rows = await readAll(
      openDatabaseRows(
        databaseQuery(POSTGRES_URL, `SELECT telephone AS "phoneNumber", due AS "startDate" FROM ${schema}.debtors WHERE id = 1`),
        {
          ...PARIS,
          dateFormat: 'dd/MM/yyyy',
        },
      ),
    );

    expect(rows).toEqual([expect.objectContaining({ kind: 'target', startDate: '2026-12-06T23:00:00.000Z' })]);
  });

  it('rejects a result without a phoneNumber column, even when empty', async () => {
    const error = await failure(openDatabaseRows(databaseQuery(POSTGRES_URL, `SELECT id FROM ${schema}.debtors WHERE false`), PARIS));

    expect(error).toBeInstanceOf(ImportFormatError);
    expect((error as ImportFormatError).message).toMatch(/^the query result has no phoneNumber column \(columns found: id\)/);
  });

  it('fails a write through a function with the read-only error', async () => {
    const error = await failure(openDatabaseRows(databaseQuery(POSTGRES_URL, `SELECT ${schema}.record_call() AS "phoneNumber"`), PARIS));

    expect(error).toBeInstanceOf(DatabaseQueryError);
    expect(error).toMatchObject({
      code: '25006',
      message: "the query on connection 'crm' failed: cannot execute INSERT in a read-only transaction",
    });
    const calls = await admin.query(`SELECT count(*)::int AS count FROM ${schema}.calls`);
    expect(calls.rows[0].count).toBe(0);
  });

  it('fails a DELETE and deletes nothing', async () => {
    const error = await failure(openDatabaseRows(databaseQuery(POSTGRES_URL, `DELETE FROM ${schema}.debtors RETURNING telephone`), PARIS));

    expect(error).toBeInstanceOf(DatabaseQueryError);
    expect((error as DatabaseQueryError).message).toContain('syntax error at or near "DELETE"');
    const count = await admin.query(`SELECT count(*)::int AS count FROM ${schema}.debtors`);
    expect(count.rows[0].count).toBe(1200);
  });

  it('fails a second statement after COMMIT without running it', async () => {
    const error = await failure(
      openDatabaseRows(
        databaseQuery(POSTGRES_URL, `SELECT telephone FROM ${schema}.debtors; COMMIT; DELETE FROM ${schema}.debtors`),
        PARIS,
      ),
    );

    expect(error).toMatchObject({
      code: '42601',
      message: expect.stringContaining('cannot insert multiple commands into a prepared statement'),
    });
    const count = await admin.query(`SELECT count(*)::int AS count FROM ${schema}.debtors`);
    expect(count.rows[0].count).toBe(1200);
  });

  it('cancels a statement that outlives the timeout', async () => {
    const error = await failure(
      openDatabaseRows(
        databaseQuery(POSTGRES_URL, `SELECT '0600000001' AS "phoneNumber" FROM pg_sleep(5)`, { statementTimeoutMs: 200 }),
        PARIS,
      ),
    );

    expect(error).toMatchObject({ code: '57014', message: expect.stringContaining('statement timeout') });
  });

  it('hides the password of a failed connection', async () => {
    const url = 'postgres://import_reader:S3cret-pass@127.0.0.1:5432/no_such_database_here';
    const error = await failure(openDatabaseRows(databaseQuery(url, 'SELECT 1'), PARIS));

    expect(error).toBeInstanceOf(DatabaseQueryError);
    expect((error as Error).message).toMatch(/^the query on connection 'crm' failed: /);
    expect((error as Error).message).not.toContain('S3cret-pass');
  });
});

describe('database import - MariaDB', () => {
  const table = `import_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const connect = () => createConnection(MARIADB_URL);

  beforeAll(async () => {
    const connection = await connect();
    await connection.query(
      `CREATE TABLE ${table} (id INT PRIMARY KEY, telephone VARCHAR(40), remind_at DATETIME, sent_at TIMESTAMP NULL, amount DECIMAL(10,2), big BIGINT)`,
    );
    const values = Array.from({ length: 1200 }, (_, index) => [
      index + 1,
      phoneNumberOf(index + 1),
      '2026-12-07 09:00:00',
      '2026-12-07 09:00:00',
      '40.50',
      '9007199254740993',
    ]);
    await connection.query(`SET time_zone = '+00:00'`);
    await connection.query(`INSERT INTO ${table} VALUES ?`, [values]);
    await connection.end();
  });

  afterAll(async () => {
    const connection = await connect();
    await connection.query(`DROP TABLE IF EXISTS ${table}`);
    await connection.end();
  });

  it('streams every row through the mapping in batches', async () => {
    const source = openDatabaseRows(
      databaseQuery(MARIADB_URL, `SELECT telephone, remind_at, amount, sent_at, big FROM ${table} ORDER BY id`),
      {
        ...PARIS,
        mapping: { telephone: 'phoneNumber', remind_at: 'startDate' },
        layoutFields: [
          { key: 'amount', type: 'number' },
          { key: 'sent_at', type: 'date' },
        ],
      },
    );
    const batchSizes: number[] = [];
    const rows: TargetRowResult[] = [];
    for await (const batch of source.rows) {
      batchSizes.push(batch.length);
      rows.push(...batch);
    }
    await source.close();

    expect(batchSizes).toEqual([500, 500, 200]);
    expect(targets(rows)).toHaveLength(1200);
    expect(rows[1199]).toEqual({
      kind: 'target',
      line: 1200,
      phoneNumber: '+33600001200',
      startDate: '2026-12-07T08:00:00.000Z',
      priority: 5,
      insertIfDuplicate: false,
      timeZone: null,
      layoutValues: { amount: 40.5, sent_at: '2026-12-07T09:00:00.000Z', big: '9007199254740993' },
    });
  });

  it('fails a DELETE with the read-only error and deletes nothing', async () => {
    const error = await failure(openDatabaseRows(databaseQuery(MARIADB_URL, `DELETE FROM ${table}`), PARIS));

    expect(error).toBeInstanceOf(DatabaseQueryError);
    expect(error).toMatchObject({
      code: 'ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION',
      message: "the query on connection 'crm' failed: Cannot execute statement in a READ ONLY transaction",
    });
    const connection = await connect();
    const [count] = await connection.query(`SELECT COUNT(*) AS count FROM ${table}`);
    await connection.end();
    expect(count).toEqual([{ count: 1200 }]);
  });

  it('rejects two statements in one query', async () => {
    const error = await failure(openDatabaseRows(databaseQuery(MARIADB_URL, `SELECT 1; DELETE FROM ${table}`), PARIS));

    expect(error).toMatchObject({ code: 'ER_PARSE_ERROR' });
  });

  it('rejects a result without a phoneNumber column, even when empty', async () => {
    const error = await failure(openDatabaseRows(databaseQuery(MARIADB_URL, `SELECT id FROM ${table} WHERE 1 = 0`), PARIS));

    expect(error).toBeInstanceOf(ImportFormatError);
    expect((error as Error).message).toMatch(/^the query result has no phoneNumber column \(columns found: id\)/);
  });

  it('hides the password of a failed connection', async () => {
    const url = 'mysql://root:S3cret-pass@127.0.0.1:3306/test';
    const error = await failure(openDatabaseRows(databaseQuery(url, 'SELECT 1'), PARIS));

    expect(error).toBeInstanceOf(DatabaseQueryError);
    expect((error as Error).message).not.toContain('S3cret-pass');
  });
});
