import { Decider, DomainError, DomainEvent } from '@sms/domain';
import { EventStore } from '@sms/event-store';

/** Folds a stream into its decider's state; revision is -1 for a stream that does not exist. */
export async function loadState<State, Command, Event extends DomainEvent>(
  store: EventStore,
  streamName: string,
  decider: Decider<State, Command, Event>,
): Promise<{ state: State; revision: number }> {
  const events = await store.readStream(streamName);
  const state = events.reduce((current, event) => decider.evolve(current, event as unknown as Event), decider.initialState());
  return { state, revision: events.length === 0 ? -1 : events[events.length - 1].revision };
}

/**
 * Runs `work` and names the missing stream's id in its NOT_FOUND error with `code`, since a
 * decider only sees an empty state and cannot know which id was asked for.
 */
export async function withStreamId<Result>(code: string, what: string, id: string, work: () => Promise<Result>): Promise<Result> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError && error.code === code) {
      throw DomainError.notFound(code, what, id);
    }
    throw error;
  }
}
