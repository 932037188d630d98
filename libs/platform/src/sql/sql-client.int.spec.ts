import { PgliteClient } from './pglite-client';
import { PostgresClient } from './postgres-client';

describe('sql clients', () => {
  it('pglite runs a transaction', async () => {
    const db = await PgliteClient.open('memory://');
    await db.exec('create table t (x int)');
    await db.transaction(async (tx) => {
      await tx.query('insert into t values ($1)', [1]);
    });
    const r = await db.query<{ x: number; xid: string }>('select x, pg_current_xact_id()::text as xid from t');
    expect(r.rows[0].x).toBe(1);
    await db.close();
  });
  it('postgres rolls back', async () => {
    const db = new PostgresClient('postgres://postgres@127.0.0.1:5432/test');
    await expect(
      db.transaction(async (tx) => {
        await tx.query('select 1');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await db.close();
  });
});
