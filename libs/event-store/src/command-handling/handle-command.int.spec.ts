import { randomUUID } from 'node:crypto';
import { PgliteClient } from '@sms/platform';
import {
  AppendResult,
  EventMetadata,
  EventStore,
  EventSubscription,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamAppend,
  SubscribeOptions,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { createEmbeddedEventStore, SqlEventStore } from '../sql/sql-event-store';
import { dropSchema, freshSchemaName } from '../testing/test-databases';
import { Decider } from './decider';
import { handleCommand } from './handle-command';

// A tiny seat-booking decider: a session opens with a capacity and seats are reserved against it.

type SessionEvent =
  | { readonly type: 'SessionOpened'; readonly data: { readonly capacity: number } }
  | { readonly type: 'SeatsReserved'; readonly data: { readonly seats: number } };

type SessionCommand =
  { readonly type: 'OpenSession'; readonly capacity: number } | { readonly type: 'ReserveSeats'; readonly seats: number };

interface SessionState {
  readonly open: boolean;
  readonly capacity: number;
  readonly reserved: number;
}

class NotEnoughSeatsError extends Error {
  readonly code = 'SESSION.NOT_ENOUGH_SEATS';
}

const sessionDecider: Decider<SessionState, SessionCommand, SessionEvent> = {
  initialState: () => ({ open: false, capacity: 0, reserved: 0 }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'SessionOpened':
        return { ...state, open: true, capacity: event.data.capacity };
      case 'SeatsReserved':
        return { ...state, reserved: state.reserved + event.data.seats };
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'OpenSession':
        return state.open ? [] : [{ type: 'SessionOpened', data: { capacity: command.capacity } }];
      case 'ReserveSeats':
        if (state.reserved + command.seats > state.capacity) {
          throw new NotEnoughSeatsError(`${command.seats} seats requested, ${state.capacity - state.reserved} left`);
        }
        return command.seats === 0 ? [] : [{ type: 'SeatsReserved', data: { seats: command.seats } }];
    }
  },
};

const metadata: EventMetadata = {
  correlationId: 'correlation-booking',
  causationId: 'command-booking',
  actor: { id: 'user:agent-7', role: 'advisor' },
  decidedAt: '2024-05-01T10:00:00.000Z',
};

/**
 * Wraps the real store and runs a hook after each readStream, before the handler gets the events.
 * An append made by the hook in that window causes a conflict.
 */
class InterleavingStore implements EventStore {
  reads = 0;

  constructor(
    private readonly inner: EventStore,
    private readonly afterRead: (read: number) => Promise<void>,
  ) {}

  async readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    const events = await this.inner.readStream(streamName, options);
    this.reads += 1;
    await this.afterRead(this.reads);
    return events;
  }

  appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options?: { expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult> {
    return this.inner.appendToStream(streamName, events, options);
  }

  appendToStreams(appends: readonly StreamAppend[]): Promise<Array<AppendResult | WrongExpectedRevisionError>> {
    return this.inner.appendToStreams(appends);
  }

  readStreams(streamNames: readonly string[]): Promise<RecordedEvent[]> {
    return this.inner.readStreams(streamNames);
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.inner.readAll(options);
  }

  subscribeToAll(options?: SubscribeOptions): EventSubscription {
    return this.inner.subscribeToAll(options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

// Opening PGlite takes seconds, so the file shares one instance with a schema per test.
let pglite: PgliteClient;
let schema: string;
let store: SqlEventStore;

beforeAll(async () => {
  pglite = await PgliteClient.open('memory://');
});

afterAll(async () => {
  await pglite.close();
});

beforeEach(async () => {
  schema = freshSchemaName('es_test');
  store = await createEmbeddedEventStore({ client: pglite, schema });
});

afterEach(async () => {
  await store.close();
  await dropSchema(pglite, schema);
});

function sessionStream(): string {
  return `session-${randomUUID()}`;
}

async function openSession(stream: string, capacity: number): Promise<void> {
  await handleCommand(store, sessionDecider, { streamName: stream, command: { type: 'OpenSession', capacity }, metadata });
}

/** Appends one SeatsReserved to the stream as another writer would. */
async function reserveElsewhere(stream: string): Promise<void> {
  await store.appendToStream(stream, [{ id: randomUUID(), type: 'SeatsReserved', data: { seats: 1 }, metadata }]);
}

describe('handleCommand on a new stream', () => {
  it('appends the decided events with fresh ids and the command metadata', async () => {
    const stream = sessionStream();

    const result = await handleCommand(store, sessionDecider, {
      streamName: stream,
      command: { type: 'OpenSession', capacity: 10 },
      metadata,
    });

    const stored = await store.readStream(stream);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ type: 'SessionOpened', data: { capacity: 10 }, metadata, revision: 0 });
    expect(result.events).toEqual([
      { id: stored[0]?.id, type: 'SessionOpened', data: { capacity: 10 }, metadata, streamName: stream, revision: 0 },
    ]);
    expect(result.events[0]?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.nextExpectedRevision).toBe(0);
    expect(result.position).toEqual(stored[0]?.position);
    expect(result.state).toEqual({ open: true, capacity: 10, reserved: 0 });
  });
});

describe('handleCommand on an existing stream', () => {
  it('folds the stored events before deciding', async () => {
    const stream = sessionStream();
    await openSession(stream, 5);
    await handleCommand(store, sessionDecider, { streamName: stream, command: { type: 'ReserveSeats', seats: 2 }, metadata });

    const result = await handleCommand(store, sessionDecider, {
      streamName: stream,
      command: { type: 'ReserveSeats', seats: 3 },
      metadata,
    });

    expect(result.state).toEqual({ open: true, capacity: 5, reserved: 5 });
    expect(result.events.map((event) => event.revision)).toEqual([2]);
    expect(result.nextExpectedRevision).toBe(2);
  });

  it('rethrows the decider error and appends nothing', async () => {
    const stream = sessionStream();
    await openSession(stream, 1);

    const attempt = handleCommand(store, sessionDecider, {
      streamName: stream,
      command: { type: 'ReserveSeats', seats: 2 },
      metadata,
    });

    await expect(attempt).rejects.toBeInstanceOf(NotEnoughSeatsError);
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it('appends nothing when the decider returns no event', async () => {
    const stream = sessionStream();
    await openSession(stream, 3);

    const result = await handleCommand(store, sessionDecider, {
      streamName: stream,
      command: { type: 'OpenSession', capacity: 3 },
      metadata,
    });

    expect(result.events).toEqual([]);
    expect(result.nextExpectedRevision).toBe(0);
    expect(result.position).toBeUndefined();
    expect(await store.readStream(stream)).toHaveLength(1);
  });
});

describe('handleCommand racing another writer', () => {
  it('decides again from a fresh read and appends', async () => {
    const stream = sessionStream();
    await openSession(stream, 5);
    const racing = new InterleavingStore(store, async (read) => {
      if (read === 1) {
        await reserveElsewhere(stream);
      }
    });

    const result = await handleCommand(racing, sessionDecider, {
      streamName: stream,
      command: { type: 'ReserveSeats', seats: 4 },
      metadata,
    });

    expect(racing.reads).toBe(2);
    expect(result.state.reserved).toBe(5);
    expect(result.nextExpectedRevision).toBe(2);
  });

  it('gives up after maxRetries conflicts', async () => {
    const stream = sessionStream();
    await openSession(stream, 50);
    const racing = new InterleavingStore(store, () => reserveElsewhere(stream));

    const attempt = handleCommand(racing, sessionDecider, {
      streamName: stream,
      command: { type: 'ReserveSeats', seats: 1 },
      metadata,
      maxRetries: 2,
    });

    await expect(attempt).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect(racing.reads).toBe(3);
  });

  it('lets concurrent commands all succeed through retries', async () => {
    const stream = sessionStream();
    await openSession(stream, 10);

    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        handleCommand(store, sessionDecider, {
          streamName: stream,
          command: { type: 'ReserveSeats', seats: 1 },
          metadata,
          maxRetries: 10,
        }),
      ),
    );

    expect(results.map((result) => result.nextExpectedRevision).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await store.readStream(stream)).filter((event) => event.type === 'SeatsReserved')).toHaveLength(6);
  });
});

describe('handleCommand with an expected revision from the caller', () => {
  it('appends when the stream is still at that revision', async () => {
    const stream = sessionStream();
    await openSession(stream, 5);

    const result = await handleCommand(store, sessionDecider, {
      streamName: stream,
      command: { type: 'ReserveSeats', seats: 1 },
      metadata,
      expectedRevision: 0,
    });

    expect(result.nextExpectedRevision).toBe(1);
  });

  it('rejects a stale revision without retrying', async () => {
    const stream = sessionStream();
    await openSession(stream, 5);
    await reserveElsewhere(stream);
    const counting = new InterleavingStore(store, async () => undefined);

    const error = await handleCommand(counting, sessionDecider, {
      streamName: stream,
      command: { type: 'ReserveSeats', seats: 1 },
      metadata,
      expectedRevision: 0,
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ streamName: stream, expected: 0, actual: 1 });
    expect(counting.reads).toBe(1);
    expect(await store.readStream(stream)).toHaveLength(2);
  });

  it('rethrows a conflict at append time without retrying', async () => {
    const stream = sessionStream();
    await openSession(stream, 5);
    const racing = new InterleavingStore(store, () => reserveElsewhere(stream));

    const error = await handleCommand(racing, sessionDecider, {
      streamName: stream,
      command: { type: 'ReserveSeats', seats: 1 },
      metadata,
      expectedRevision: 0,
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(racing.reads).toBe(1);
  });
});
