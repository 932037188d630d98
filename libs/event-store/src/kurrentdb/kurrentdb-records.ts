import { randomUUID } from 'node:crypto';
import type { AllStreamResolvedEvent, EventData, Position, ResolvedEvent } from '@kurrent/kurrentdb-client';
import {
  EventFilter,
  EventMetadata,
  GlobalPosition,
  InvalidEventStoreArgumentError,
  JsonObject,
  NewEvent,
  RecordedEvent,
} from '../event-store.port';

/** Converts between the port's events and positions and those of `@kurrent/kurrentdb-client`. */

/** Returns the client's position for ours. Both order by commit position, then prepare position. */
export function toClientPosition(position: GlobalPosition): Position {
  return { commit: BigInt(position.commit), prepare: BigInt(position.prepare) };
}

/**
 * Returns our position for the client's. KurrentDB positions are byte offsets in its transaction
 * log, so they stay below 2^53 until the log reaches 9 PB.
 */
export function fromClientPosition(position: Position): GlobalPosition {
  return { commit: safeNumber(position.commit, 'commit position'), prepare: safeNumber(position.prepare, 'prepare position') };
}

export function safeNumber(value: bigint, what: string): number {
  const result = Number(value);
  if (!Number.isSafeInteger(result)) {
    throw new RangeError(`KurrentDB returned a ${what} of ${value}, beyond the safe integer range of this store's positions`);
  }
  return result;
}

export function toEventData(event: NewEvent): EventData {
  return { id: event.id, contentType: 'application/json', type: event.type, data: event.data, metadata: event.metadata };
}

/**
 * Returns our event for one the client read, or undefined for what the port never returns: a
 * link, a system event, or an event outside `namespace`.
 */
export function fromResolvedEvent(resolved: ResolvedEvent | AllStreamResolvedEvent, namespace: string): RecordedEvent | undefined {
  const event = resolved.event;
  if (event === undefined || resolved.link !== undefined || event.type.startsWith('$') || !event.streamId.startsWith(namespace)) {
    return undefined;
  }
  if (event.position === undefined) {
    throw new Error(
      `KurrentDB returned event ${event.id} of stream '${event.streamId}' without its position: this store needs KurrentDB or EventStoreDB 22.6 or later`,
    );
  }
  if (!event.isJson || !isJsonObject(event.data)) {
    throw new Error(`event ${event.id} of stream '${event.streamId}' does not hold a JSON object, so it was not written by this store`);
  }
  return {
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: toEventMetadata(event.metadata, event.id),
    streamName: event.streamId.slice(namespace.length),
    revision: safeNumber(event.revision, 'stream revision'),
    position: fromClientPosition(event.position),
    recordedAt: event.created,
  };
}

/**
 * Tells whether an event passes the port's filter. The server filters on one criterion, by
 * prefix, so every event read is checked again here with the port's exact rules.
 */
export function passesFilter(event: RecordedEvent, filter: EventFilter | undefined): boolean {
  const prefixes = filter?.streamPrefixes;
  if (prefixes !== undefined && prefixes.length > 0 && !prefixes.some((prefix) => event.streamName.startsWith(prefix))) {
    return false;
  }
  const types = filter?.eventTypes;
  return types === undefined || types.length === 0 || types.includes(event.type);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function assertUuid(eventId: string, streamName: string): void {
  if (!UUID.test(eventId)) {
    throw new InvalidEventStoreArgumentError('events[].id', `'${eventId}' of stream '${streamName}' is not a UUID`);
  }
}

/** Returns a namespace no other test uses, such as `t3f9a0c1b2d4e-`. */
export function freshNamespace(): string {
  return `t${randomUUID().replace(/-/g, '').slice(0, 12)}-`;
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function toEventMetadata(metadata: unknown, eventId: string): EventMetadata {
  if (
    isJsonObject(metadata) &&
    typeof metadata.correlationId === 'string' &&
    typeof metadata.causationId === 'string' &&
    typeof metadata.decidedAt === 'string' &&
    isJsonObject(metadata.actor)
  ) {
    return metadata as EventMetadata;
  }
  throw new Error(
    `event ${eventId} has no correlationId, causationId, actor and decidedAt in its metadata, so it was not written by this store`,
  );
}
