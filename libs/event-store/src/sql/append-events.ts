import { SqlExecutor } from '@sms/platform';
import {
  AppendResult,
  DuplicateEventIdError,
  ExpectedRevision,
  GlobalPosition,
  InvalidEventStoreArgumentError,
  NewEvent,
  START_POSITION,
  StreamAppend,
  StreamRevision,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { matchesExpectedRevision } from '../expected-revision';
import { EventStoreTables } from './event-store-schema';
import { toNumber } from './sql-values';

export type AppendOutcome = AppendResult | WrongExpectedRevisionError;

/**
 * Appends a batch of stream appends inside the caller's transaction. It runs at most four
 * statements whatever the batch size: lock the streams, look up the event ids, write, and look up
 * the positions of empty appends when there are some.
 *
 * Appends are checked in order against the stream's revision as left by the earlier appends of the
 * batch. A conflicting append is skipped and returned as a WrongExpectedRevisionError at its index.
 * An append whose event ids are all stored in its stream is an idempotent retry: it writes nothing
 * and returns the revision and position of the last of those events, whatever its expected
 * revision. Any other reuse of a stored id throws DuplicateEventIdError, and the caller's
 * transaction must then roll back.
 *
 * Existing streams are locked in name order, so two batches cannot deadlock on those locks. A stream
 * created concurrently by another transaction makes the write fail with a unique violation (23505),
 * which the caller handles by retrying the whole batch.
 */
export async function appendWithin(tx: SqlExecutor, tables: EventStoreTables, appends: readonly StreamAppend[]): Promise<AppendOutcome[]> {
  const streamNames = [...new Set(appends.map((append) => append.streamName))].sort();
  const revisions = await lockStreams(tx, tables, streamNames);

  const eventIds = appends.flatMap((append) => append.events.map((event) => event.id));
  const storedEvents = eventIds.length > 0 ? await findStoredEvents(tx, tables, eventIds) : new Map<string, StoredEvent>();

  const plans = planAppends(appends, revisions, storedEvents);

  const writes = plans.filter((plan): plan is WritePlan => plan.kind === 'write');
  const written = writes.length > 0 ? await writeEvents(tx, tables, writes, revisions) : new Map<string, GlobalPosition>();

  const empties = plans.filter((plan): plan is EmptyPlan => plan.kind === 'empty' && plan.revision >= 0);
  const lastPositions = empties.length > 0 ? await findPositions(tx, tables, empties) : new Map<string, GlobalPosition>();

  return plans.map((plan) => toOutcome(plan, written, lastPositions));
}

/**
 * Throws InvalidEventStoreArgumentError or DuplicateEventIdError when a batch cannot be appended
 * whatever the store contains, before any round trip.
 */
export function validateAppends(appends: readonly StreamAppend[]): void {
  const seenIds = new Set<string>();
  for (const append of appends) {
    if (typeof append.streamName !== 'string' || append.streamName.length === 0) {
      throw new InvalidEventStoreArgumentError('streamName', 'a stream name must be a non-empty string');
    }
    validateExpectedRevision(append.expectedRevision);

    for (const event of append.events) {
      validateNewEvent(event, append.streamName);

      const id = event.id.toLowerCase();
      if (seenIds.has(id)) {
        throw new DuplicateEventIdError(event.id, append.streamName);
      }
      seenIds.add(id);
    }
  }
}

interface StoredEvent {
  readonly streamName: string;
  readonly revision: StreamRevision;
  readonly position: GlobalPosition;
}

interface WritePlan {
  readonly kind: 'write';
  readonly streamName: string;
  readonly firstRevision: StreamRevision;
  readonly events: readonly NewEvent[];
}

/** An append of zero events whose expected revision matched; `revision` is -1 when there is no stream. */
interface EmptyPlan {
  readonly kind: 'empty';
  readonly streamName: string;
  readonly revision: StreamRevision;
}

interface SettledPlan {
  readonly kind: 'settled';
  readonly outcome: AppendOutcome;
}

type AppendPlan = WritePlan | EmptyPlan | SettledPlan;

async function lockStreams(
  tx: SqlExecutor,
  tables: EventStoreTables,
  streamNames: readonly string[],
): Promise<Map<string, StreamRevision>> {
  // ORDER BY runs before FOR UPDATE takes the row locks, so locks are taken in name order.
  const result = await tx.query<{ stream_name: string; revision: string | number }>(
    `SELECT stream_name, revision FROM ${tables.streams}
     WHERE stream_name = ANY($1::text[])
     ORDER BY stream_name
     FOR UPDATE`,
    [streamNames],
  );
  return new Map(result.rows.map((row) => [row.stream_name, toNumber(row.revision)]));
}

async function findStoredEvents(tx: SqlExecutor, tables: EventStoreTables, eventIds: readonly string[]): Promise<Map<string, StoredEvent>> {
  const result = await tx.query<{
    event_id: string;
    stream_name: string;
    revision: string | number;
    transaction_id: string;
    global_sequence: string | number;
  }>(
    `SELECT event_id::text AS event_id, stream_name, revision, transaction_id::text AS transaction_id, global_sequence
     FROM ${tables.events}
     WHERE event_id = ANY($1::uuid[])`,
    [eventIds],
  );
  return new Map(
    result.rows.map((row) => [
      row.event_id,
      {
        streamName: row.stream_name,
        revision: toNumber(row.revision),
        position: { commit: toNumber(row.transaction_id), prepare: toNumber(row.global_sequence) },
      },
    ]),
  );
}

function planAppends(
  appends: readonly StreamAppend[],
  lockedRevisions: ReadonlyMap<string, StreamRevision>,
  storedEvents: ReadonlyMap<string, StoredEvent>,
): AppendPlan[] {
  const revisions = new Map(lockedRevisions);

  return appends.map((append): AppendPlan => {
    const replayed = findIdempotentReplay(append, storedEvents);
    if (replayed) {
      return {
        kind: 'settled',
        outcome: { streamName: append.streamName, nextExpectedRevision: replayed.revision, position: replayed.position },
      };
    }

    const actual = revisions.get(append.streamName) ?? -1;
    const expected = append.expectedRevision ?? 'any';
    if (!matchesExpectedRevision(expected, actual)) {
      return { kind: 'settled', outcome: new WrongExpectedRevisionError(append.streamName, expected, actual) };
    }

    if (append.events.length === 0) {
      return { kind: 'empty', streamName: append.streamName, revision: actual };
    }

    revisions.set(append.streamName, actual + append.events.length);
    return { kind: 'write', streamName: append.streamName, firstRevision: actual + 1, events: append.events };
  });
}

/**
 * Returns the last stored event of the append when all its ids are stored in its stream, and
 * undefined when none is stored. Throws DuplicateEventIdError for any other mix.
 */
function findIdempotentReplay(append: StreamAppend, storedEvents: ReadonlyMap<string, StoredEvent>): StoredEvent | undefined {
  let last: StoredEvent | undefined;
  let storedCount = 0;

  for (const event of append.events) {
    const stored = storedEvents.get(event.id.toLowerCase());
    if (!stored) {
      continue;
    }
    if (stored.streamName !== append.streamName) {
      throw new DuplicateEventIdError(event.id, append.streamName, stored.streamName);
    }
    storedCount += 1;
    if (!last || stored.revision > last.revision) {
      last = stored;
    }
  }

  if (storedCount === 0) {
    return undefined;
  }
  if (storedCount < append.events.length) {
    const storedId = append.events.find((event) => storedEvents.has(event.id.toLowerCase()))?.id ?? '';
    throw new DuplicateEventIdError(storedId, append.streamName, append.streamName);
  }
  return last;
}

/**
 * Inserts every planned event and moves each stream to its new revision in one statement, and
 * returns the position of each written event keyed by `positionKey`.
 */
async function writeEvents(
  tx: SqlExecutor,
  tables: EventStoreTables,
  writes: readonly WritePlan[],
  lockedRevisions: ReadonlyMap<string, StreamRevision>,
): Promise<Map<string, GlobalPosition>> {
  const rows = eventRowsOf(writes);
  const finalRevisions = new Map<string, StreamRevision>();
  for (const write of writes) {
    finalRevisions.set(write.streamName, write.firstRevision + write.events.length - 1);
  }
  const created = [...finalRevisions].filter(([streamName]) => !lockedRevisions.has(streamName));
  const advanced = [...finalRevisions].filter(([streamName]) => lockedRevisions.has(streamName));

  // A plain INSERT for new streams, not an upsert: if another transaction created the stream since
  // the lock step, the unique violation makes the caller retry instead of overwriting its revision.
  const result = await tx.query<WrittenRow>(
    `WITH inserted AS (
       INSERT INTO ${tables.events} (stream_name, revision, event_id, event_type, data, metadata)
       SELECT stream_name, revision, event_id, event_type, data, metadata FROM ${EVENT_ROWS} ORDER BY ordinal
       RETURNING stream_name, revision, global_sequence
     ),
     created AS (
       INSERT INTO ${tables.streams} (stream_name, revision)
       SELECT * FROM json_to_recordset($2::json) AS target (stream_name text, revision bigint)
     ),
     advanced AS (
       UPDATE ${tables.streams} AS streams SET revision = target.revision
       FROM json_to_recordset($3::json) AS target (stream_name text, revision bigint)
       WHERE streams.stream_name = target.stream_name
     )
     SELECT stream_name, revision, global_sequence, pg_current_xact_id()::text AS transaction_id FROM inserted`,
    [JSON.stringify(rows), JSON.stringify(created.map(toStreamRow)), JSON.stringify(advanced.map(toStreamRow))],
  );
  return toPositions(result.rows);
}

/**
 * Returns whether `appendNewStreamsWithin` can take the batch: every append creates its stream
 * (`no_stream`) with at least one event, and no stream appears twice.
 */
export function createsNewStreamsOnly(appends: readonly StreamAppend[]): boolean {
  return distinctStreamsWithEvents(appends, (expected) => expected === 'no_stream');
}

/**
 * Appends a batch that `createsNewStreamsOnly` accepts, with the outcomes of `appendWithin`, in one
 * statement when no stream exists yet. The stream rows are inserted in name order with
 * ON CONFLICT DO NOTHING, which waits for a concurrent transaction creating the same stream and
 * then skips it, and events are written only for the streams this statement created. A stream that
 * already existed is either an idempotent retry (all its event ids stored in it) or a conflict,
 * which a second query distinguishes; that query runs only when there is such a stream.
 *
 * An event id stored in another stream makes the insert fail with a unique violation (23505). The
 * caller then retries the batch with `appendWithin`, which reports it as DuplicateEventIdError.
 */
export async function appendNewStreamsWithin(
  tx: SqlExecutor,
  tables: EventStoreTables,
  appends: readonly StreamAppend[],
): Promise<AppendOutcome[]> {
  const writes = writePlansOf(appends, () => 0);

  const result = await tx.query<WrittenRow>(
    `WITH input AS (
       SELECT * FROM ${EVENT_ROWS}
     ),
     created AS (
       INSERT INTO ${tables.streams} (stream_name, revision)
       SELECT stream_name, max(revision) FROM input GROUP BY stream_name ORDER BY stream_name
       ON CONFLICT (stream_name) DO NOTHING
       RETURNING stream_name
     ),
     inserted AS (
       INSERT INTO ${tables.events} (stream_name, revision, event_id, event_type, data, metadata)
       SELECT input.stream_name, input.revision, input.event_id, input.event_type, input.data, input.metadata
       FROM input JOIN created USING (stream_name)
       ORDER BY input.ordinal
       RETURNING stream_name, revision, global_sequence
     )
     SELECT stream_name, revision, global_sequence, pg_current_xact_id()::text AS transaction_id FROM inserted`,
    [JSON.stringify(eventRowsOf(writes))],
  );
  return settleOneStatement(tx, tables, appends, writes, toPositions(result.rows));
}

/**
 * Returns the outcome of each append that a one-statement path did not write: the stored result
 * of an idempotent retry, or a WrongExpectedRevisionError with the stream's revision.
 */
async function settleUnwritten(
  tx: SqlExecutor,
  tables: EventStoreTables,
  unwritten: ReadonlyArray<{ readonly write: WritePlan; readonly expected: ExpectedRevision }>,
): Promise<Map<string, AppendOutcome>> {
  const streamNames = unwritten.map(({ write }) => write.streamName);
  const revisions = await tx.query<{ stream_name: string; revision: string | number }>(
    `SELECT stream_name, revision FROM ${tables.streams} WHERE stream_name = ANY($1::text[])`,
    [streamNames],
  );
  const actual = new Map(revisions.rows.map((row) => [row.stream_name, toNumber(row.revision)]));
  const storedEvents = await findStoredEvents(
    tx,
    tables,
    unwritten.flatMap(({ write }) => write.events.map((event) => event.id)),
  );

  const outcomes = new Map<string, AppendOutcome>();
  for (const { write, expected } of unwritten) {
    const replayed = findIdempotentReplay({ streamName: write.streamName, events: write.events }, storedEvents);
    outcomes.set(
      write.streamName,
      replayed
        ? { streamName: write.streamName, nextExpectedRevision: replayed.revision, position: replayed.position }
        : new WrongExpectedRevisionError(write.streamName, expected, actual.get(write.streamName) ?? -1),
    );
  }
  return outcomes;
}

/**
 * Returns whether `appendAtRevisionsWithin` can take the batch: every append expects its stream
 * at a given revision and has at least one event, and no stream appears twice.
 */
export function expectsRevisionsOnly(appends: readonly StreamAppend[]): boolean {
  return distinctStreamsWithEvents(appends, (expected) => typeof expected === 'number');
}

/**
 * Appends a batch that `expectsRevisionsOnly` accepts, with the outcomes of `appendWithin`, in one
 * statement. It locks, in name order, the stream rows still at their expected revision, moves
 * them on and inserts their events. The appends it did not write are either idempotent retries
 * or conflicts, and a second query, run only when there are any, finds out which. An
 * event id stored already makes the insert fail with a unique violation (23505), and the caller
 * then retries the batch with `appendWithin`.
 */
export async function appendAtRevisionsWithin(
  tx: SqlExecutor,
  tables: EventStoreTables,
  appends: readonly StreamAppend[],
): Promise<AppendOutcome[]> {
  const writes = writePlansOf(appends, (append) => Number(append.expectedRevision) + 1);
  const expected = writes.map((write) => ({
    stream_name: write.streamName,
    revision: write.firstRevision - 1,
    next_revision: write.firstRevision + write.events.length - 1,
  }));

  const result = await tx.query<WrittenRow>(
    `WITH input AS (
       SELECT * FROM ${EVENT_ROWS}
     ),
     expected AS (
       SELECT * FROM json_to_recordset($2::json) AS expected (stream_name text, revision bigint, next_revision bigint)
     ),
     locked AS (
       SELECT streams.stream_name FROM ${tables.streams} AS streams JOIN expected USING (stream_name)
       WHERE streams.revision = expected.revision
       ORDER BY streams.stream_name
       FOR UPDATE OF streams
     ),
     moved AS (
       UPDATE ${tables.streams} AS streams SET revision = expected.next_revision
       FROM locked JOIN expected USING (stream_name)
       WHERE streams.stream_name = locked.stream_name AND streams.revision = expected.revision
       RETURNING streams.stream_name
     ),
     inserted AS (
       INSERT INTO ${tables.events} (stream_name, revision, event_id, event_type, data, metadata)
       SELECT input.stream_name, input.revision, input.event_id, input.event_type, input.data, input.metadata
       FROM input JOIN moved USING (stream_name)
       ORDER BY input.ordinal
       RETURNING stream_name, revision, global_sequence
     )
     SELECT stream_name, revision, global_sequence, pg_current_xact_id()::text AS transaction_id FROM inserted`,
    [JSON.stringify(eventRowsOf(writes)), JSON.stringify(expected)],
  );
  return settleOneStatement(tx, tables, appends, writes, toPositions(result.rows));
}

/**
 * Returns whether `appendAtAnyRevisionWithin` can take the batch: no append expects a revision
 * (`any`), each has at least one event, and no stream appears twice.
 */
export function expectsAnyRevisionOnly(appends: readonly StreamAppend[]): boolean {
  return distinctStreamsWithEvents(appends, (expected) => expected === undefined || expected === 'any');
}

/**
 * Appends a batch that `expectsAnyRevisionOnly` accepts in one statement. Each stream row is
 * created or moved on by an upsert, in name order, which locks it and returns its new revision,
 * and the events are numbered from there. An event id stored already makes the insert fail with
 * a unique violation (23505), and the caller then retries the batch with `appendWithin`, which
 * recognises an idempotent retry.
 */
export async function appendAtAnyRevisionWithin(
  tx: SqlExecutor,
  tables: EventStoreTables,
  appends: readonly StreamAppend[],
): Promise<AppendOutcome[]> {
  // Revisions here are offsets within each append; the statement adds the stream's revision.
  const offsets = writePlansOf(appends, () => 0);
  const result = await tx.query<WrittenRow>(
    `WITH input AS (
       SELECT * FROM ${EVENT_ROWS}
     ),
     counted AS (
       SELECT stream_name, count(*) AS events FROM input GROUP BY stream_name
     ),
     moved AS (
       INSERT INTO ${tables.streams} AS streams (stream_name, revision)
       SELECT stream_name, events - 1 FROM counted ORDER BY stream_name
       ON CONFLICT (stream_name) DO UPDATE SET revision = streams.revision + EXCLUDED.revision + 1
       RETURNING streams.stream_name, streams.revision
     ),
     inserted AS (
       INSERT INTO ${tables.events} (stream_name, revision, event_id, event_type, data, metadata)
       SELECT input.stream_name, moved.revision - counted.events + 1 + input.revision, input.event_id, input.event_type,
              input.data, input.metadata
       FROM input JOIN moved USING (stream_name) JOIN counted USING (stream_name)
       ORDER BY input.ordinal
       RETURNING stream_name, revision, global_sequence
     )
     SELECT stream_name, revision, global_sequence, pg_current_xact_id()::text AS transaction_id FROM inserted`,
    [JSON.stringify(eventRowsOf(offsets))],
  );
  const lastRevisions = new Map<string, number>();
  for (const row of result.rows) {
    lastRevisions.set(row.stream_name, Math.max(lastRevisions.get(row.stream_name) ?? -1, toNumber(row.revision)));
  }
  const written = toPositions(result.rows);
  return appends.map((append) => {
    const lastRevision = lastRevisions.get(append.streamName);
    const position = lastRevision === undefined ? undefined : written.get(positionKey(append.streamName, lastRevision));
    if (lastRevision === undefined || position === undefined) {
      throw new Error(`Internal error: the upsert of stream '${append.streamName}' returned no position`);
    }
    return { streamName: append.streamName, nextExpectedRevision: lastRevision, position };
  });
}

/** Returns the outcome of each write of a one-statement path: written, or settled by `settleUnwritten`. */
async function settleOneStatement(
  tx: SqlExecutor,
  tables: EventStoreTables,
  appends: readonly StreamAppend[],
  writes: readonly WritePlan[],
  written: ReadonlyMap<string, GlobalPosition>,
): Promise<AppendOutcome[]> {
  const unwritten = writes
    .map((write, index) => ({ write, expected: appends[index].expectedRevision ?? 'any' }))
    .filter(({ write }) => !written.has(positionKey(write.streamName, write.firstRevision + write.events.length - 1)));
  const settled = unwritten.length > 0 ? await settleUnwritten(tx, tables, unwritten) : new Map<string, AppendOutcome>();
  return writes.map((write) => settled.get(write.streamName) ?? toOutcome(write, written, new Map()));
}

/** Plans each append as a write of all its events, the first at the revision `firstRevisionOf` gives. */
function writePlansOf(appends: readonly StreamAppend[], firstRevisionOf: (append: StreamAppend) => StreamRevision): WritePlan[] {
  return appends.map((append) => ({
    kind: 'write',
    streamName: append.streamName,
    firstRevision: firstRevisionOf(append),
    events: append.events,
  }));
}

function distinctStreamsWithEvents(
  appends: readonly StreamAppend[],
  accepts: (expected: ExpectedRevision | undefined) => boolean,
): boolean {
  const names = new Set<string>();
  for (const append of appends) {
    if (!accepts(append.expectedRevision) || append.events.length === 0 || names.has(append.streamName)) {
      return false;
    }
    names.add(append.streamName);
  }
  return true;
}

/**
 * The events of parameter `$1`, a JSON array of `EventRow`, as a FROM item. One JSON text costs the
 * client a single JSON.stringify, where an array parameter per column made `pg` escape every
 * element in JavaScript (13% of the service's CPU in a 100,000-row import).
 */
const EVENT_ROWS = `json_to_recordset($1::json) AS event_row (
         stream_name text, revision bigint, event_id uuid, event_type text, data jsonb, metadata jsonb, ordinal integer
       )`;

interface EventRow {
  readonly stream_name: string;
  readonly revision: StreamRevision;
  readonly event_id: string;
  readonly event_type: string;
  readonly data: NewEvent['data'];
  readonly metadata: NewEvent['metadata'];
  /** Place in the batch, so that events are stored in the order the batch lists them. */
  readonly ordinal: number;
}

interface WrittenRow {
  stream_name: string;
  revision: string | number;
  global_sequence: string | number;
  transaction_id: string;
}

function eventRowsOf(writes: readonly WritePlan[]): EventRow[] {
  const rows: EventRow[] = [];
  for (const write of writes) {
    write.events.forEach((event, offset) => {
      rows.push({
        stream_name: write.streamName,
        revision: write.firstRevision + offset,
        event_id: event.id,
        event_type: event.type,
        data: event.data,
        metadata: event.metadata,
        ordinal: rows.length,
      });
    });
  }
  return rows;
}

function toStreamRow([streamName, revision]: [string, StreamRevision]): { stream_name: string; revision: StreamRevision } {
  return { stream_name: streamName, revision };
}

function toPositions(rows: readonly WrittenRow[]): Map<string, GlobalPosition> {
  return new Map(
    rows.map((row) => [
      positionKey(row.stream_name, toNumber(row.revision)),
      { commit: toNumber(row.transaction_id), prepare: toNumber(row.global_sequence) },
    ]),
  );
}

async function findPositions(
  tx: SqlExecutor,
  tables: EventStoreTables,
  empties: readonly EmptyPlan[],
): Promise<Map<string, GlobalPosition>> {
  const result = await tx.query<{
    stream_name: string;
    revision: string | number;
    transaction_id: string;
    global_sequence: string | number;
  }>(
    `SELECT events.stream_name, events.revision, events.transaction_id::text AS transaction_id, events.global_sequence
     FROM ${tables.events} AS events
     JOIN unnest($1::text[], $2::bigint[]) AS target (stream_name, revision)
       ON events.stream_name = target.stream_name AND events.revision = target.revision`,
    [empties.map((plan) => plan.streamName), empties.map((plan) => plan.revision)],
  );
  return new Map(
    result.rows.map((row) => [
      positionKey(row.stream_name, toNumber(row.revision)),
      { commit: toNumber(row.transaction_id), prepare: toNumber(row.global_sequence) },
    ]),
  );
}

function toOutcome(
  plan: AppendPlan,
  written: ReadonlyMap<string, GlobalPosition>,
  lastPositions: ReadonlyMap<string, GlobalPosition>,
): AppendOutcome {
  switch (plan.kind) {
    case 'settled':
      return plan.outcome;
    case 'empty':
      return {
        streamName: plan.streamName,
        nextExpectedRevision: plan.revision,
        position: lastPositions.get(positionKey(plan.streamName, plan.revision)) ?? START_POSITION,
      };
    case 'write': {
      const lastRevision = plan.firstRevision + plan.events.length - 1;
      const position = written.get(positionKey(plan.streamName, lastRevision));
      if (!position) {
        throw new Error(`Internal error: the insert into stream '${plan.streamName}' returned no position for revision ${lastRevision}`);
      }
      return { streamName: plan.streamName, nextExpectedRevision: lastRevision, position };
    }
  }
}

function positionKey(streamName: string, revision: StreamRevision): string {
  return `${revision}:${streamName}`;
}

function validateExpectedRevision(expected: ExpectedRevision | undefined): void {
  if (expected === undefined || expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') {
    return;
  }
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new InvalidEventStoreArgumentError(
      'expectedRevision',
      `${String(expected)} is not valid: use 'any', 'no_stream', 'stream_exists' or a revision >= 0`,
    );
  }
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function validateNewEvent(event: NewEvent, streamName: string): void {
  if (typeof event.id !== 'string' || !UUID_PATTERN.test(event.id)) {
    throw new InvalidEventStoreArgumentError(
      'event.id',
      `'${String(event.id)}' in an append to stream '${streamName}' is not a UUID (use crypto.randomUUID())`,
    );
  }
  if (typeof event.type !== 'string' || event.type.length === 0) {
    throw new InvalidEventStoreArgumentError('event.type', `event '${event.id}' has no type`);
  }
  if (!isPlainObject(event.data)) {
    throw new InvalidEventStoreArgumentError('event.data', `data of event '${event.id}' must be a JSON object`);
  }
  if (!isPlainObject(event.metadata)) {
    throw new InvalidEventStoreArgumentError('event.metadata', `metadata of event '${event.id}' must be a JSON object`);
  }
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
