import { randomUUID } from 'node:crypto';
import { DomainEvent } from '@sms/domain';
import { EventMetadata, NewEvent } from '@sms/event-store';
import { CommandContext } from './command-context';

export function metadataOf(context: CommandContext): EventMetadata {
  return { actor: context.actor, correlationId: context.correlationId, causationId: context.causationId, decidedAt: context.now };
}

/** A decided event ready to append, for the batch paths that bypass the generic command handler. */
export function toNewEvent(event: DomainEvent<string, object>, context: CommandContext): NewEvent {
  return { id: randomUUID(), type: event.type, data: event.data as NewEvent['data'], metadata: metadataOf(context) };
}
