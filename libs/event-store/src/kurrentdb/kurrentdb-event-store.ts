import {
  AppendResult as ClientAppendResult,
  AppendStreamState,
  BACKWARDS,
  END,
  eventTypeFilter,
  excludeSystemEvents,
  Filter,
  FORWARDS,
  KurrentDBClient,
  NO_STREAM,
  START,
  streamNameFilter,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import {
  AppendOptions,
  AppendResult,
  comparePositions,
  DuplicateEventIdError,
  EventFilter,
  EventStore,
  EventSubscription,
  ExpectedRevision,
  InvalidEventStoreArgumentError,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  START_POSITION,
  StreamAppend,
  StreamRevision,
  SubscribeOptions,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { matchesExpectedRevision } from '../expected-revision';
import { silentLogger, StructuredLogger } from '../logger';
import { assertUuid, fromResolvedEvent, passesFilter, toClientPosition, toEventData } from './kurrentdb-records';
import { KurrentDbSubscription } from './kurrentdb-subscription';
import { maskConnectionString, openKurrentDbClient } from './kurrentdb-connection';

export interface KurrentDbEventStoreOptions {
  /** `kurrentdb://` or `esdb://` connection string, such as `kurrentdb://127.0.0.1:2113?tls=false`. */
  readonly connectionString: string;
  /**
   * Prefix of every stream name this store writes and reads, such as `prod-`. Deployments or tests
   * that share one server each take their own and see none of the others' events. Empty by default.
   */
  readonly namespace?: string;
  /** Maximum wait for the server's first response at start, in ms; 5,000 when absent. */
  readonly connectTimeoutMs?: number;
  /** Receives a warning for each append retried after a concurrent write. */
  readonly logger?: StructuredLogger;
}

/** Default size of a subscription batch, as on the SQL store. */
const DEFAULT_BATCH_SIZE = 500;
/** Attempts of one stream's append when another writer moves the stream between our read and our write. */
const MAX_APPEND_ATTEMPTS = 5;
/** Interval, in events the server scans, at which a filtered read reports its progress. */
const FILTER_CHECKPOINT_INTERVAL = 32;

type AppendOutcome = AppendResult | WrongExpectedRevisionError;

/**
 * The event store on KurrentDB (or EventStoreDB 22.6 and later) through `@kurrent/kurrentdb-client`.
 *
 * Each stream's append is atomic and checked against its expected revision by the server. Before
 * it writes, the store reads the stream to apply the port's idempotency rules, then writes with the
 * exact revision it read, so a writer that slips in between makes the server reject the write and
 * the store checks again.
 *
 * NOTE: the port's rule that an event id stored in another stream raises DuplicateEventIdError
 * does not hold here, because KurrentDB keeps no index of event ids across streams. Only ids
 * repeated within one call and ids stored in the same stream are detected.
 */
export class KurrentDbEventStore implements EventStore {
  private readonly subscriptions = new Set<KurrentDbSubscription>();
  private readonly namespace: string;
  private readonly logger: StructuredLogger;

  constructor(
    readonly client: KurrentDBClient,
    options: Pick<KurrentDbEventStoreOptions, 'namespace' | 'logger'> = {},
  ) {
    this.namespace = options.namespace ?? '';
    this.logger = options.logger ?? silentLogger;
  }

  async appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    const [outcome] = await this.appendToStreams([{ streamName, events, expectedRevision: options.expectedRevision }]);
    if (outcome instanceof WrongExpectedRevisionError) {
      throw outcome;
    }
    return outcome;
  }

  /**
   * Appends each stream of the batch in turn, in batch order, so positions follow the batch.
   *
   * NOTE: KurrentDB gives no transaction across the streams of a batch. Each append is atomic on
   * its own, and a failure part way (a lost connection, a crash) leaves the earlier streams
   * written and the later ones not. Callers retry the whole batch with the same event ids: the
   * streams already written then count as idempotent retries and are not written twice. Round
   * trips grow with the batch: one parallel read of every stream, then two per stream.
   */
  async appendToStreams(appends: readonly StreamAppend[], _options?: AppendOptions): Promise<AppendOutcome[]> {
    validateAppends(appends);
    const streamNames = [...new Set(appends.map((append) => append.streamName))];
    const streams = await Promise.all(streamNames.map((streamName) => this.readStream(streamName)));
    const prefetched = new Map(streamNames.map((streamName, index) => [streamName, streams[index]]));

    const outcomes: AppendOutcome[] = [];
    for (const append of appends) {
      const outcome = await this.appendWithRetries(append, prefetched.get(append.streamName));
      // A stream named again later in the batch is read again, now that it may have grown.
      prefetched.delete(append.streamName);
      outcomes.push(outcome);
    }
    return outcomes;
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const { fromRevision = 0, maxCount } = options;
    checkCount('fromRevision', fromRevision, 0);
    if (maxCount !== undefined) {
      checkCount('maxCount', maxCount, 1);
    }
    const events: RecordedEvent[] = [];
    try {
      const reader = this.client.readStream(this.namespace + streamName, {
        direction: FORWARDS,
        fromRevision: BigInt(fromRevision),
        maxCount: maxCount ?? Number.MAX_SAFE_INTEGER,
      });
      for await (const resolved of reader) {
        const event = fromResolvedEvent(resolved, this.namespace);
        if (event !== undefined) {
          events.push(event);
        }
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) {
        return [];
      }
      throw error;
    }
    return events;
  }

  /** Reads the streams in parallel, one gRPC call each, and returns them in the order given. */
  async readStreams(streamNames: readonly string[]): Promise<RecordedEvent[]> {
    const streams = await Promise.all(streamNames.map((streamName) => this.readStream(streamName)));
    return streams.flat();
  }

  /**
   * Reads `$all` forwards. `after` must be a position this store returned, or absent: the server
   * reads from a record of its log, and other positions may be rejected.
   */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const { after, maxCount, filter } = options;
    if (maxCount !== undefined) {
      checkCount('maxCount', maxCount, 0);
      if (maxCount === 0) {
        return [];
      }
    }
    const events: RecordedEvent[] = [];
    const reader = this.client.readAll({
      direction: FORWARDS,
      fromPosition: after === undefined ? START : toClientPosition(after),
      filter: this.serverFilter(filter),
    });
    for await (const resolved of reader) {
      const event = fromResolvedEvent(resolved, this.namespace);
      if (event === undefined || !passesFilter(event, filter) || (after !== undefined && comparePositions(event.position, after) <= 0)) {
        continue;
      }
      events.push(event);
      if (maxCount !== undefined && events.length >= maxCount) {
        break;
      }
    }
    return events;
  }

  /**
   * Opens a catch-up then live subscription to `$all`, filtered on the server by stream name
   * prefix (or event type prefix when only types are given). `pollIntervalMs` is ignored: the
   * server pushes new events.
   */
  subscribeToAll(options: SubscribeOptions = {}): EventSubscription {
    const batchSize = options.maxCount ?? DEFAULT_BATCH_SIZE;
    checkCount('maxCount', batchSize, 1);
    const source = this.client.subscribeToAll({
      fromPosition: options.after === undefined ? START : toClientPosition(options.after),
      filter: this.serverFilter(options.filter),
    });
    const subscription = new KurrentDbSubscription(
      source,
      { after: options.after, filter: options.filter, namespace: this.namespace, batchSize },
      (closed) => this.subscriptions.delete(closed),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.client.dispose();
  }

  private async appendWithRetries(append: StreamAppend, prefetched: RecordedEvent[] | undefined): Promise<AppendOutcome> {
    const expected = append.expectedRevision ?? 'any';
    let stored = prefetched ?? (await this.readStream(append.streamName));
    for (let attempt = 1; ; attempt += 1) {
      const outcome = this.planAppend(append, expected, stored);
      if (outcome !== undefined) {
        return outcome;
      }
      const actual = stored.length - 1;
      try {
        const written = await this.client.appendToStream(this.namespace + append.streamName, append.events.map(toEventData), {
          streamState: toStreamState(actual),
        });
        return await this.resultOf(append.streamName, written);
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || attempt >= MAX_APPEND_ATTEMPTS) {
          throw error;
        }
        this.logger.warn(
          { streamName: append.streamName, attempt },
          'another writer appended to the stream between our read and our write, checking again',
        );
        stored = await this.readStream(append.streamName);
      }
    }
  }

  /**
   * Returns the outcome of an append that needs no write (an idempotent retry, a revision
   * mismatch, no events), or undefined when the events must be written.
   */
  private planAppend(append: StreamAppend, expected: ExpectedRevision, stored: readonly RecordedEvent[]): AppendOutcome | undefined {
    const actual = stored.length - 1;
    const storedIds = new Map(stored.map((event) => [event.id, event]));
    const alreadyStored = append.events.filter((event) => storedIds.has(event.id));
    if (alreadyStored.length > 0 && alreadyStored.length === append.events.length) {
      const last = stored.filter((event) => append.events.some((appended) => appended.id === event.id)).at(-1) ?? stored[0];
      return { streamName: append.streamName, nextExpectedRevision: last.revision, position: last.position };
    }
    if (alreadyStored.length > 0) {
      throw new DuplicateEventIdError(alreadyStored[0].id, append.streamName, append.streamName);
    }
    if (!matchesExpectedRevision(expected, actual)) {
      return new WrongExpectedRevisionError(append.streamName, expected, actual);
    }
    if (append.events.length === 0) {
      return { streamName: append.streamName, nextExpectedRevision: actual, position: stored.at(-1)?.position ?? START_POSITION };
    }
    return undefined;
  }

  /** Reads back the last event written, so the position returned is the one readers see. */
  private async resultOf(streamName: string, written: ClientAppendResult): Promise<AppendResult> {
    const reader = this.client.readStream(this.namespace + streamName, { direction: BACKWARDS, fromRevision: END, maxCount: 1 });
    for await (const resolved of reader) {
      const last = fromResolvedEvent(resolved, this.namespace);
      if (last !== undefined && BigInt(last.revision) === written.nextExpectedRevision) {
        return { streamName, nextExpectedRevision: last.revision, position: last.position };
      }
    }
    // Another writer appended right after us; our last event is at the revision the server returned.
    const [ours] = await this.readStream(streamName, { fromRevision: Number(written.nextExpectedRevision), maxCount: 1 });
    return { streamName, nextExpectedRevision: ours.revision, position: ours.position };
  }

  /**
   * Builds the server-side filter: our namespace plus the stream prefixes, or the event types as
   * prefixes, or only the namespace. The server filter narrows what crosses the network; the
   * exact port filter is applied to each event read.
   */
  private serverFilter(filter: EventFilter | undefined): Filter {
    const checkpointInterval = FILTER_CHECKPOINT_INTERVAL;
    const prefixes = filter?.streamPrefixes ?? [];
    if (prefixes.length > 0) {
      return streamNameFilter({ prefixes: prefixes.map((prefix) => this.namespace + prefix), checkpointInterval });
    }
    if (this.namespace !== '') {
      return streamNameFilter({ prefixes: [this.namespace], checkpointInterval });
    }
    const types = filter?.eventTypes ?? [];
    if (types.length > 0) {
      return eventTypeFilter({ prefixes: [...types], checkpointInterval });
    }
    return excludeSystemEvents({ checkpointInterval });
  }
}

/** Opens a KurrentDB store and checks that the server responds within `connectTimeoutMs`. */
export async function connectKurrentDbEventStore(options: KurrentDbEventStoreOptions): Promise<KurrentDbEventStore> {
  const client = await openKurrentDbClient(options.connectionString, options.connectTimeoutMs ?? 5_000);
  options.logger?.info(
    { url: maskConnectionString(options.connectionString), namespace: options.namespace ?? '' },
    'KurrentDB event store connected',
  );
  return new KurrentDbEventStore(client, options);
}

function validateAppends(appends: readonly StreamAppend[]): void {
  const seenIds = new Set<string>();
  for (const append of appends) {
    if (typeof append.streamName !== 'string' || append.streamName === '' || append.streamName.startsWith('$')) {
      throw new InvalidEventStoreArgumentError(
        'streamName',
        `'${String(append.streamName)}' is not valid: use a non-empty name that does not start with $`,
      );
    }
    const expected = append.expectedRevision;
    if (typeof expected === 'number') {
      checkCount('expectedRevision', expected, 0);
    }
    for (const event of append.events) {
      assertUuid(event.id, append.streamName);
      if (seenIds.has(event.id)) {
        throw new DuplicateEventIdError(event.id, append.streamName);
      }
      seenIds.add(event.id);
    }
  }
}

function checkCount(argument: string, value: number, minimum: number): void {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new InvalidEventStoreArgumentError(argument, `${String(value)} is not valid: use an integer >= ${minimum}`);
  }
}

function toStreamState(actual: StreamRevision): AppendStreamState {
  return actual === -1 ? NO_STREAM : BigInt(actual);
}
