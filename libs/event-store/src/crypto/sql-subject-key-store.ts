import { SqlClient, SqlExecutor } from '@sms/platform';
import { DEFAULT_EVENT_STORE_SCHEMA, ensureSubjectKeySchema, EventStoreTables, eventStoreTables } from '../sql/event-store-schema';
import { NewSubjectKey, StoredSubjectKey, SubjectKeyStore } from './subject-key-store.port';

export interface SqlSubjectKeyStoreOptions {
  /** Schema of the event store, which contains the `subject_keys` table; `event_store` when absent. */
  readonly schema?: string;
  /**
   * Whether the events sealed with these keys are stored on the same PostgreSQL server. New keys
   * are then committed without waiting for their disk flush, which is safe because WAL is written
   * in order: any event that survives a crash was committed after its key, so the key survives
   * too. Leave it false when the events live elsewhere (KurrentDB).
   */
  readonly eventsOnSameServer?: boolean;
}

type KeyRow = { subject: string; key_id: string; data_key: string };

/** Subject keys in the event store's schema on PostgreSQL or PGlite. */
export class SqlSubjectKeyStore implements SubjectKeyStore {
  private readonly tables: EventStoreTables;

  constructor(
    private readonly client: SqlClient,
    private readonly options: SqlSubjectKeyStoreOptions = {},
  ) {
    this.tables = eventStoreTables(options.schema ?? DEFAULT_EVENT_STORE_SCHEMA);
  }

  /** Creates the table when missing; the SQL event store's own set-up creates it too. */
  async ensureSchema(): Promise<void> {
    await ensureSubjectKeySchema(this.client, this.tables);
  }

  /**
   * Inserts the batch's keys in one statement, which also returns the keys stored before. A
   * subject inserted by a concurrent transaction that commits during the statement is skipped
   * by ON CONFLICT but not yet visible to it, so a second query reads those few.
   */
  async createKeys(keys: readonly NewSubjectKey[]): Promise<StoredSubjectKey[]> {
    if (keys.length === 0) {
      return [];
    }
    const rows = keys.map((key) => ({ subject: key.subject, key_id: key.keyId, data_key: key.wrappedKey, number_hash: key.numberHash }));
    const result = this.options.eventsOnSameServer
      ? await this.client.transaction(async (tx) => {
          await tx.query('SET LOCAL synchronous_commit = off');
          return this.insertKeys(tx, rows);
        })
      : await this.insertKeys(this.client, rows);

    const stored = result.map(toStoredKey);
    const found = new Set(stored.map((key) => key.subject));
    const missing = keys.filter((key) => !found.has(key.subject)).map((key) => key.subject);
    return missing.length === 0 ? stored : [...stored, ...(await this.findKeys(missing))];
  }

  async findKeys(subjects: readonly string[]): Promise<StoredSubjectKey[]> {
    if (subjects.length === 0) {
      return [];
    }
    const { rows } = await this.client.query<KeyRow>(
      `SELECT subject, key_id::text AS key_id, data_key FROM ${this.tables.subjectKeys} WHERE subject = ANY($1::text[])`,
      [[...new Set(subjects)]],
    );
    return rows.map(toStoredKey);
  }

  async findSubjectsByNumberHash(numberHash: string): Promise<string[]> {
    const { rows } = await this.client.query<{ subject: string }>(
      `SELECT subject FROM ${this.tables.subjectKeys} WHERE number_hash = $1 ORDER BY subject`,
      [numberHash],
    );
    return rows.map((row) => row.subject);
  }

  async deleteKeys(subjects: readonly string[]): Promise<string[]> {
    if (subjects.length === 0) {
      return [];
    }
    const { rows } = await this.client.query<{ subject: string }>(
      `DELETE FROM ${this.tables.subjectKeys} WHERE subject = ANY($1::text[]) RETURNING subject`,
      [[...new Set(subjects)]],
    );
    return rows.map((row) => row.subject);
  }

  private async insertKeys(db: SqlExecutor, rows: readonly Record<string, string | null>[]): Promise<KeyRow[]> {
    // Rows are inserted in subject order, so two batches sharing subjects lock them in the same order.
    const { rows: stored } = await db.query<KeyRow>(
      `WITH input AS (
         SELECT * FROM json_to_recordset($1::json) AS key_row (subject text, key_id uuid, data_key text, number_hash text)
       ),
       inserted AS (
         INSERT INTO ${this.tables.subjectKeys} (subject, key_id, data_key, number_hash)
         SELECT subject, key_id, data_key, number_hash FROM input ORDER BY subject
         ON CONFLICT (subject) DO NOTHING
         RETURNING subject, key_id, data_key
       )
       SELECT subject, key_id::text AS key_id, data_key FROM inserted
       UNION ALL
       SELECT stored.subject, stored.key_id::text, stored.data_key
       FROM ${this.tables.subjectKeys} stored JOIN input USING (subject)`,
      [JSON.stringify(rows)],
    );
    return stored;
  }
}

function toStoredKey(row: KeyRow): StoredSubjectKey {
  return { subject: row.subject, keyId: row.key_id, wrappedKey: row.data_key };
}
