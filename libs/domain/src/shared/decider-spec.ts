import { Decider, DomainEvent } from './decider';

/** given(events) / when(command) / then(events or error) for decider unit tests. */
export function deciderSpec<State, Command, Event extends DomainEvent>(decider: Decider<State, Command, Event>) {
  return {
    given(events: readonly Event[]) {
      const state = events.reduce(decider.evolve, decider.initialState());
      return {
        when(command: Command) {
          const decide = () => decider.decide(command, state);
          return {
            then: (expected: readonly Event[]) => expect(decide()).toEqual(expected),
            thenThrows: (code: string) => expect(decide).toThrow(expect.objectContaining({ code })),
            result: decide,
          };
        },
        state: () => state,
      };
    },
  };
}
