import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '@sms/domain';
import type { JsonObject, RecordedEvent } from '@sms/event-store';
import type { SqlClient } from '@sms/platform';
import type { SqlProjection } from '@sms/event-store';

/**
 * Builds RecordedEvent fixtures as a store would: each stream's revisions count from 0 and
 * positions grow across all streams in the order events are recorded.
 */
export class EventLog {
  private readonly revisions = new Map<string, number>();
  private position = 0;

  record(streamName: string, event: DomainEvent, decidedAt = '2026-12-07T08:00:00.000Z'): RecordedEvent {
    const revision = (this.revisions.get(streamName) ?? -1) + 1;
    this.revisions.set(streamName, revision);
    this.position += 1;
    const actor = { id: 'service:test', role: 'service' };
    return {
      id: randomUUID(),
      streamName,
      revision,
      position: { commit: this.position, prepare: this.position },
      type: event.type,
      // Domain payloads are plain JSON, but DomainEvent types them as `object`.
      data: event.data as JsonObject,
      metadata: { correlationId: randomUUID(), causationId: randomUUID(), actor, decidedAt },
      recordedAt: new Date(decidedAt),
    };
  }
}

export async function setUpProjections(db: SqlClient, projections: readonly SqlProjection[]): Promise<void> {
  for (const projection of projections) {
    await projection.setup(db);
  }
}

/** Applies `events` to every projection in one transaction, as the projection runner does with a batch. */
export async function projectBatch(db: SqlClient, projections: readonly SqlProjection[], events: readonly RecordedEvent[]): Promise<void> {
  await db.transaction(async (tx) => {
    for (const projection of projections) {
      await projection.project(events, tx);
    }
  });
}

/** Generates a short random id that starts with `prefix`, unique per test run. */
export function newId(prefix: string): string {
  return `${prefix}${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}
