import { randomUUID } from 'node:crypto';
import { SqlExecutor } from '@sms/platform';

/** PostgreSQL used by the integration tests; each test works in a schema of its own. */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Returns a schema name no other test uses, such as `es_test_3f9a0c1b2d4e`. */
export function freshSchemaName(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

export async function dropSchema(db: SqlExecutor, schemaName: string): Promise<void> {
  await db.query(`DROP SCHEMA IF EXISTS "${schemaName}" CASCADE`);
}

export function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
