import { SqlExecutor } from '@sms/platform';
import { EventFilter, RecordedEvent } from '../event-store.port';

/**
 * A read model kept in SQL from the event store's global order. The runner calls `project` inside
 * the transaction that also moves the projection's checkpoint, so a batch is applied entirely or
 * not at all.
 */
export interface SqlProjection {
  /** Stable name, the key of the projection's checkpoint. Renaming it rebuilds the projection. */
  readonly name: string;
  /** Events the projection receives; every event when absent. */
  readonly filter?: EventFilter;
  /** Creates the projection's tables when missing. Must be idempotent because it runs at every start. */
  setup(db: SqlExecutor): Promise<void>;
  /** Empties the projection's tables, or drops them (`setup` runs right after it). */
  reset(db: SqlExecutor): Promise<void>;
  /**
   * Applies a batch of events, oldest first. Writes must go through `tx` so that they commit or roll
   * back with the checkpoint.
   */
  project(events: readonly RecordedEvent[], tx: SqlExecutor): Promise<void>;
}
