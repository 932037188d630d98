import { SqlExecutor } from '@sms/platform';
import {
  EventFilter,
  EventMetadata,
  GlobalPosition,
  InvalidEventStoreArgumentError,
  JsonObject,
  ReadStreamOptions,
  RecordedEvent,
  START_POSITION,
} from '../event-store.port';
import { EventStoreTables } from './event-store-schema';
import { toNumber } from './sql-values';

export interface ReadAllPageRequest {
  readonly after?: GlobalPosition;
  /** Absent for no limit. */
  readonly maxCount?: number;
  readonly filter?: EventFilter;
}

export interface ReadAllPage {
  readonly events: RecordedEvent[];
  /**
   * Oldest transaction id still running when the page was read. Every event of a lower
   * transaction id was final, so a page shorter than `maxCount` has returned every matching event
   * below it.
   */
  readonly horizon: number;
}

const EVENT_COLUMNS = `transaction_id, global_sequence, stream_name, revision, event_id, event_type, data, metadata, recorded_at`;

interface EventRow {
  transaction_id: string;
  global_sequence: string | number;
  stream_name: string;
  revision: string | number;
  event_id: string;
  event_type: string;
  data: unknown;
  metadata: unknown;
  recorded_at: Date | string;
}

export async function readStreamEvents(
  db: SqlExecutor,
  tables: EventStoreTables,
  streamName: string,
  options: ReadStreamOptions = {},
): Promise<RecordedEvent[]> {
  const fromRevision = options.fromRevision ?? 0;
  validateCount('fromRevision', fromRevision);
  if (options.maxCount !== undefined) {
    validateCount('maxCount', options.maxCount);
  }

  const result = await db.query<EventRow>(
    `SELECT transaction_id::text AS transaction_id, global_sequence, stream_name, revision,
            event_id::text AS event_id, event_type, data, metadata, recorded_at
     FROM ${tables.events}
     WHERE stream_name = $1 AND revision >= $2
     ORDER BY revision
     LIMIT $3`,
    [streamName, fromRevision, options.maxCount ?? null],
  );
  return result.rows.map(toRecordedEvent);
}

export async function readStreamsEvents(
  db: SqlExecutor,
  tables: EventStoreTables,
  streamNames: readonly string[],
): Promise<RecordedEvent[]> {
  if (streamNames.length === 0) {
    return [];
  }
  const result = await db.query<EventRow>(
    `SELECT transaction_id::text AS transaction_id, global_sequence, e.stream_name, revision,
            event_id::text AS event_id, event_type, data, metadata, recorded_at
     FROM unnest($1::text[]) WITH ORDINALITY AS wanted(stream_name, place)
     JOIN ${tables.events} e ON e.stream_name = wanted.stream_name
     ORDER BY wanted.place, e.revision`,
    [streamNames],
  );
  return result.rows.map(toRecordedEvent);
}

/**
 * Reads events in global order after `request.after`, never past the oldest transaction still
 * running. A transaction that commits late has a lower id than later ones, so a reader that went
 * past it would never come back for its events.
 *
 * NOTE: the oldest running transaction is cluster-wide. Any transaction that has written, in any
 * database of the cluster, stops every reader at its transaction id until it ends. Keep
 * transactions short and watch for sessions left idle in transaction.
 */
export async function readAllPage(db: SqlExecutor, tables: EventStoreTables, request: ReadAllPageRequest): Promise<ReadAllPage> {
  const after = request.after ?? START_POSITION;
  validatePosition(after);
  if (request.maxCount !== undefined) {
    validateCount('maxCount', request.maxCount);
  }

  const params: unknown[] = [String(after.commit), after.prepare, request.maxCount ?? null];
  const conditions: string[] = [];
  if (request.filter?.streamPrefixes) {
    params.push(request.filter.streamPrefixes.map((prefix) => `${escapeLikePattern(prefix)}%`));
    conditions.push(`AND events.stream_name LIKE ANY ($${params.length}::text[])`);
  }
  if (request.filter?.eventTypes) {
    params.push([...request.filter.eventTypes]);
    conditions.push(`AND events.event_type = ANY ($${params.length}::text[])`);
  }

  // The LEFT JOIN returns the horizon even when no event matches, which lets a filtered
  // subscription move past a long run of events it does not want.
  const result = await db.query<{ [Column in keyof EventRow]: EventRow[Column] | null } & { horizon: string }>(
    `WITH horizon AS MATERIALIZED (
       SELECT pg_snapshot_xmin(pg_current_snapshot()) AS transaction_id
     )
     SELECT horizon.transaction_id::text AS horizon,
            page.transaction_id::text AS transaction_id, page.global_sequence, page.stream_name, page.revision,
            page.event_id::text AS event_id, page.event_type, page.data, page.metadata, page.recorded_at
     FROM horizon
     LEFT JOIN LATERAL (
       SELECT ${EVENT_COLUMNS}
       FROM ${tables.events} AS events
       WHERE (events.transaction_id, events.global_sequence) > ($1::text::xid8, $2::bigint)
         AND events.transaction_id < horizon.transaction_id
         ${conditions.join('\n         ')}
       ORDER BY events.transaction_id, events.global_sequence
       LIMIT $3
     ) AS page ON true
     ORDER BY page.transaction_id, page.global_sequence`,
    params,
  );

  const [first] = result.rows;
  if (!first) {
    throw new Error('Internal error: the read-all query returned no horizon row');
  }
  const events = first.transaction_id === null ? [] : result.rows.map((row) => toRecordedEvent(row as EventRow));
  return { events, horizon: toNumber(first.horizon) };
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.event_type,
    // The store writes only JSON objects in both columns (checked before each append).
    data: row.data as JsonObject,
    metadata: row.metadata as EventMetadata,
    streamName: row.stream_name,
    revision: toNumber(row.revision),
    position: { commit: toNumber(row.transaction_id), prepare: toNumber(row.global_sequence) },
    recordedAt: row.recorded_at instanceof Date ? row.recorded_at : new Date(row.recorded_at),
  };
}

function escapeLikePattern(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function validateCount(argument: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidEventStoreArgumentError(argument, `${String(value)} is not valid: use an integer >= 0`);
  }
}

function validatePosition(position: GlobalPosition): void {
  if (!Number.isSafeInteger(position.commit) || position.commit < 0 || !Number.isSafeInteger(position.prepare) || position.prepare < 0) {
    throw new InvalidEventStoreArgumentError(
      'after',
      `position {commit: ${String(position.commit)}, prepare: ${String(position.prepare)}} is not valid: both must be integers >= 0`,
    );
  }
}
