import type { SqlExecutor } from '@sms/platform';

/**
 * Takes a transaction-scoped advisory lock on the read model schema. Two processes may set up
 * projections that share a table at the same moment, as campaigns and targets both create
 * `campaigns`. Concurrent CREATE TABLE IF NOT EXISTS statements can then fail with a duplicate-key
 * error on the catalog. Outside a transaction the lock is released at once and protects nothing.
 */
export async function lockSchemaSetup(db: SqlExecutor, quotedSchema: string): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('sms-campaigns:read-models-setup'), hashtext($1))`, [quotedSchema]);
}
