import { JsonObject } from '../event-store.port';

/** An event as a decider returns it. The command handler adds the id and the metadata. */
export interface DecidedEvent<Type extends string = string, Data extends JsonObject = JsonObject> {
  readonly type: Type;
  readonly data: Data;
}

/**
 * The pure rules of one kind of stream. `evolve` folds events into state and `decide` turns a
 * command and the current state into new events, or throws when the command breaks a rule. Neither
 * may read the clock or do I/O: time and identity arrive in the command.
 */
export interface Decider<State, Command, Event extends DecidedEvent> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): readonly Event[];
}
