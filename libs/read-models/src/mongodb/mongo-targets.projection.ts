import { idFromStreamName, STREAM_PREFIXES, TargetEvent, TargetStatus } from '@sms/domain';
import type { RecordedEvent } from '@sms/event-store';
import type { AnyBulkWriteOperation, ClientSession, Db } from 'mongodb';
import { asDomainEvent } from '../shared/recorded-domain-event';
import { AttemptRow, attemptIdOf, ERASED, evolveAttemptRow, evolveTargetRow, TargetRow } from '../targets/target-rows';
import {
  AttemptDocument,
  CampaignDocument,
  COLLECTIONS,
  COUNT_FIELDS,
  fromAttemptDocument,
  fromTargetDocument,
  TargetDocument,
  toAttemptDocument,
  toTargetDocument,
} from './mongo-documents';
import { MongoProjection } from './mongo-projection';

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
 * The targets and attempts collections and the `counts` of the campaigns. A batch loads the
 * touched targets and attempts in two queries, applies the events in memory with the same
 * `evolve` functions as the SQL view, and writes each collection with one bulk write. An event
 * at or below the stored revision of its target is skipped, so a replayed batch changes neither
 * documents nor counts.
 */
export class MongoTargetsProjection implements MongoProjection {
  readonly name = 'targets';
  // Every event of a target stream: types this view ignores still move the revision.
  readonly filter = { streamPrefixes: [STREAM_PREFIXES.target] };

  /** Empties targets and attempts and removes the campaign counts. Campaign settings stay. */
  async reset(db: Db): Promise<void> {
    await db.collection<TargetDocument>(COLLECTIONS.targets).deleteMany({});
    await db.collection<AttemptDocument>(COLLECTIONS.attempts).deleteMany({});
    const campaigns = db.collection<CampaignDocument>(COLLECTIONS.campaigns);
    await campaigns.updateMany({}, { $unset: { counts: '' } });
    await campaigns.deleteMany({ revision: null });
  }

  async project(events: readonly RecordedEvent[], db: Db, session: ClientSession): Promise<void> {
    const targetEvents = events.filter((event) => event.streamName.startsWith(STREAM_PREFIXES.target));
    if (targetEvents.length === 0) {
      return;
    }
    const batch = await this.loadBatch(targetEvents, db, session);
    for (const event of targetEvents) {
      batch.apply(event);
    }
    await this.write(batch, targetEvents, db, session);
  }

  private async loadBatch(events: readonly RecordedEvent[], db: Db, session: ClientSession): Promise<TargetBatch> {
    const targetIds = [...new Set(events.map((event) => idFromStreamName(event.streamName)))];
    const attemptIds = new Set<string>();
    for (const recorded of events) {
      const event = asDomainEvent<TargetEvent>(recorded, TARGET_EVENT_TYPES);
      const attemptId = event === null ? null : attemptIdOf(event);
      if (attemptId !== null) {
        attemptIds.add(attemptId);
      }
    }
    const [targets, attempts] = await Promise.all([
      db
        .collection<TargetDocument>(COLLECTIONS.targets)
        .find({ _id: { $in: targetIds } }, { session })
        .toArray(),
      attemptIds.size === 0
        ? Promise.resolve([])
        : db
            .collection<AttemptDocument>(COLLECTIONS.attempts)
            .find({ _id: { $in: [...attemptIds] } }, { session })
            .toArray(),
    ]);
    return new TargetBatch(targets.map(fromTargetDocument), attempts.map(fromAttemptDocument));
  }

  private async write(batch: TargetBatch, events: readonly RecordedEvent[], db: Db, session: ClientSession): Promise<void> {
    const targets = batch.changedTargets().map((row): AnyBulkWriteOperation<TargetDocument> => ({
      replaceOne: { filter: { _id: row.id }, replacement: toTargetDocument(row), upsert: true },
    }));
    if (targets.length > 0) {
      await db.collection<TargetDocument>(COLLECTIONS.targets).bulkWrite(targets, { session, ordered: false });
    }

    const attempts = batch.changedAttempts().map((row): AnyBulkWriteOperation<AttemptDocument> => ({
      replaceOne: { filter: { _id: row.attemptId }, replacement: toAttemptDocument(row), upsert: true },
    }));
    if (attempts.length > 0) {
      await db.collection<AttemptDocument>(COLLECTIONS.attempts).bulkWrite(attempts, { session, ordered: false });
    }

    // Erases the number from every attempt of the targets deleted in this batch.
    const deleted = events.filter((event) => event.type === 'TargetDeleted').map((event) => idFromStreamName(event.streamName));
    if (deleted.length > 0) {
      await db
        .collection<AttemptDocument>(COLLECTIONS.attempts)
        .updateMany({ targetId: { $in: deleted } }, { $set: { phoneNumber: ERASED } }, { session });
    }

    // This projection may run ahead of the campaigns projection. The upsert then creates the
    // campaign document with `revision: null`, which queries skip.
    const counts = [...batch.countChanges()].map(([campaignId, change]): AnyBulkWriteOperation<CampaignDocument> => ({
      updateOne: {
        filter: { _id: campaignId },
        update: {
          $inc: Object.fromEntries([...change].map(([status, delta]) => [`counts.${COUNT_FIELDS[status]}`, delta])),
          $setOnInsert: { revision: null },
        },
        upsert: true,
      },
    }));
    if (counts.length > 0) {
      await db.collection<CampaignDocument>(COLLECTIONS.campaigns).bulkWrite(counts, { session, ordered: false });
    }
  }
}

/** Change of each status count of one campaign. */
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
      if (before !== null) {
        this.targets.set(targetId, { ...before, revision: recorded.revision });
        this.changedTargetIds.add(targetId);
      }
      return;
    }
    const after = evolveTargetRow(before, event);
    if (after === null) {
      return;
    }
    this.targets.set(targetId, after);
    this.changedTargetIds.add(targetId);
    this.countTransition(before, after);

    const attemptId = attemptIdOf(event);
    if (attemptId !== null) {
      const attempt = evolveAttemptRow(this.attempts.get(attemptId) ?? null, before ?? after, event);
      if (attempt !== null) {
        this.attempts.set(attemptId, attempt);
        this.changedAttemptIds.add(attemptId);
      }
    }
  }

  changedTargets(): TargetRow[] {
    return [...this.changedTargetIds].flatMap((id) => this.targets.get(id) ?? []);
  }

  changedAttempts(): AttemptRow[] {
    return [...this.changedAttemptIds].flatMap((id) => this.attempts.get(id) ?? []);
  }

  countChanges(): ReadonlyMap<string, CountChange> {
    return this.counts;
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
