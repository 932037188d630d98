import { randomUUID } from 'node:crypto';
import { PgliteClient, PostgresClient, SqlClient } from '@sms/platform';

/** A database that the integration tests run against. Both kinds speak the same SQL. */
export interface TestDatabase {
  readonly name: 'pglite' | 'postgres';
  open(): Promise<SqlClient>;
}

/** PostgreSQL URL of the tests, overridden by TEST_DATABASE_URL. The tests create and drop their own schemas in it. */
const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const TEST_DATABASES: readonly TestDatabase[] = [
  { name: 'pglite', open: () => PgliteClient.open('memory://') },
  { name: 'postgres', open: async () => new PostgresClient(POSTGRES_URL, { max: 4 }) },
];

/** The client and schema of the running test. */
export interface TestSchema {
  readonly db: SqlClient;
  readonly schema: string;
}

/**
 * Registers hooks that open `database` once for the enclosing `describe` and give each test a
 * fresh schema, dropped after the test. Read `db` and `schema` inside tests and hooks only.
 */
export function useTestSchema(database: TestDatabase): TestSchema {
  let client: SqlClient | null = null;
  let schema: string | null = null;

  beforeAll(async () => {
    client = await database.open();
  });
  afterAll(async () => {
    await client?.close();
  });
  beforeEach(() => {
    schema = `read_models_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  });
  afterEach(async () => {
    if (client !== null && schema !== null) {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  return {
    get db(): SqlClient {
      if (client === null) {
        throw new Error(`the ${database.name} test database is not open: read db inside a test or hook`);
      }
      return client;
    },
    get schema(): string {
      if (schema === null) {
        throw new Error('no test schema yet: read schema inside a test or hook');
      }
      return schema;
    },
  };
}
