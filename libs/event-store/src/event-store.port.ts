/**
 * The event store port. Every adapter (PostgreSQL, PGlite, later KurrentDB) passes the shared
 * contract suite in `contract/`.
 */

/** Plain JSON: what an event's data and metadata may contain. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue | undefined };
export type JsonObject = { [key: string]: JsonValue | undefined };

/**
 * Position of an event in the store's global order. Events are ordered by `commit`, then by
 * `prepare`. On SQL stores `commit` is the appending transaction's id and `prepare` the global
 * sequence number, so an event of a transaction that commits late still sorts after everything a
 * reader has already been given.
 */
export interface GlobalPosition {
  readonly commit: number;
  readonly prepare: number;
}

export const START_POSITION: GlobalPosition = { commit: 0, prepare: 0 };

/** Revision of a stream: the 0-based index of its last event. A stream with one event has revision 0. */
export type StreamRevision = number;

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | StreamRevision;

export interface EventMetadata extends JsonObject {
  readonly correlationId: string;
  readonly causationId: string;
  /** The decision's author: a user (`user:<sub>` with role) or a service (`service:scheduler`). */
  readonly actor: { readonly id: string; readonly role: string };
  /** ISO-8601 instant at which the command was decided. */
  readonly decidedAt: string;
  readonly schemaVersion?: number;
}

export interface NewEvent<Type extends string = string, Data extends JsonObject = JsonObject> {
  /**
   * UUID. An append whose event ids are all already stored in the same stream is a no-op that
   * succeeds (an idempotent retry). Any other reuse of a stored id raises DuplicateEventIdError.
   */
  readonly id: string;
  readonly type: Type;
  readonly data: Data;
  readonly metadata: EventMetadata;
}

export interface RecordedEvent<Type extends string = string, Data extends JsonObject = JsonObject> extends NewEvent<Type, Data> {
  readonly streamName: string;
  readonly revision: StreamRevision;
  readonly position: GlobalPosition;
  readonly recordedAt: Date;
}

export interface AppendResult {
  readonly streamName: string;
  /** Revision of the stream after the append: pass it as the expected revision of the next one. */
  readonly nextExpectedRevision: StreamRevision;
  readonly position: GlobalPosition;
}

export interface StreamAppend {
  readonly streamName: string;
  readonly events: readonly NewEvent[];
  readonly expectedRevision?: ExpectedRevision;
}

/** Options of `appendToStreams`; an adapter without the notion ignores them. */
export interface AppendOptions {
  /**
   * `deferred` lets the batch commit without waiting for its disk flush, so a crash of the database
   * server shortly after the commit may lose it. Use it only for batches that the caller can append
   * again, such as the targets of an import that a rerun adds again. `flushed` (the default) waits
   * for the flush. The SQL store honours it (see SqlEventStore.appendToStreams); KurrentDB ignores it.
   */
  readonly durability?: 'flushed' | 'deferred';
}

export interface ReadStreamOptions {
  readonly fromRevision?: StreamRevision;
  readonly maxCount?: number;
}

export interface EventFilter {
  /** Only events whose stream name starts with one of these prefixes. */
  readonly streamPrefixes?: readonly string[];
  /** Only events of these types. */
  readonly eventTypes?: readonly string[];
}

export interface ReadAllOptions {
  /** Events strictly after this position; from the beginning when absent. */
  readonly after?: GlobalPosition;
  readonly maxCount?: number;
  readonly filter?: EventFilter;
}

export interface SubscribeOptions extends ReadAllOptions {
  /** Maximum number of events in one yielded batch. */
  readonly maxCount?: number;
  /** How long an idle subscription waits before it polls again, in milliseconds. */
  readonly pollIntervalMs?: number;
}

/** A catch-up then live subscription; it yields batches in global order, each event exactly once. */
export interface EventSubscription extends AsyncIterable<readonly RecordedEvent[]> {
  close(): Promise<void>;
}

export interface EventStore {
  /** Appends atomically; throws WrongExpectedRevisionError when the stream is not at `expectedRevision`. */
  appendToStream(streamName: string, events: readonly NewEvent[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult>;

  /**
   * Appends to several streams in one transaction, with a number of round trips that does not grow
   * with the batch. Each stream's append is atomic and checked on its own: a stream whose revision
   * does not match is skipped and reported as a WrongExpectedRevisionError at its index, while the
   * others are stored.
   */
  appendToStreams(appends: readonly StreamAppend[], options?: AppendOptions): Promise<Array<AppendResult | WrongExpectedRevisionError>>;

  /** Events of one stream, oldest first; an empty array when the stream does not exist. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /**
   * Events of several streams in one round trip: grouped by stream in the order of `streamNames`,
   * each stream oldest first. A stream that does not exist contributes nothing.
   */
  readStreams(streamNames: readonly string[]): Promise<RecordedEvent[]>;

  /** Events of every stream in global order, never past a transaction that may still commit. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;

  subscribeToAll(options?: SubscribeOptions): EventSubscription;

  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  readonly code = 'EVENT_STORE.WRONG_EXPECTED_REVISION';

  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    /** Current revision, or -1 when the stream does not exist. */
    readonly actual: StreamRevision,
  ) {
    super(`stream '${streamName}' is at revision ${actual === -1 ? 'none (no stream)' : actual}, expected ${expected}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/**
 * Raised when an append reuses an event id outside the idempotent-retry rule: the id is stored in
 * another stream, only some of the append's ids are stored in the stream, or the id appears twice
 * in one request.
 */
export class DuplicateEventIdError extends Error {
  readonly code = 'EVENT_STORE.DUPLICATE_EVENT_ID';

  constructor(
    readonly eventId: string,
    readonly streamName: string,
    /** Stream that already stores the id; undefined when the id appears twice in the same request. */
    readonly storedInStreamName?: string,
  ) {
    super(duplicateEventIdMessage(eventId, streamName, storedInStreamName));
    this.name = 'DuplicateEventIdError';
  }
}

function duplicateEventIdMessage(eventId: string, streamName: string, storedInStreamName: string | undefined): string {
  if (storedInStreamName === undefined) {
    return `event id '${eventId}' appears more than once in one append request (again in stream '${streamName}')`;
  }
  if (storedInStreamName !== streamName) {
    return `event id '${eventId}' cannot be appended to stream '${streamName}' because stream '${storedInStreamName}' already stores it`;
  }
  return (
    `event id '${eventId}' is already stored in stream '${streamName}' but other events of the same append are not. ` +
    'An append is an idempotent retry only when every one of its event ids is stored in that stream'
  );
}

/** Raised before any I/O when an argument breaks the port's contract (a malformed id, a negative count). */
export class InvalidEventStoreArgumentError extends Error {
  readonly code = 'EVENT_STORE.INVALID_ARGUMENT';

  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(`${argument}: ${message}`);
    this.name = 'InvalidEventStoreArgumentError';
  }
}

export function comparePositions(a: GlobalPosition, b: GlobalPosition): number {
  return a.commit - b.commit || a.prepare - b.prepare;
}
