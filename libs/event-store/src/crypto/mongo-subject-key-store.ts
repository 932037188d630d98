import { Collection, Db, MongoBulkWriteError, WriteConcern } from 'mongodb';
import { NewSubjectKey, StoredSubjectKey, SubjectKeyStore } from './subject-key-store.port';

/** A subject key as MongoDB stores it, the subject being the document id. */
interface SubjectKeyDocument {
  _id: string;
  keyId: string;
  wrappedKey: string;
  /** Keyed hash of the subject's number; null for a subject without one. */
  numberHash: string | null;
  createdAt: Date;
}

/** MongoDB's duplicate key error: another caller stored the subject's key first. */
const DUPLICATE_KEY = 11000;

/**
 * Subject keys in a MongoDB collection, for deployments whose events are in KurrentDB and whose
 * read models are in MongoDB, so that no SQL database is needed. A key must be durable before
 * the events it seals are appended elsewhere, so keys are written with a majority, journaled
 * write concern.
 */
export class MongoSubjectKeyStore implements SubjectKeyStore {
  private readonly keys: Collection<SubjectKeyDocument>;

  constructor(db: Db, collectionName = 'subject_keys') {
    this.keys = db.collection<SubjectKeyDocument>(collectionName, {
      writeConcern: new WriteConcern('majority', undefined, true),
    });
  }

  /** Creates the index that erasure by number reads; `createIndex` does nothing when it exists. */
  async ensureSchema(): Promise<void> {
    await this.keys.createIndex(
      { numberHash: 1 },
      { name: 'subject_keys_by_number', partialFilterExpression: { numberHash: { $type: 'string' } } },
    );
  }

  /**
   * Inserts the batch's keys in one unordered call. A subject that already has a key fails alone
   * with a duplicate key error and keeps its key, which the read that follows returns.
   */
  async createKeys(keys: readonly NewSubjectKey[]): Promise<StoredSubjectKey[]> {
    if (keys.length === 0) {
      return [];
    }
    const createdAt = new Date();
    const documents = keys.map((key) => ({
      _id: key.subject,
      keyId: key.keyId,
      wrappedKey: key.wrappedKey,
      numberHash: key.numberHash,
      createdAt,
    }));
    try {
      await this.keys.insertMany(documents, { ordered: false });
    } catch (error) {
      if (!onlyDuplicates(error)) throw error;
    }
    return this.findKeys(keys.map((key) => key.subject));
  }

  async findKeys(subjects: readonly string[]): Promise<StoredSubjectKey[]> {
    if (subjects.length === 0) {
      return [];
    }
    const documents = await this.keys.find({ _id: { $in: [...subjects] } }).toArray();
    return documents.map((document) => ({ subject: document._id, keyId: document.keyId, wrappedKey: document.wrappedKey }));
  }

  async findSubjectsByNumberHash(numberHash: string): Promise<string[]> {
    const documents = await this.keys
      .find({ numberHash }, { projection: { _id: 1 } })
      .sort({ _id: 1 })
      .toArray();
    return documents.map((document) => document._id);
  }

  /** Deletes the keys and returns the subjects that had one, read just before the delete. */
  async deleteKeys(subjects: readonly string[]): Promise<string[]> {
    if (subjects.length === 0) {
      return [];
    }
    const existing = await this.keys.find({ _id: { $in: [...subjects] } }, { projection: { _id: 1 } }).toArray();
    await this.keys.deleteMany({ _id: { $in: [...subjects] } });
    return existing.map((document) => document._id).sort();
  }
}

function onlyDuplicates(error: unknown): boolean {
  if (!(error instanceof MongoBulkWriteError)) return false;
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  return writeErrors.length > 0 && writeErrors.every((writeError) => writeError.code === DUPLICATE_KEY);
}
