import { SqlClient } from '@sms/platform';
import { InvalidEventStoreArgumentError } from '../event-store.port';

export const DEFAULT_EVENT_STORE_SCHEMA = 'event_store';

/** Schema-qualified, quoted names of one event store's tables, ready to splice into SQL. */
export interface EventStoreTables {
  readonly schemaName: string;
  readonly events: string;
  readonly streams: string;
  /** The keys of personal data, one per subject (see crypto/sql-subject-key-store.ts). */
  readonly subjectKeys: string;
}

export function eventStoreTables(schemaName: string): EventStoreTables {
  const schema = quoteSchemaName(schemaName, 'schema');
  return { schemaName, events: `${schema}.events`, streams: `${schema}.streams`, subjectKeys: `${schema}.subject_keys` };
}

/**
 * Creates the schema, tables and indexes when missing. Safe to run from several processes at once
 * because every caller takes the same transaction-level advisory lock first.
 */
export async function ensureEventStoreSchema(client: SqlClient, tables: EventStoreTables): Promise<void> {
  await client.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('sms-campaigns:event-store-schema'), hashtext($1))`, [tables.schemaName]);
    for (const statement of schemaStatements(tables)) {
      await tx.query(statement);
    }
  });
}

/**
 * Creates the schema and the subject keys table alone, for a store whose events live elsewhere
 * (KurrentDB) but whose keys live in PostgreSQL. Takes the same lock as `ensureEventStoreSchema`.
 */
export async function ensureSubjectKeySchema(client: SqlClient, tables: EventStoreTables): Promise<void> {
  await client.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('sms-campaigns:event-store-schema'), hashtext($1))`, [tables.schemaName]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS "${tables.schemaName}"`);
    for (const statement of subjectKeyStatements(tables)) {
      await tx.query(statement);
    }
  });
}

/**
 * Quotes a PostgreSQL schema name after checking that it is a plain lower-case identifier, so that
 * a name taken from configuration can never inject SQL.
 */
export function quoteSchemaName(schemaName: string, argument: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schemaName)) {
    throw new InvalidEventStoreArgumentError(
      argument,
      `'${schemaName}' is not a valid schema name: use 1 to 63 lower-case letters, digits or underscores, not starting with a digit`,
    );
  }
  return `"${schemaName}"`;
}

function schemaStatements(tables: EventStoreTables): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS "${tables.schemaName}"`,

    // One row per stream, locked by each append to check the expected revision.
    `CREATE TABLE IF NOT EXISTS ${tables.streams} (
      stream_name text PRIMARY KEY,
      revision bigint NOT NULL CHECK (revision >= 0)
    )`,

    // Readers follow (transaction_id, global_sequence) and stop below the oldest transaction still
    // running, so an event of a transaction that commits late is never skipped. The primary key
    // doubles as the index for that order, which saves a fourth index on every insert.
    // NOTE: transaction ids belong to one cluster. After a dump restored into another cluster, new
    // transaction ids may be lower than the stored ones and readers would skip the new events, so
    // advance the new cluster's next transaction id (pg_resetwal -x) above max(transaction_id).
    `CREATE TABLE IF NOT EXISTS ${tables.events} (
      transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
      global_sequence bigint GENERATED ALWAYS AS IDENTITY,
      stream_name text NOT NULL,
      revision bigint NOT NULL CHECK (revision >= 0),
      event_id uuid NOT NULL,
      event_type text NOT NULL,
      data jsonb NOT NULL,
      metadata jsonb NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT events_global_order PRIMARY KEY (transaction_id, global_sequence),
      CONSTRAINT events_stream_revision UNIQUE (stream_name, revision),
      CONSTRAINT events_event_id UNIQUE (event_id)
    )`,

    ...subjectKeyStatements(tables),
  ];
}

/**
 * One data key per subject (a stream holding personal data). Deleting the row erases the
 * subject's personal fields from every event, since nothing else can decrypt them. `data_key`
 * is the key wrapped under a key derived from the service's secret, and `number_hash` a keyed
 * hash of the subject's phone number, so that an erasure finds the subjects of a number without
 * storing the number.
 */
function subjectKeyStatements(tables: EventStoreTables): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${tables.subjectKeys} (
      subject text PRIMARY KEY,
      key_id uuid NOT NULL,
      data_key text NOT NULL,
      number_hash text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX IF NOT EXISTS subject_keys_by_number ON ${tables.subjectKeys} (number_hash) WHERE number_hash IS NOT NULL`,
  ];
}
