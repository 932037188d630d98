import { assertNever, idFromStreamName, ImportCounts, ImportEvent, STREAM_PREFIXES } from '@sms/domain';
import type { RecordedEvent } from '@sms/event-store';
import type { ClientSession, Db } from 'mongodb';
import { MAX_IMPORT_ERRORS } from '../imports/imports.projection';
import type { ImportView } from '../imports/imports.queries';
import type { ImportQueryPort } from '../read-model-store.port';
import { asDomainEvent } from '../shared/recorded-domain-event';
import { COLLECTIONS, ImportDocument, toIso } from './mongo-documents';
import { MongoProjection } from './mongo-projection';

const IMPORT_EVENT_TYPES: ReadonlySet<string> = new Set<ImportEvent['type']>([
  'ImportStarted',
  'ImportProgressed',
  'ImportCompleted',
  'ImportFailed',
]);

/**
 * The imports collection: progress, counts and the first rejected rows of each import. Every
 * update after the first filters on a stored revision below the event's, so a replayed event
 * matches nothing.
 */
export class MongoImportsProjection implements MongoProjection {
  readonly name = 'imports';
  readonly filter = { streamPrefixes: [STREAM_PREFIXES.import] };

  async project(events: readonly RecordedEvent[], db: Db, session: ClientSession): Promise<void> {
    const imports = db.collection<ImportDocument>(COLLECTIONS.imports);
    for (const recorded of events) {
      const event = asDomainEvent<ImportEvent>(recorded, IMPORT_EVENT_TYPES);
      if (event === null) {
        continue;
      }
      const id = idFromStreamName(event.streamName);
      const newer = { _id: id, revision: { $lt: event.revision } };
      switch (event.type) {
        case 'ImportStarted': {
          const { campaignId, source, startedAt } = event.data;
          // Inserts once: the filter is the id alone, so a replay matches the document and sets nothing.
          await imports.updateOne(
            { _id: id },
            {
              $setOnInsert: {
                revision: event.revision,
                campaignId,
                source,
                status: 'RUNNING',
                ...countsOf({ processed: 0, imported: 0, duplicates: 0, rejected: 0 }),
                errors: [],
                errorsReported: 0,
                reason: null,
                startedAt: new Date(startedAt),
                endedAt: null,
              },
            },
            { upsert: true, session },
          );
          break;
        }
        case 'ImportProgressed': {
          // The counts are cumulative. `errors` contains the rows rejected since the previous event,
          // appended until MAX_IMPORT_ERRORS are kept, because `$slice` keeps the first ones.
          const { errors, ...counts } = event.data;
          await imports.updateOne(
            newer,
            {
              $set: { revision: event.revision, ...countsOf(counts) },
              $push: { errors: { $each: errors, $slice: MAX_IMPORT_ERRORS } },
              $inc: { errorsReported: errors.length },
            },
            { session },
          );
          break;
        }
        case 'ImportCompleted':
          await imports.updateOne(
            newer,
            {
              $set: {
                revision: event.revision,
                status: 'DONE',
                ...countsOf(event.data),
                reason: null,
                endedAt: new Date(event.data.completedAt),
              },
            },
            { session },
          );
          break;
        case 'ImportFailed':
          await imports.updateOne(
            newer,
            {
              $set: {
                revision: event.revision,
                status: 'FAILED',
                ...countsOf(event.data),
                reason: event.data.reason,
                endedAt: new Date(event.data.failedAt),
              },
            },
            { session },
          );
          break;
        default:
          assertNever(event);
      }
    }
  }

  async reset(db: Db): Promise<void> {
    await db.collection<ImportDocument>(COLLECTIONS.imports).deleteMany({});
  }
}

export class MongoImportQueries implements ImportQueryPort {
  constructor(private readonly db: Db) {}

  async getImport(id: string): Promise<ImportView | null> {
    const document = await this.db.collection<ImportDocument>(COLLECTIONS.imports).findOne({ _id: id });
    if (document === null) {
      return null;
    }
    return {
      id: document._id,
      campaignId: document.campaignId,
      source: document.source,
      status: document.status,
      processed: document.processed,
      imported: document.imported,
      duplicates: document.duplicates,
      rejected: document.rejected,
      errors: document.errors,
      errorsTruncated: document.errorsReported > MAX_IMPORT_ERRORS,
      reason: document.reason,
      startedAt: document.startedAt.toISOString(),
      endedAt: toIso(document.endedAt),
      revision: document.revision,
    };
  }
}

/** Copies the four counts out of an event, leaving its other fields. */
function countsOf(counts: ImportCounts): ImportCounts {
  return { processed: counts.processed, imported: counts.imported, duplicates: counts.duplicates, rejected: counts.rejected };
}
