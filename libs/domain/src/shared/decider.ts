/**
 * A decider: the pure core of one aggregate. `decide` returns the events a command produces
 * (or throws a DomainError); `evolve` folds one event into the state. Neither reads the clock,
 * the network or the environment: time and generated ids arrive inside the command.
 */
export interface Decider<State, Command, Event extends DomainEvent> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
}

export interface DomainEvent<Type extends string = string, Data extends object = object> {
  readonly type: Type;
  readonly data: Data;
}

/** The author of a change: a user with one of their roles, or one of our services. */
export type Actor = {
  readonly id: string;
  readonly role: string;
};

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
