import { idFromStreamName, STREAM_PREFIXES, TargetEvent, TargetStatus } from '@sms/domain';
import type { RecordedEvent } from '@sms/event-store';
import { SqlExecutor, TableStatistics } from '@sms/platform';
import { createCampaignsTable } from '../campaigns/campaigns.table';
import { COUNT_COLUMNS, TARGET_STATUSES } from '../campaigns/target-counts';
import { asDomainEvent } from '../shared/recorded-domain-event';
import { DEFAULT_READ_MODEL_SCHEMA, quoteSchemaName, ReadModelOptions } from '../shared/schema-name';
import { lockSchemaSetup } from '../shared/setup-lock';
import type { SqlProjection } from '@sms/event-store';
import {
  AttemptRow,
  attemptIdOf,
  AttemptStatus,
  ERASED,
  evolveAttemptRow,
  evolveTargetRow,
  RecordedTargetEvent,
  TargetRow,
} from './target-rows';
import { createTargetTables } from './targets.tables';

const TARGET_EVENT_TYPES: ReadonlySet<string> = new Set<TargetEvent['type']>([
  'TargetAdded',
  'SmsAttemptStarted',
  'SmsSubmissionStarted',
  'SmsAttempted',
  'SmsDeliveryReported',
  'TargetRemoved',
  'TargetRescheduled',
  'TargetDeleted',
  'TargetExpired',
  'TargetOptedOut',
]);

/**
 * The targets and attempts tables, and the per-status count columns of the campaigns table.
 *
 * A batch made only of the TargetAdded events that open new target streams, as an import appends,
 * costs one statement (see `insertNewTargets`). Any other batch costs at most five statements
 * whatever its size. Two queries load the touched targets and their attempts, and the events are
 * applied to them in memory, in order. Then one multi-row statement each writes the targets, the
 * attempts and the count changes. An event whose revision is not above the stored revision of its
 * target was applied before and is skipped, so replaying a batch changes neither rows nor counts.
 */
export class TargetsProjection implements SqlProjection {
  readonly name: string;
  // Every event of a target stream, including types this view ignores: they still move the revision.
  readonly filter = { streamPrefixes: [STREAM_PREFIXES.target] };
  private readonly schema: string;
  private readonly targets: string;
  private readonly attempts: string;
  private readonly campaigns: string;
  private readonly statistics: TableStatistics;

  constructor(options: ReadModelOptions = {}) {
    const schema = options.schema ?? DEFAULT_READ_MODEL_SCHEMA;
    this.schema = quoteSchemaName(schema);
    this.targets = `${this.schema}.targets`;
    this.attempts = `${this.schema}.attempts`;
    this.campaigns = `${this.schema}.campaigns`;
    this.name = `${schema}.targets`;
    this.statistics = new TableStatistics([this.targets]);
  }

  async setup(db: SqlExecutor): Promise<void> {
    await lockSchemaSetup(db, this.schema);
    await createCampaignsTable(db, this.schema);
    await createTargetTables(db, this.schema);
  }

  /** Empties targets and attempts and zeroes the campaign counts. Campaign settings stay. */
  async reset(db: SqlExecutor): Promise<void> {
    await db.query(`TRUNCATE ${this.targets}, ${this.attempts}`);
    const zeroes = TARGET_STATUSES.map((status) => `${COUNT_COLUMNS[status]} = 0`).join(', ');
    await db.query(`UPDATE ${this.campaigns} SET ${zeroes}`);
    await db.query(`DELETE FROM ${this.campaigns} WHERE revision IS NULL`);
  }

  async project(events: readonly RecordedEvent[], tx: SqlExecutor): Promise<void> {
    const targetEvents = events.filter((event) => event.streamName.startsWith(STREAM_PREFIXES.target));
    if (targetEvents.length === 0) {
      return;
    }
    if (this.statistics.noteWrites(targetEvents.length)) {
      // In the batch's transaction, so that the dispatch and list queries plan on fresh statistics.
      await this.statistics.analyze(tx);
    }
    if (opensNewTargetsOnly(targetEvents)) {
      await this.insertNewTargets(targetEvents, tx);
      return;
    }
    const batch = await this.loadBatch(targetEvents, tx);
    for (const event of targetEvents) {
      batch.apply(event);
    }
    await this.writeTargets(batch.changedTargets(), tx);
    await this.writeAttempts(batch.changedAttempts(), tx);
    await this.eraseAttemptNumbers(targetEvents, tx);
    await this.writeCounts(batch.countChanges(), tx);
  }

  /**
   * Inserts the targets of TargetAdded events at revision 0, each of its own stream, and adds the
   * rows actually inserted to the pending counts, in one statement and without loading rows first.
   * A stored row already has a revision of 0 or more, which the general path would skip, so
   * ON CONFLICT DO NOTHING keeps its semantics: replaying the batch changes neither rows nor counts.
   */
  private async insertNewTargets(events: readonly RecordedEvent[], tx: SqlExecutor): Promise<void> {
    const rows: NewTargetRow[] = [];
    for (const recorded of events) {
      const event = asDomainEvent<TargetEvent>(recorded, TARGET_EVENT_TYPES);
      const row = event === null ? null : evolveTargetRow(null, event);
      if (row === null || row.status !== 'PENDING') {
        throw new Error(`Internal error: event ${recorded.id} of stream '${recorded.streamName}' does not open a pending target`);
      }
      rows.push({
        id: row.id,
        campaign_id: row.campaignId,
        phone_number: row.phoneNumber,
        start_date: row.startDate,
        priority: row.priority,
        time_zone: row.timeZone,
        layout: row.layout,
        import_id: row.importId,
        revision: row.revision,
      });
    }
    const pending = COUNT_COLUMNS.PENDING;
    await tx.query(
      `WITH inserted AS (
         INSERT INTO ${this.targets} (id, campaign_id, phone_number, start_date, priority, status, time_zone, layout,
                                      import_id, revision, attempts, last_attempt_at, current_attempt_id)
         SELECT id, campaign_id, phone_number, start_date, priority, 'PENDING', time_zone, layout, import_id, revision, 0, NULL, NULL
         FROM json_to_recordset($1::json) AS added (id text, campaign_id text, phone_number text, start_date timestamptz,
                                                    priority integer, time_zone text, layout jsonb, import_id text, revision integer)
         ORDER BY id
         ON CONFLICT (id) DO NOTHING
         RETURNING campaign_id
       )
       INSERT INTO ${this.campaigns} (id, ${pending})
       SELECT campaign_id, count(*) FROM inserted GROUP BY campaign_id ORDER BY campaign_id
       ON CONFLICT (id) DO UPDATE SET ${pending} = campaigns.${pending} + EXCLUDED.${pending}`,
      [JSON.stringify(rows)],
    );
  }

  private async loadBatch(events: readonly RecordedEvent[], tx: SqlExecutor): Promise<TargetBatch> {
    const targetIds = [...new Set(events.map((event) => idFromStreamName(event.streamName)))];
    const attemptIds = new Set<string>();
    for (const recorded of events) {
      const event = asDomainEvent<TargetEvent>(recorded, TARGET_EVENT_TYPES);
      const attemptId = event === null ? null : attemptIdOf(event);
      if (attemptId !== null) {
        attemptIds.add(attemptId);
      }
    }

    // Rows come back as one JSON array because PGlite decodes it about three times faster than the
    // same rows column by column, while PostgreSQL takes about as long either way (measured with
    // bench/targets-projection.measure.ts on 500-event batches).
    const targets = await tx.query<{ rows: StoredTarget[] | null }>(
      `SELECT json_agg(stored) AS rows FROM (
         SELECT id, campaign_id, phone_number, start_date, priority, status, time_zone, layout, import_id,
                revision, attempts, last_attempt_at, current_attempt_id
         FROM ${this.targets} WHERE id = ANY($1::text[])
       ) stored`,
      [targetIds],
    );
    const attempts =
      attemptIds.size === 0
        ? null
        : await tx.query<{ rows: StoredAttempt[] | null }>(
            `SELECT json_agg(stored) AS rows FROM (
               SELECT attempt_id, target_id, campaign_id, session_id, attempt_number, status, phone_number,
                      started_at, ended_at, provider_message_id, error, encoding, segments
               FROM ${this.attempts} WHERE attempt_id = ANY($1::text[])
             ) stored`,
            [[...attemptIds]],
          );
    const storedTargets = targets.rows[0].rows ?? [];
    const storedAttempts = attempts?.rows[0].rows ?? [];
    return new TargetBatch(storedTargets.map(fromStoredTarget), storedAttempts.map(fromStoredAttempt));
  }

  private async writeTargets(rows: readonly TargetRow[], tx: SqlExecutor): Promise<void> {
    if (rows.length === 0) {
      return;
    }
    await tx.query(
      `INSERT INTO ${this.targets} (id, campaign_id, phone_number, start_date, priority, status, time_zone, layout,
                                    import_id, revision, attempts, last_attempt_at, current_attempt_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::integer[], $6::text[],
                            $7::text[], $8::jsonb[], $9::text[], $10::integer[], $11::integer[],
                            $12::timestamptz[], $13::text[])
       ON CONFLICT (id) DO UPDATE SET
         campaign_id = EXCLUDED.campaign_id, phone_number = EXCLUDED.phone_number, start_date = EXCLUDED.start_date,
         priority = EXCLUDED.priority, status = EXCLUDED.status, time_zone = EXCLUDED.time_zone,
         layout = EXCLUDED.layout, import_id = EXCLUDED.import_id, revision = EXCLUDED.revision,
         attempts = EXCLUDED.attempts, last_attempt_at = EXCLUDED.last_attempt_at,
         current_attempt_id = EXCLUDED.current_attempt_id`,
      [
        rows.map((row) => row.id),
        rows.map((row) => row.campaignId),
        rows.map((row) => row.phoneNumber),
        rows.map((row) => row.startDate),
        rows.map((row) => row.priority),
        rows.map((row) => row.status),
        rows.map((row) => row.timeZone),
        rows.map((row) => (row.layout === null ? null : JSON.stringify(row.layout))),
        rows.map((row) => row.importId),
        rows.map((row) => row.revision),
        rows.map((row) => row.attempts),
        rows.map((row) => row.lastAttemptAt),
        rows.map((row) => row.currentAttemptId),
      ],
    );
  }

  private async writeAttempts(rows: readonly AttemptRow[], tx: SqlExecutor): Promise<void> {
    if (rows.length === 0) {
      return;
    }
    await tx.query(
      `INSERT INTO ${this.attempts} (attempt_id, target_id, campaign_id, session_id, attempt_number, status,
                                     phone_number, started_at, ended_at, provider_message_id, error, encoding, segments)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::integer[], $6::text[], $7::text[],
                            $8::timestamptz[], $9::timestamptz[], $10::text[], $11::jsonb[], $12::text[],
                            $13::integer[])
       ON CONFLICT (attempt_id) DO UPDATE SET
         status = EXCLUDED.status, phone_number = EXCLUDED.phone_number, ended_at = EXCLUDED.ended_at,
         provider_message_id = EXCLUDED.provider_message_id, error = EXCLUDED.error,
         encoding = EXCLUDED.encoding, segments = EXCLUDED.segments`,
      [
        rows.map((row) => row.attemptId),
        rows.map((row) => row.targetId),
        rows.map((row) => row.campaignId),
        rows.map((row) => row.sessionId),
        rows.map((row) => row.attemptNumber),
        rows.map((row) => row.status),
        rows.map((row) => row.phoneNumber),
        rows.map((row) => row.startedAt),
        rows.map((row) => row.endedAt),
        rows.map((row) => row.providerMessageId),
        rows.map((row) => (row.error === null ? null : JSON.stringify(row.error))),
        rows.map((row) => row.encoding),
        rows.map((row) => row.segments),
      ],
    );
  }

  /** Erases the number from every attempt of the targets deleted in this batch. */
  private async eraseAttemptNumbers(events: readonly RecordedEvent[], tx: SqlExecutor): Promise<void> {
    const deleted = events.filter((event) => event.type === 'TargetDeleted').map((event) => idFromStreamName(event.streamName));
    if (deleted.length > 0) {
      await tx.query(`UPDATE ${this.attempts} SET phone_number = $2 WHERE target_id = ANY($1::text[])`, [deleted, ERASED]);
    }
  }

  /**
   * Adds the count changes to the campaign rows in one statement. The row may not exist yet when
   * this projection runs ahead of the campaigns projection, hence the upsert.
   */
  private async writeCounts(changes: ReadonlyMap<string, CountChange>, tx: SqlExecutor): Promise<void> {
    if (changes.size === 0) {
      return;
    }
    const campaignIds = [...changes.keys()].sort();
    const columns = TARGET_STATUSES.map((status) => COUNT_COLUMNS[status]);
    const params: unknown[] = [campaignIds, ...TARGET_STATUSES.map((status) => campaignIds.map((id) => changes.get(id)?.get(status) ?? 0))];
    const arrays = TARGET_STATUSES.map((_, index) => `$${index + 2}::integer[]`).join(', ');
    const increments = columns.map((column) => `${column} = campaigns.${column} + EXCLUDED.${column}`).join(', ');
    await tx.query(
      `INSERT INTO ${this.campaigns} (id, ${columns.join(', ')})
       SELECT * FROM unnest($1::text[], ${arrays})
       ON CONFLICT (id) DO UPDATE SET ${increments}`,
      params,
    );
  }
}

/** Returns whether every event is a TargetAdded at revision 0, each of another stream. */
function opensNewTargetsOnly(events: readonly RecordedEvent[]): boolean {
  const streamNames = new Set<string>();
  for (const event of events) {
    if (event.type !== 'TargetAdded' || event.revision !== 0 || streamNames.has(event.streamName)) {
      return false;
    }
    streamNames.add(event.streamName);
  }
  return true;
}

/** The columns of a new target row that `insertNewTargets` sends, as `json_to_recordset` reads them. */
interface NewTargetRow {
  readonly id: string;
  readonly campaign_id: string;
  readonly phone_number: string;
  readonly start_date: string | null;
  readonly priority: number;
  readonly time_zone: string | null;
  readonly layout: TargetRow['layout'];
  readonly import_id: string | null;
  readonly revision: number;
}

/** Change of each status count of one campaign. Statuses that did not change are absent. */
type CountChange = Map<TargetStatus, number>;

/** The touched targets and attempts of one batch, as loaded and then as changed by its events. */
class TargetBatch {
  private readonly targets = new Map<string, TargetRow>();
  private readonly attempts = new Map<string, AttemptRow>();
  private readonly changedTargetIds = new Set<string>();
  private readonly changedAttemptIds = new Set<string>();
  private readonly counts = new Map<string, CountChange>();

  constructor(targets: readonly TargetRow[], attempts: readonly AttemptRow[]) {
    for (const target of targets) {
      this.targets.set(target.id, target);
    }
    for (const attempt of attempts) {
      this.attempts.set(attempt.attemptId, attempt);
    }
  }

  apply(recorded: RecordedEvent): void {
    const targetId = idFromStreamName(recorded.streamName);
    const before = this.targets.get(targetId) ?? null;
    if (before !== null && recorded.revision <= before.revision) {
      return;
    }
    const event = asDomainEvent<TargetEvent>(recorded, TARGET_EVENT_TYPES);
    if (event === null) {
      this.advanceRevision(before, recorded.revision);
      return;
    }
    const after = evolveTargetRow(before, event);
    if (after === null) {
      return;
    }
    this.targets.set(targetId, after);
    this.changedTargetIds.add(targetId);
    this.countTransition(before, after);
    this.applyToAttempt(before ?? after, event);
  }

  /** Returns the changed targets ordered by id, so that concurrent writers lock rows in the same order. */
  changedTargets(): TargetRow[] {
    return [...this.targets.values()].filter((row) => this.changedTargetIds.has(row.id)).sort(byKey((row) => row.id));
  }

  changedAttempts(): AttemptRow[] {
    return [...this.attempts.values()].filter((row) => this.changedAttemptIds.has(row.attemptId)).sort(byKey((row) => row.attemptId));
  }

  countChanges(): ReadonlyMap<string, CountChange> {
    return this.counts;
  }

  private applyToAttempt(target: TargetRow, event: RecordedTargetEvent): void {
    const attemptId = attemptIdOf(event);
    if (attemptId === null) {
      return;
    }
    const attempt = evolveAttemptRow(this.attempts.get(attemptId) ?? null, target, event);
    if (attempt !== null) {
      this.attempts.set(attemptId, attempt);
      this.changedAttemptIds.add(attemptId);
    }
  }

  /** Moves the revision for an event type this view does not read, because the scheduler appends against it. */
  private advanceRevision(target: TargetRow | null, revision: number): void {
    if (target !== null) {
      this.targets.set(target.id, { ...target, revision });
      this.changedTargetIds.add(target.id);
    }
  }

  private countTransition(before: TargetRow | null, after: TargetRow): void {
    if (before !== null && before.status === after.status && before.campaignId === after.campaignId) {
      return;
    }
    if (before !== null) {
      this.addToCount(before.campaignId, before.status, -1);
    }
    this.addToCount(after.campaignId, after.status, 1);
  }

  private addToCount(campaignId: string, status: TargetStatus, change: number): void {
    const campaign = this.counts.get(campaignId) ?? new Map<TargetStatus, number>();
    campaign.set(status, (campaign.get(status) ?? 0) + change);
    this.counts.set(campaignId, campaign);
  }
}

function byKey<Row>(key: (row: Row) => string): (a: Row, b: Row) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

/** A target row as `json_agg` returns it, with instants as ISO-8601 strings in the session's offset. */
type StoredTarget = {
  id: string;
  campaign_id: string;
  phone_number: string;
  start_date: string | null;
  priority: number;
  status: TargetStatus;
  time_zone: string | null;
  layout: TargetRow['layout'];
  import_id: string | null;
  revision: number;
  attempts: number;
  last_attempt_at: string | null;
  current_attempt_id: string | null;
};

/** An attempt row as `json_agg` returns it. */
type StoredAttempt = {
  attempt_id: string;
  target_id: string;
  campaign_id: string;
  session_id: string;
  attempt_number: number;
  status: AttemptStatus;
  phone_number: string;
  started_at: string;
  ended_at: string | null;
  provider_message_id: string | null;
  error: AttemptRow['error'];
  encoding: AttemptRow['encoding'];
  segments: number | null;
};

function fromStoredTarget(row: StoredTarget): TargetRow {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    phoneNumber: row.phone_number,
    startDate: row.start_date,
    priority: row.priority,
    status: row.status,
    timeZone: row.time_zone,
    layout: row.layout,
    importId: row.import_id,
    revision: row.revision,
    attempts: row.attempts,
    lastAttemptAt: row.last_attempt_at,
    currentAttemptId: row.current_attempt_id,
  };
}

function fromStoredAttempt(row: StoredAttempt): AttemptRow {
  return {
    attemptId: row.attempt_id,
    targetId: row.target_id,
    campaignId: row.campaign_id,
    sessionId: row.session_id,
    attemptNumber: row.attempt_number,
    status: row.status,
    phoneNumber: row.phone_number,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    providerMessageId: row.provider_message_id,
    error: row.error,
    encoding: row.encoding,
    segments: row.segments,
  };
}
