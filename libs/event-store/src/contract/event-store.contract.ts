import { randomUUID } from 'node:crypto';
import {
  AppendResult,
  comparePositions,
  DuplicateEventIdError,
  EventMetadata,
  EventStore,
  EventSubscription,
  ExpectedRevision,
  GlobalPosition,
  InvalidEventStoreArgumentError,
  JsonObject,
  NewEvent,
  RecordedEvent,
  WrongExpectedRevisionError,
} from '../event-store.port';

/** One isolated event store for one test, and how to dispose of it. */
export interface EventStoreContractFixture {
  readonly store: EventStore;
  /**
   * Opens another store on the same data through its own connection, so that concurrent
   * transactions really interleave. The suite closes it. Leave it out when the adapter has a single
   * connection (PGlite), and the concurrency test shares `store`.
   */
  readonly connectAnother?: () => Promise<EventStore>;
  teardown(): Promise<void>;
}

/** What an adapter guarantees beyond the rules every adapter keeps. */
export interface EventStoreContractCapabilities {
  /**
   * Whether an append that reuses an event id stored in another stream raises
   * DuplicateEventIdError. It needs an index of every event id, which KurrentDB lacks.
   */
  readonly rejectsEventIdOfAnotherStream: boolean;
}

const ALL_CAPABILITIES: EventStoreContractCapabilities = { rejectsEventIdOfAnotherStream: true };

const WRITERS = 4;
const APPENDS_PER_WRITER = 2_500;

/**
 * The behaviour every EventStore adapter must show. Call it from the adapter's spec file with a
 * factory that returns a fresh, empty store for each test.
 */
export function describeEventStoreContract(
  adapterName: string,
  openFixture: () => Promise<EventStoreContractFixture>,
  capabilities: EventStoreContractCapabilities = ALL_CAPABILITIES,
): void {
  const itWhenIdsAreIndexed = capabilities.rejectsEventIdOfAnotherStream ? it : it.skip;

  describe(`${adapterName} event store contract`, () => {
    let fixture: EventStoreContractFixture;
    let store: EventStore;

    beforeEach(async () => {
      fixture = await openFixture();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.teardown();
    });

    describe('appendToStream with no expected revision', () => {
      it('creates the stream at revision 0', async () => {
        const stream = streamName('order');

        const result = await store.appendToStream(stream, [newEvent()]);

        expect(result.streamName).toBe(stream);
        expect(result.nextExpectedRevision).toBe(0);
      });

      it('appends after the last event of an existing stream', async () => {
        const stream = streamName('order');
        await store.appendToStream(stream, [newEvent(), newEvent()]);

        const result = await store.appendToStream(stream, [newEvent()]);

        expect(result.nextExpectedRevision).toBe(2);
        expect((await store.readStream(stream)).map((event) => event.revision)).toEqual([0, 1, 2]);
      });
    });

    describe('readStreams', () => {
      it('returns the events of each stream asked for, grouped in the order asked, oldest first', async () => {
        const first = streamName('order');
        const second = streamName('order');
        const missing = streamName('order');
        await store.appendToStream(first, [newEvent(), newEvent()]);
        await store.appendToStream(second, [newEvent()]);
        await store.appendToStream(first, [newEvent()]);

        const events = await store.readStreams([second, missing, first]);

        expect(events.map((event) => [event.streamName, event.revision])).toEqual([
          [second, 0],
          [first, 0],
          [first, 1],
          [first, 2],
        ]);
      });

      it('returns nothing for no streams', async () => {
        expect(await store.readStreams([])).toEqual([]);
      });
    });

    describe('appendToStream with expected revision any', () => {
      it('appends whether the stream exists or not', async () => {
        const stream = streamName('order');

        const created = await store.appendToStream(stream, [newEvent()], { expectedRevision: 'any' });
        const continued = await store.appendToStream(stream, [newEvent()], { expectedRevision: 'any' });

        expect(created.nextExpectedRevision).toBe(0);
        expect(continued.nextExpectedRevision).toBe(1);
      });
    });

    describe('appendToStream with expected revision no_stream', () => {
      it('creates a stream that does not exist', async () => {
        const stream = streamName('order');

        const result = await store.appendToStream(stream, [newEvent(), newEvent()], { expectedRevision: 'no_stream' });

        expect(result.nextExpectedRevision).toBe(1);
      });

      it('rejects an existing stream and writes nothing', async () => {
        const stream = streamName('order');
        await store.appendToStream(stream, [newEvent()]);

        const error = await appendError(store, stream, [newEvent()], 'no_stream');

        expect(error.streamName).toBe(stream);
        expect(error.expected).toBe('no_stream');
        expect(error.actual).toBe(0);
        expect(error.code).toBe('EVENT_STORE.WRONG_EXPECTED_REVISION');
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('appendToStream with expected revision stream_exists', () => {
      it('appends to an existing stream', async () => {
        const stream = streamName('order');
        await store.appendToStream(stream, [newEvent()]);

        const result = await store.appendToStream(stream, [newEvent()], { expectedRevision: 'stream_exists' });

        expect(result.nextExpectedRevision).toBe(1);
      });

      it('rejects a missing stream with actual revision -1', async () => {
        const stream = streamName('order');

        const error = await appendError(store, stream, [newEvent()], 'stream_exists');

        expect(error.streamName).toBe(stream);
        expect(error.expected).toBe('stream_exists');
        expect(error.actual).toBe(-1);
        expect(await store.readStream(stream)).toEqual([]);
      });
    });

    describe('appendToStream with an exact expected revision', () => {
      it('appends when the stream is at that revision', async () => {
        const stream = streamName('order');
        const first = await store.appendToStream(stream, [newEvent()]);

        const result = await store.appendToStream(stream, [newEvent()], { expectedRevision: first.nextExpectedRevision });

        expect(result.nextExpectedRevision).toBe(1);
      });

      it('rejects a stale revision and reports the actual one', async () => {
        const stream = streamName('order');
        await store.appendToStream(stream, [newEvent(), newEvent(), newEvent()]);

        const error = await appendError(store, stream, [newEvent()], 1);

        expect(error.streamName).toBe(stream);
        expect(error.expected).toBe(1);
        expect(error.actual).toBe(2);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('rejects a missing stream with actual revision -1', async () => {
        const stream = streamName('order');

        const error = await appendError(store, stream, [newEvent()], 0);

        expect(error.expected).toBe(0);
        expect(error.actual).toBe(-1);
      });
    });

    describe('appendToStream with zero events', () => {
      it('checks the expected revision and writes nothing', async () => {
        const stream = streamName('order');
        const written = await store.appendToStream(stream, [newEvent()]);

        const result = await store.appendToStream(stream, [], { expectedRevision: 0 });
        const error = await appendError(store, stream, [], 'no_stream');

        expect(result.nextExpectedRevision).toBe(0);
        expect(result.position).toEqual(written.position);
        expect(error.actual).toBe(0);
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('appendToStream with event ids already stored', () => {
      it('returns the original result without writing', async () => {
        const stream = streamName('order');
        const events = [newEvent(), newEvent()];
        const original = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        const last = await store.appendToStream(stream, [newEvent()]);

        const retried = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });

        expect(retried).toEqual(original);
        expect(await store.readStream(stream)).toHaveLength(3);
        await visible(store, last.position);
        expect((await store.readAll()).filter((event) => event.id === events[0]?.id)).toHaveLength(1);
      });

      itWhenIdsAreIndexed('rejects an id stored in another stream and writes nothing', async () => {
        const stored = newEvent();
        const storedStream = streamName('order');
        const otherStream = streamName('order');
        await store.appendToStream(storedStream, [stored]);

        const error = await captureError(store.appendToStream(otherStream, [newEvent(), stored]));

        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error).toMatchObject({
          code: 'EVENT_STORE.DUPLICATE_EVENT_ID',
          eventId: stored.id,
          streamName: otherStream,
          storedInStreamName: storedStream,
        });
        expect(await store.readStream(otherStream)).toEqual([]);
      });

      it('rejects an append of which only some ids are stored', async () => {
        const stream = streamName('order');
        const stored = newEvent();
        await store.appendToStream(stream, [stored]);

        const error = await captureError(store.appendToStream(stream, [stored, newEvent()]));

        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error).toMatchObject({ eventId: stored.id, storedInStreamName: stream });
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('rejects an id that appears twice in one append', async () => {
        const stream = streamName('order');
        const event = newEvent();

        const error = await captureError(store.appendToStream(stream, [event, event]));

        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(await store.readStream(stream)).toEqual([]);
      });

      it('rejects an id that is not a UUID', async () => {
        const stream = streamName('order');

        const error = await captureError(store.appendToStream(stream, [{ ...newEvent(), id: 'event-1' }]));

        expect(error).toBeInstanceOf(InvalidEventStoreArgumentError);
        expect(error).toMatchObject({ code: 'EVENT_STORE.INVALID_ARGUMENT' });
      });
    });

    describe('readStream', () => {
      it('returns every field of the appended events, oldest first', async () => {
        const stream = streamName('order');
        const first = newEvent('OrderPlaced', { total: 12.5, lines: [{ sku: 'a', quantity: 2 }] });
        const second = newEvent('OrderShipped', { carrier: 'post', note: null });
        const appended = await store.appendToStream(stream, [first, second]);

        const events = await store.readStream(stream);

        expect(events).toHaveLength(2);
        expect(events[0]).toMatchObject({ ...first, streamName: stream, revision: 0 });
        expect(events[1]).toMatchObject({ ...second, streamName: stream, revision: 1 });
        expect(events[1]?.position).toEqual(appended.position);
        expect(events[0]?.recordedAt).toBeInstanceOf(Date);
        expect(comparePositions(itemAt(events, 0).position, itemAt(events, 1).position)).toBeLessThan(0);
      });

      it('starts at fromRevision and stops after maxCount events', async () => {
        const stream = streamName('order');
        await store.appendToStream(stream, [newEvent(), newEvent(), newEvent(), newEvent(), newEvent()]);

        const events = await store.readStream(stream, { fromRevision: 1, maxCount: 3 });

        expect(events.map((event) => event.revision)).toEqual([1, 2, 3]);
      });

      it('returns an empty array for a missing stream', async () => {
        expect(await store.readStream(streamName('missing'))).toEqual([]);
      });
    });

    describe('readAll', () => {
      it('returns every stream in global order', async () => {
        const first = await store.appendToStream(streamName('order'), [newEvent()]);
        const second = await store.appendToStream(streamName('invoice'), [newEvent(), newEvent()]);
        await visible(store, second.position);

        const events = await store.readAll();

        expect(events).toHaveLength(3);
        expect(itemAt(events, 0).position).toEqual(first.position);
        expect(itemAt(events, 2).position).toEqual(second.position);
        expectStrictlyIncreasing(events);
      });

      it('returns only events strictly after the given position', async () => {
        const stream = streamName('order');
        const first = await store.appendToStream(stream, [newEvent(), newEvent()]);
        const last = await store.appendToStream(stream, [newEvent()]);
        await visible(store, last.position);

        const events = await store.readAll({ after: first.position });

        expect(events.map((event) => event.revision)).toEqual([2]);
      });

      it('stops after maxCount events', async () => {
        const appended = await store.appendToStream(streamName('order'), [newEvent(), newEvent(), newEvent()]);
        await visible(store, appended.position);

        expect(await store.readAll({ maxCount: 2 })).toHaveLength(2);
      });

      it('keeps streams whose name starts with a filter prefix', async () => {
        const run = randomUUID();
        await store.appendToStream(`campaign-${run}`, [newEvent()]);
        await store.appendToStream(`target-${run}`, [newEvent()]);
        await store.appendToStream(`campaignx-${run}`, [newEvent()]);
        // `_` and `%` match themselves, not any character as in a SQL LIKE pattern.
        await store.appendToStream(`sender_1-${run}`, [newEvent()]);
        const last = await store.appendToStream(`senderX1-${run}`, [newEvent()]);
        await visible(store, last.position);

        const events = await store.readAll({ filter: { streamPrefixes: ['campaign-', 'sender_1'] } });

        expect(events.map((event) => event.streamName)).toEqual([`campaign-${run}`, `sender_1-${run}`]);
      });

      it('keeps events of the filter event types', async () => {
        const stream = streamName('order');
        const appended = await store.appendToStream(stream, [newEvent('OrderPlaced'), newEvent('OrderShipped'), newEvent('OrderPaid')]);
        await visible(store, appended.position);

        const events = await store.readAll({ filter: { eventTypes: ['OrderPaid', 'OrderPlaced'] } });

        expect(events.map((event) => event.type)).toEqual(['OrderPlaced', 'OrderPaid']);
      });
    });

    describe('appendToStreams with some conflicting streams', () => {
      it('stores the others and returns each conflict at its index', async () => {
        const created = streamName('order');
        const stale = streamName('order');
        const continued = streamName('order');
        await store.appendToStream(stale, [newEvent(), newEvent()]);
        await store.appendToStream(continued, [newEvent()]);

        const results = await store.appendToStreams([
          { streamName: created, events: [newEvent()], expectedRevision: 'no_stream' },
          { streamName: stale, events: [newEvent()], expectedRevision: 0 },
          { streamName: continued, events: [newEvent(), newEvent()], expectedRevision: 0 },
        ]);

        expect(results).toHaveLength(3);
        expect(results[0]).toMatchObject({ streamName: created, nextExpectedRevision: 0 });
        expect(results[1]).toBeInstanceOf(WrongExpectedRevisionError);
        expect(results[1]).toMatchObject({ streamName: stale, expected: 0, actual: 1 });
        expect(results[2]).toMatchObject({ streamName: continued, nextExpectedRevision: 2 });
        expect(await store.readStream(created)).toHaveLength(1);
        expect(await store.readStream(stale)).toHaveLength(2);
        expect(await store.readStream(continued)).toHaveLength(3);
      });

      it('stores the others when every append expects an exact revision', async () => {
        const stale = streamName('order');
        const continued = streamName('order');
        const missing = streamName('order');
        await store.appendToStream(stale, [newEvent(), newEvent()]);
        await store.appendToStream(continued, [newEvent()]);

        const results = await store.appendToStreams([
          { streamName: stale, events: [newEvent()], expectedRevision: 0 },
          { streamName: continued, events: [newEvent(), newEvent()], expectedRevision: 0 },
          { streamName: missing, events: [newEvent()], expectedRevision: 0 },
        ]);

        expect(results[0]).toMatchObject({ streamName: stale, expected: 0, actual: 1 });
        expect(results[1]).toMatchObject({ streamName: continued, nextExpectedRevision: 2 });
        expect(results[2]).toMatchObject({ streamName: missing, expected: 0, actual: -1 });
        expect((await store.readStream(continued)).map((event) => event.revision)).toEqual([0, 1, 2]);
        expect(await store.readStream(missing)).toEqual([]);
      });

      it('returns the original result of a batch retried at its exact revisions', async () => {
        const first = streamName('order');
        const second = streamName('order');
        await store.appendToStream(first, [newEvent()]);
        await store.appendToStream(second, [newEvent()]);
        const batch = [
          { streamName: first, events: [newEvent()], expectedRevision: 0 },
          { streamName: second, events: [newEvent(), newEvent()], expectedRevision: 0 },
        ];
        const original = await store.appendToStreams(batch);

        const retried = await store.appendToStreams(batch);

        expect(retried).toEqual(original);
        expect(await store.readStream(first)).toHaveLength(2);
        expect(await store.readStream(second)).toHaveLength(3);
      });

      it('checks a stream named twice against the revision left by its first append', async () => {
        const stream = streamName('order');

        const results = await store.appendToStreams([
          { streamName: stream, events: [newEvent()], expectedRevision: 'no_stream' },
          { streamName: stream, events: [newEvent()], expectedRevision: 0 },
          { streamName: stream, events: [newEvent()], expectedRevision: 0 },
        ]);

        expect(results[0]).toMatchObject({ nextExpectedRevision: 0 });
        expect(results[1]).toMatchObject({ nextExpectedRevision: 1 });
        expect(results[2]).toMatchObject({ expected: 0, actual: 1 });
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('orders the stored events as the batch lists them', async () => {
        const streams = [streamName('b'), streamName('a'), streamName('c')];

        const results = await store.appendToStreams(streams.map((name) => ({ streamName: name, events: [newEvent()] })));

        const positions = results.map((result) => successful(result).position);
        expect(comparePositions(itemAt(positions, 0), itemAt(positions, 1))).toBeLessThan(0);
        expect(comparePositions(itemAt(positions, 1), itemAt(positions, 2))).toBeLessThan(0);
        await visible(store, itemAt(positions, 2));
        expect((await store.readAll()).map((event) => event.streamName)).toEqual(streams);
      });

      it('stores nothing when an id is reused across the batch', async () => {
        const event = newEvent();
        const first = streamName('order');
        const second = streamName('order');

        const error = await captureError(
          store.appendToStreams([
            { streamName: first, events: [event] },
            { streamName: second, events: [event] },
          ]),
        );

        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(await store.readAll()).toEqual([]);
      });

      it('returns an empty array for an empty batch', async () => {
        expect(await store.appendToStreams([])).toEqual([]);
      });
    });

    describe('subscribeToAll', () => {
      it('delivers stored events, then new ones, as batches', async () => {
        const stream = streamName('order');
        await store.appendToStream(stream, [newEvent(), newEvent()]);
        const subscription = store.subscribeToAll({ pollIntervalMs: 10 });
        const received = collectEvents(subscription, 4);

        await store.appendToStream(stream, [newEvent(), newEvent()]);

        const events = await received;
        expect(events.map((event) => event.revision)).toEqual([0, 1, 2, 3]);
        expectStrictlyIncreasing(events);
      });

      it('starts after the given position', async () => {
        const stream = streamName('order');
        const first = await store.appendToStream(stream, [newEvent(), newEvent()]);
        await store.appendToStream(stream, [newEvent()]);

        const events = await collectEvents(store.subscribeToAll({ after: first.position }), 1);

        expect(events.map((event) => event.revision)).toEqual([2]);
      });

      it('delivers only events that pass the filter', async () => {
        const campaignStream = streamName('campaign');
        await store.appendToStream(streamName('target'), [newEvent(), newEvent()]);
        await store.appendToStream(campaignStream, [newEvent('CampaignCreated')]);
        const subscription = store.subscribeToAll({ filter: { streamPrefixes: ['campaign-'] }, pollIntervalMs: 10 });
        const received = collectEvents(subscription, 2);

        await store.appendToStream(streamName('target'), [newEvent()]);
        await store.appendToStream(campaignStream, [newEvent('CampaignRenamed')]);

        const events = await received;
        expect(events.map((event) => event.type)).toEqual(['CampaignCreated', 'CampaignRenamed']);
      });

      it('yields batches of at most maxCount events', async () => {
        await store.appendToStream(
          streamName('order'),
          Array.from({ length: 7 }, () => newEvent()),
        );
        const subscription = store.subscribeToAll({ maxCount: 3 });
        const sizes: number[] = [];

        for await (const batch of subscription) {
          sizes.push(batch.length);
          if (sizes.reduce((sum, size) => sum + size, 0) >= 7) {
            break;
          }
        }

        expect(sizes).toEqual([3, 3, 1]);
      });

      it('ends the iteration when closed', async () => {
        const subscription = store.subscribeToAll({ pollIntervalMs: 10 });
        const iteration = (async () => {
          let batches = 0;
          for await (const batch of subscription) {
            batches += batch.length > 0 ? 1 : 0;
          }
          return batches;
        })();
        await delay(50);

        await subscription.close();

        await expect(iteration).resolves.toBe(0);
      });
    });

    describe('concurrent writers with a live subscriber', () => {
      it('delivers every event exactly once in increasing global order', async () => {
        const run = randomUUID();
        const total = WRITERS * APPENDS_PER_WRITER;
        const subscription = store.subscribeToAll({ pollIntervalMs: 10 });
        const received = collectEvents(subscription, total, 110_000);

        const writerStores = await openWriterStores(fixture, WRITERS);
        let appended: string[][];
        try {
          appended = await Promise.all(writerStores.map((writerStore, writer) => runWriter(writerStore, run, writer)));
        } finally {
          await Promise.all(writerStores.filter((writerStore) => writerStore !== store).map((writerStore) => writerStore.close()));
        }

        // Once the writers are done, a subscriber that has not caught up within 10 s has lost events.
        const deadline = setTimeout(() => void subscription.close(), 10_000);
        const events = await received.finally(() => clearTimeout(deadline));
        expect(events).toHaveLength(total);
        expect(new Set(events.map((event) => event.id)).size).toBe(total);
        expect(new Set(events.map((event) => event.id))).toEqual(new Set(appended.flat()));
        expectStrictlyIncreasing(events);
        expectContiguousRevisions(events);
        expect(events.filter((event) => event.streamName === `shared-${run}`)).toHaveLength(WRITERS * (APPENDS_PER_WRITER / 5));
      }, 120_000);
    });
  });
}

/**
 * Appends APPENDS_PER_WRITER events one per append and returns their ids. Every fifth goes to a
 * stream all writers share, with an exact expected revision retried on conflict. The others go to
 * this writer's own streams.
 */
async function runWriter(store: EventStore, run: string, writer: number): Promise<string[]> {
  const ids: string[] = [];
  const ownRevisions = new Map<string, number>();
  let sharedRevision = -1;

  for (let index = 0; index < APPENDS_PER_WRITER; index += 1) {
    const event = newEvent('WriterAppended', { writer, index });

    if (index % 5 === 0) {
      for (;;) {
        try {
          const result = await store.appendToStream(`shared-${run}`, [event], {
            expectedRevision: sharedRevision === -1 ? 'no_stream' : sharedRevision,
          });
          sharedRevision = result.nextExpectedRevision;
          break;
        } catch (error) {
          if (!(error instanceof WrongExpectedRevisionError)) {
            throw error;
          }
          sharedRevision = error.actual;
        }
      }
    } else {
      const stream = `writer-${run}-${writer}-${index % 7}`;
      const revision = ownRevisions.get(stream) ?? -1;
      const result = await store.appendToStream(stream, [event], {
        expectedRevision: revision === -1 ? 'no_stream' : revision,
      });
      ownRevisions.set(stream, result.nextExpectedRevision);
    }

    ids.push(event.id);
  }
  return ids;
}

async function openWriterStores(fixture: EventStoreContractFixture, count: number): Promise<EventStore[]> {
  const { connectAnother } = fixture;
  if (!connectAnother) {
    return Array.from({ length: count }, () => fixture.store);
  }
  return Promise.all(Array.from({ length: count }, () => connectAnother()));
}

/**
 * Iterates the subscription until it has delivered `count` events, then closes it. Rejects with
 * the number received when `timeoutMs` passes first.
 */
export async function collectEvents(subscription: EventSubscription, count: number, timeoutMs = 10_000): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  const timer = setTimeout(() => void subscription.close(), timeoutMs);
  try {
    for await (const batch of subscription) {
      events.push(...batch);
      if (events.length >= count) {
        break;
      }
    }
  } finally {
    clearTimeout(timer);
    await subscription.close();
  }
  if (events.length < count) {
    throw new Error(`subscription delivered ${events.length} of ${count} events within ${timeoutMs} ms`);
  }
  return events;
}

const metadata: EventMetadata = {
  correlationId: 'correlation-contract',
  causationId: 'causation-contract',
  actor: { id: 'service:contract', role: 'service' },
  decidedAt: '2024-05-01T10:00:00.000Z',
};

function newEvent(type = 'ThingHappened', data: JsonObject = {}): NewEvent {
  return { id: randomUUID(), type, data, metadata };
}

function streamName(category: string): string {
  return `${category}-${randomUUID()}`;
}

async function appendError(
  store: EventStore,
  stream: string,
  events: readonly NewEvent[],
  expectedRevision: ExpectedRevision,
): Promise<WrongExpectedRevisionError> {
  const error = await captureError(store.appendToStream(stream, events, { expectedRevision }));
  if (!(error instanceof WrongExpectedRevisionError)) {
    throw new Error(`expected a WrongExpectedRevisionError, got ${String(error)}`);
  }
  return error;
}

async function captureError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

function successful(result: AppendResult | WrongExpectedRevisionError): AppendResult {
  if (result instanceof WrongExpectedRevisionError) {
    throw result;
  }
  return result;
}

function itemAt<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) {
    throw new Error(`expected an item at index ${index}, got ${items.length} items`);
  }
  return item;
}

function expectStrictlyIncreasing(events: readonly RecordedEvent[]): void {
  const outOfOrder = events.findIndex(
    (event, index) => index > 0 && comparePositions(itemAt(events, index - 1).position, event.position) >= 0,
  );
  expect(outOfOrder).toBe(-1);
}

/** Checks that each stream's events arrive with revisions 0, 1, 2… in that order. */
function expectContiguousRevisions(events: readonly RecordedEvent[]): void {
  const nextRevisions = new Map<string, number>();
  const gaps: string[] = [];
  for (const event of events) {
    const expected = nextRevisions.get(event.streamName) ?? 0;
    if (event.revision !== expected) {
      gaps.push(`${event.streamName}: revision ${event.revision} where ${expected} was expected`);
    }
    nextRevisions.set(event.streamName, event.revision + 1);
  }
  expect(gaps).toEqual([]);
}

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/**
 * Waits until the event at `position` is returned by readAll. On SQL stores a write transaction
 * left open by any other connection, even to another database of the same server, holds readers
 * back until it ends, and parallel test files open such transactions. It reads from the start
 * because KurrentDB reads `$all` only from positions it returned, and each test's store is small.
 */
async function visible(store: EventStore, position: GlobalPosition, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await store.readAll()).some((event) => comparePositions(event.position, position) === 0)) {
    if (Date.now() > deadline) {
      throw new Error(`the event at ${JSON.stringify(position)} was not readable within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
