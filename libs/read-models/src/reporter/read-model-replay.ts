import type { EventFilter, EventStore, GlobalPosition, RecordedEvent, SqlProjection } from '@sms/event-store';
import { comparePositions, START_POSITION } from '@sms/event-store';
import type { SqlClient } from '@sms/platform';
import { createSqlProjections } from '../projections';
import { quoteSchemaName } from '../shared/schema-name';

/** Events read per query and applied per transaction during a replay. */
export const DEFAULT_REPLAY_BATCH_SIZE = 10_000;

export interface ReplayProgress {
  /** Events read from the store so far. */
  readonly events: number;
  readonly position: GlobalPosition;
}

/**
 * Rebuilds every SQL read model from the first event into a schema of its own, leaving the live
 * schema alone. Unlike the projection runner, it reads the store once for all projections and
 * applies each page of events to all of them in one transaction, without checkpoints. The schema
 * is new, so nothing has to survive a crash, and a failed replay is dropped and run again.
 */
export class ReadModelReplay {
  readonly quotedSchema: string;
  private readonly projections: SqlProjection[];
  /** Position of the last event each projection accepted, by name without the schema prefix. */
  private readonly lastAccepted = new Map<string, GlobalPosition>();
  private position: GlobalPosition = START_POSITION;
  private eventCount = 0;

  constructor(
    private readonly store: EventStore,
    private readonly db: SqlClient,
    readonly schema: string,
    private readonly batchSize = DEFAULT_REPLAY_BATCH_SIZE,
  ) {
    this.quotedSchema = quoteSchemaName(schema);
    this.projections = createSqlProjections({ schema });
  }

  /** Creates the schema and every projection's tables; fails when the schema already exists. */
  async setUp(): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(`CREATE SCHEMA ${this.quotedSchema}`);
      for (const projection of this.projections) {
        await projection.setup(tx);
      }
    });
  }

  /**
   * Applies every event after the last one applied, up to the current end of the store, and
   * returns the number of events read. Call it again to catch up with events appended since.
   */
  async catchUp(onProgress?: (progress: ReplayProgress) => void): Promise<number> {
    let read = 0;
    let next = this.readPage(this.position);
    for (;;) {
      const events = await next;
      if (events.length === 0) {
        return read;
      }
      // The next page is read, and its personal fields opened, while this one is applied.
      next = this.readPage(events[events.length - 1].position);
      await this.apply(events);
      read += events.length;
      this.eventCount += events.length;
      this.position = events[events.length - 1].position;
      onProgress?.({ events: this.eventCount, position: this.position });
    }
  }

  private readPage(after: GlobalPosition): Promise<RecordedEvent[]> {
    const page = this.store.readAll({ after, maxCount: this.batchSize });
    // Awaited by the next turn of catchUp; this keeps a failure during apply() from leaving it unhandled.
    page.catch(() => undefined);
    return page;
  }

  /** Position of the last event that the projection named `name` (without schema) accepted. */
  lastAcceptedPosition(name: string): GlobalPosition {
    return this.lastAccepted.get(name) ?? START_POSITION;
  }

  /** Names of the projections without the schema prefix, such as `targets`. */
  projectionNames(): string[] {
    return this.projections.map((projection) => unqualifiedName(projection.name));
  }

  async drop(): Promise<void> {
    await this.db.query(`DROP SCHEMA IF EXISTS ${this.quotedSchema} CASCADE`);
  }

  private async apply(events: readonly RecordedEvent[]): Promise<void> {
    const accepted = this.projections.map((projection) => events.filter((event) => matchesFilter(event, projection.filter)));
    await this.db.transaction(async (tx) => {
      // The schema is new and a failed replay is dropped, so a commit need not wait for its disk flush.
      await tx.query('SET LOCAL synchronous_commit = off');
      for (const [index, projection] of this.projections.entries()) {
        if (accepted[index].length > 0) {
          await projection.project(accepted[index], tx);
        }
      }
    });
    for (const [index, projection] of this.projections.entries()) {
      const last = accepted[index].at(-1);
      if (last !== undefined) {
        this.lastAccepted.set(unqualifiedName(projection.name), last.position);
      }
    }
  }
}

/** Tells whether the event store's filter semantics accept `event`: every given condition must hold. */
export function matchesFilter(event: RecordedEvent, filter: EventFilter | undefined): boolean {
  if (filter === undefined) {
    return true;
  }
  if (filter.streamPrefixes !== undefined && !filter.streamPrefixes.some((prefix) => event.streamName.startsWith(prefix))) {
    return false;
  }
  return filter.eventTypes === undefined || filter.eventTypes.includes(event.type);
}

/** Tells whether `position` is at or after `reference`. */
export function hasReached(position: GlobalPosition, reference: GlobalPosition): boolean {
  return comparePositions(position, reference) >= 0;
}

function unqualifiedName(name: string): string {
  return name.slice(name.indexOf('.') + 1);
}
