/**
 * Storage of the data keys that encrypt personal fields, one key per subject. A subject is the
 * stream that holds the personal data (`target-<id>`, `optout-<hash>`). Deleting a subject's key
 * erases its personal fields from every event, because the events themselves never change.
 */

/** A subject's data key as stored: wrapped under the service's key-wrapping key. */
export interface StoredSubjectKey {
  readonly subject: string;
  /** Named by every envelope sealed with the key, so that a later key of the same subject is never tried on it. */
  readonly keyId: string;
  /** Base64 of the wrapped key (see `wrapDataKey`). */
  readonly wrappedKey: string;
}

export interface NewSubjectKey extends StoredSubjectKey {
  /** Keyed hash of the subject's E.164 number (see `NumberHasher`); null for a subject without a number. */
  readonly numberHash: string | null;
}

export interface SubjectKeyStore {
  /** Creates the table or collection and its index when missing; safe to run at every start. */
  ensureSchema(): Promise<void>;

  /**
   * Stores each key whose subject has none yet and returns the key that each given subject holds
   * after the call: the new one, or the one stored before, possibly by a concurrent caller.
   */
  createKeys(keys: readonly NewSubjectKey[]): Promise<StoredSubjectKey[]>;

  /** Returns the keys of those subjects that have one, in one query. */
  findKeys(subjects: readonly string[]): Promise<StoredSubjectKey[]>;

  /** Returns the subjects whose number has this keyed hash. */
  findSubjectsByNumberHash(numberHash: string): Promise<string[]>;

  /** Deletes the subjects' keys; returns the subjects that had one. */
  deleteKeys(subjects: readonly string[]): Promise<string[]>;
}
