import { Inject, Injectable } from '@nestjs/common';
import { Decider, DomainEvent } from '@sms/domain';
import { EventStore, ExpectedRevision, handleCommand, JsonObject } from '@sms/event-store';
import { EVENT_STORE } from '../infrastructure/tokens';
import { CommandContext } from './command-context';
import { metadataOf } from './to-new-event';

export interface ExecutionResult<State> {
  readonly state: State;
  readonly revision: number;
  readonly events: readonly DomainEvent[];
}

/** Runs a decider command on one stream through the generic command handler, with the caller's metadata. */
@Injectable()
export class CommandExecutor {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute<State, Command, Event extends DomainEvent<string, object>>(
    streamName: string,
    decider: Decider<State, Command, Event>,
    command: Command,
    context: CommandContext,
    expectedRevision?: ExpectedRevision,
  ): Promise<ExecutionResult<State>> {
    const result = await handleCommand(this.store, decider as unknown as Decider<State, Command, Event & { data: JsonObject }>, {
      streamName,
      command,
      expectedRevision,
      metadata: metadataOf(context),
    });
    return { state: result.state, revision: result.nextExpectedRevision, events: result.events };
  }
}
