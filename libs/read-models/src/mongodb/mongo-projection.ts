import type { EventFilter, RecordedEvent } from '@sms/event-store';
import type { ClientSession, Db } from 'mongodb';

/**
 * A read model kept in MongoDB. `project` writes through `session`, which runs a transaction
 * when the server is a replica set, so the batch and the checkpoint commit together.
 */
export interface MongoProjection {
  /** Stable name, the key of the projection's checkpoint. */
  readonly name: string;
  readonly filter?: EventFilter;
  /** Applies a batch, oldest first. An event at or below the revision stored for its stream changes nothing. */
  project(events: readonly RecordedEvent[], db: Db, session: ClientSession): Promise<void>;
  /** Empties the projection's documents or fields, so that a replay from the first event writes them again. */
  reset(db: Db): Promise<void>;
}
