import { randomUUID } from 'node:crypto';
import { DATA_KEY_BYTES, NumberHasher, unwrapDataKey, wrapDataKey } from './personal-data-cipher';
import { randomPool } from './random-pool';
import { DataKey, SubjectKeyCache } from './subject-key-cache';
import { StoredSubjectKey, SubjectKeyStore } from './subject-key-store.port';

export interface SubjectKeysOptions {
  /** Key under which data keys are wrapped at rest (see `deriveKey`). */
  readonly wrappingKey: Buffer;
  /** Hashes the numbers stored with the keys (see `deriveKey`). */
  readonly numberHasher: NumberHasher;
  /** Keys held in memory; 20,000 when absent (about 5 MB). */
  readonly cacheSize?: number;
  /** How long a key stays in memory after it was loaded, in ms; 60,000 when absent. */
  readonly cacheTtlMs?: number;
}

export const DEFAULT_KEY_CACHE_SIZE = 20_000;
export const DEFAULT_KEY_CACHE_TTL_MS = 60_000;

/**
 * The data keys of subjects: created, loaded in batches and cached, and deleted to erase a
 * subject. Each method costs at most one query to the key store for a whole batch of subjects,
 * apart from the rare concurrent creation that `SubjectKeyStore.createKeys` reads again.
 */
export class SubjectKeys {
  private readonly cache: SubjectKeyCache;

  constructor(
    private readonly store: SubjectKeyStore,
    private readonly options: SubjectKeysOptions,
  ) {
    this.cache = new SubjectKeyCache(options.cacheSize ?? DEFAULT_KEY_CACHE_SIZE, options.cacheTtlMs ?? DEFAULT_KEY_CACHE_TTL_MS);
  }

  /**
   * Returns a key for each subject, creating the missing ones in one statement. `subjects` maps
   * each subject to its E.164 number, or to undefined when it has none.
   */
  async keysForWriting(subjects: ReadonlyMap<string, string | undefined>): Promise<Map<string, DataKey>> {
    const keys = new Map<string, DataKey>();
    const created = new Map<string, DataKey>();
    const rows = [];
    for (const [subject, phoneNumber] of subjects) {
      const cached = this.cache.get(subject);
      if (cached !== undefined) {
        keys.set(subject, cached);
        continue;
      }
      const dataKey = { keyId: randomUUID(), key: randomPool.bytes(DATA_KEY_BYTES) };
      created.set(subject, dataKey);
      rows.push({
        subject,
        keyId: dataKey.keyId,
        wrappedKey: wrapDataKey(this.options.wrappingKey, subject, dataKey.keyId, dataKey.key),
        numberHash: phoneNumber === undefined ? null : this.options.numberHasher.hash(phoneNumber),
      });
    }
    if (rows.length === 0) {
      return keys;
    }

    for (const stored of await this.store.createKeys(rows)) {
      // The key just generated when it was stored, else the one another writer stored first.
      const generated = created.get(stored.subject);
      const dataKey = generated?.keyId === stored.keyId ? generated : this.unwrap(stored);
      this.cache.set(stored.subject, dataKey);
      keys.set(stored.subject, dataKey);
    }
    return keys;
  }

  /**
   * Returns the key of each subject that still has the key its envelopes name, loading those not
   * cached in one query. `keyIds` maps each subject to the key id its events were sealed with. A
   * subject whose key was deleted, or replaced by a later key, is absent from the result.
   */
  async keysForReading(keyIds: ReadonlyMap<string, string>): Promise<Map<string, DataKey>> {
    const keys = new Map<string, DataKey>();
    const missing: string[] = [];
    for (const [subject, keyId] of keyIds) {
      const cached = this.cache.get(subject);
      if (cached?.keyId === keyId) {
        keys.set(subject, cached);
      } else {
        missing.push(subject);
      }
    }
    if (missing.length === 0) {
      return keys;
    }

    for (const stored of await this.store.findKeys(missing)) {
      const dataKey = this.unwrap(stored);
      this.cache.set(stored.subject, dataKey);
      if (keyIds.get(stored.subject) === dataKey.keyId) {
        keys.set(stored.subject, dataKey);
      }
    }
    return keys;
  }

  /** Returns the subjects whose number is `e164`, found by its keyed hash. */
  subjectsOfNumber(e164: string): Promise<string[]> {
    return this.store.findSubjectsByNumberHash(this.options.numberHasher.hash(e164));
  }

  /**
   * Deletes the subjects' keys, which erases their personal fields from every event. Returns the
   * subjects that had a key. Other processes may still hold a deleted key in their cache for up
   * to `cacheTtlMs`.
   */
  async erase(subjects: readonly string[]): Promise<string[]> {
    const erased = await this.store.deleteKeys(subjects);
    // After the delete, so that a read that loaded a key meanwhile does not leave it cached.
    for (const subject of subjects) {
      this.cache.delete(subject);
    }
    return erased;
  }

  private unwrap(stored: StoredSubjectKey): DataKey {
    return { keyId: stored.keyId, key: unwrapDataKey(this.options.wrappingKey, stored.subject, stored.keyId, stored.wrappedKey) };
  }
}
