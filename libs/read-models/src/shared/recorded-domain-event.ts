import type { DomainEvent } from '@sms/domain';
import type { RecordedEvent } from '@sms/event-store';

/** A stored event whose `type` and `data` are those of the domain event `E`. */
export type RecordedDomainEvent<E extends DomainEvent> = E extends DomainEvent
  ? Omit<RecordedEvent, 'type' | 'data'> & { readonly type: E['type']; readonly data: E['data'] }
  : never;

/**
 * Returns the event typed as one of the domain events `E`, or null when its type is not in `types`.
 * Only deciders write to the store, so a stored payload is trusted to match its type.
 */
export function asDomainEvent<E extends DomainEvent>(event: RecordedEvent, types: ReadonlySet<string>): RecordedDomainEvent<E> | null {
  return types.has(event.type) ? (event as unknown as RecordedDomainEvent<E>) : null;
}
