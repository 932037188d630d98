import { Decider, DomainEvent } from '@sms/domain';
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
