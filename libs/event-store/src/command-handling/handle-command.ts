import { randomUUID } from 'node:crypto';
import {
  EventMetadata,
  EventStore,
  ExpectedRevision,
  GlobalPosition,
  InvalidEventStoreArgumentError,
  NewEvent,
  RecordedEvent,
  StreamRevision,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { matchesExpectedRevision } from '../expected-revision';
import { DecidedEvent, Decider } from './decider';

export const DEFAULT_MAX_COMMAND_RETRIES = 3;

export interface HandleCommandRequest<Command> {
  readonly streamName: string;
  readonly command: Command;
  /** The command's metadata, copied onto every new event. */
  readonly metadata: EventMetadata;
  /**
   * Revision the caller based its request on, from an If-Match header. A stream at another revision
   * fails with WrongExpectedRevisionError. When it is a revision or `no_stream`, a conflict is not
   * retried, because the caller must see the new state first. `any` and `stream_exists` are checked
   * again on each retry.
   */
  readonly expectedRevision?: ExpectedRevision;
  /** Retries after a concurrency conflict, each from a fresh read of the stream; 3 when absent. */
  readonly maxRetries?: number;
}

/** A new event as appended by the command handler. */
export type AppendedEvent<Event extends DecidedEvent> = NewEvent<Event['type'], Event['data']> & {
  readonly streamName: string;
  readonly revision: StreamRevision;
};

export interface CommandResult<State, Event extends DecidedEvent> {
  /** The appended events, oldest first; empty when `decide` returned none. */
  readonly events: readonly AppendedEvent<Event>[];
  /** Revision of the stream after the command, or -1 when the stream still does not exist. */
  readonly nextExpectedRevision: StreamRevision;
  /** Position of the last appended event, for read-your-writes waits; undefined when nothing was appended. */
  readonly position: GlobalPosition | undefined;
  /** State after the new events. */
  readonly state: State;
}

/**
 * Runs a command against one stream and appends the events it decides.
 *
 * 1. Read the stream.
 * 2. Fold its events with `evolve`, from `initialState()`.
 * 3. Call `decide`, which returns the new events or throws.
 * 4. Append them, expecting the revision read in step 1.
 * 5. On WrongExpectedRevisionError, start again from step 1, up to `maxRetries` times, unless the
 *    caller pinned the revision with `expectedRevision`.
 *
 * Each attempt gives its events fresh UUIDs. Errors thrown by `decide` reach the caller unchanged.
 */
export async function handleCommand<State, Command, Event extends DecidedEvent>(
  store: EventStore,
  decider: Decider<State, Command, Event>,
  request: HandleCommandRequest<Command>,
): Promise<CommandResult<State, Event>> {
  const maxRetries = request.maxRetries ?? DEFAULT_MAX_COMMAND_RETRIES;
  if (!Number.isSafeInteger(maxRetries) || maxRetries < 0) {
    throw new InvalidEventStoreArgumentError('maxRetries', `${String(maxRetries)} is not valid: use an integer >= 0`);
  }
  const pinned = request.expectedRevision === 'no_stream' || typeof request.expectedRevision === 'number';

  for (let retries = 0; ; retries += 1) {
    try {
      return await handleOnce(store, decider, request);
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || pinned || retries >= maxRetries) {
        throw error;
      }
    }
  }
}

async function handleOnce<State, Command, Event extends DecidedEvent>(
  store: EventStore,
  decider: Decider<State, Command, Event>,
  request: HandleCommandRequest<Command>,
): Promise<CommandResult<State, Event>> {
  const { streamName } = request;

  const recorded = await store.readStream(streamName);
  const revision = recorded.at(-1)?.revision ?? -1;
  if (request.expectedRevision !== undefined && !matchesExpectedRevision(request.expectedRevision, revision)) {
    throw new WrongExpectedRevisionError(streamName, request.expectedRevision, revision);
  }

  const state = recorded.reduce((current, event) => decider.evolve(current, asDecidedEvent<Event>(event)), decider.initialState());

  const decided = decider.decide(request.command, state);
  if (decided.length === 0) {
    return { events: [], nextExpectedRevision: revision, position: undefined, state };
  }

  const newEvents = decided.map((event): NewEvent<Event['type'], Event['data']> => ({
    id: randomUUID(),
    type: event.type,
    data: event.data,
    metadata: request.metadata,
  }));
  // The revision just read, even when the caller's condition is looser ('any', 'stream_exists'),
  // because `decide` saw exactly that state.
  const appended = await store.appendToStream(streamName, newEvents, {
    expectedRevision: revision === -1 ? 'no_stream' : revision,
  });

  const firstRevision = appended.nextExpectedRevision - newEvents.length + 1;
  return {
    events: newEvents.map((event, offset) => ({ ...event, streamName, revision: firstRevision + offset })),
    nextExpectedRevision: appended.nextExpectedRevision,
    position: appended.position,
    state: decided.reduce((current, event) => decider.evolve(current, event), state),
  };
}

/**
 * Narrows a stored event to the decider's event union. The store does not check event shapes, so a
 * stream is trusted to contain only events of that union.
 */
function asDecidedEvent<Event extends DecidedEvent>(event: RecordedEvent): Event {
  return { type: event.type, data: event.data } as Event;
}
