import type { ClientSession, Db } from 'mongodb';
import { RevisionedDocument } from './mongo-documents';

/** The fields an event sets on a document, and those it sets only when it creates the document. */
export interface RevisionedWrite<Document extends RevisionedDocument> {
  readonly set: Partial<Omit<Document, '_id' | 'revision'>>;
  readonly setOnInsert?: Partial<Omit<Document, '_id' | 'revision'>>;
}

/**
 * Writes an event to the document `id` of `collectionName`, creating it when missing, unless its
 * stored revision is at or above `revision`, so a replayed event changes nothing.
 *
 * It reads the revision first instead of upserting with `revision < event revision` in the
 * filter. Such an upsert, on a document that is already newer, inserts a second `_id` and fails
 * with a duplicate key error, and on MongoDB that error aborts the whole transaction
 * (SERVER-34059). The update then filters on the revision it read, so a write by another runner
 * in between is not overwritten.
 */
export async function writeIfNewer<Document extends RevisionedDocument>(
  db: Db,
  collectionName: string,
  id: string,
  revision: number,
  write: RevisionedWrite<Document>,
  session: ClientSession,
): Promise<void> {
  const collection = db.collection<RevisionedDocument>(collectionName);
  const stored = await collection.findOne({ _id: id }, { session, projection: { revision: 1 } });
  if (stored !== null && stored.revision !== null && stored.revision >= revision) {
    return;
  }
  const update = { $set: { ...write.set, revision }, ...(write.setOnInsert === undefined ? {} : { $setOnInsert: write.setOnInsert }) };
  if (stored === null) {
    await collection.updateOne({ _id: id }, update, { upsert: true, session });
    return;
  }
  await collection.updateOne({ _id: id, revision: stored.revision }, update, { session });
}
