import { createHmac } from 'node:crypto';
import { OPT_OUT_STREAM_PREFIX, OptedIn, OptedOut, TargetAdded } from '@sms/domain';
import {
  deriveKey,
  EventStore,
  JsonValue,
  NewEvent,
  NumberHasher,
  PersonalDataEventStore,
  PersonalDataPolicy,
  SubjectKeys,
  SubjectKeyStore,
} from '@sms/event-store';
import { SqlClient } from '@sms/platform';
import { OptOutQueries, ReadModelQueryPort, ReadModelStore } from '@sms/read-models';
import { Secrets } from './secrets';

/**
 * The personal fields of the domain's events and what each reads as once erased: the empty
 * number that the read models also show for an erased target, and no layout values. The other
 * events hold ids, statuses, dates and counts only.
 */
const ERASED_VALUES: Readonly<Record<string, Readonly<Record<string, JsonValue>>>> = {
  TargetAdded: { phoneNumber: '', layout: null } satisfies Partial<Record<keyof TargetAdded['data'], JsonValue>>,
  OptedOut: { phoneNumber: '' } satisfies Partial<Record<keyof OptedOut['data'], JsonValue>>,
  OptedIn: { phoneNumber: '' } satisfies Partial<Record<keyof OptedIn['data'], JsonValue>>,
};

export const SMS_PERSONAL_DATA: PersonalDataPolicy = {
  erasedValuesOf: (eventType) => ERASED_VALUES[eventType],
  phoneNumberOf: (event: NewEvent) => (typeof event.data.phoneNumber === 'string' ? event.data.phoneNumber : undefined),
};

/** The event store with personal fields encrypted per subject, and the subject keys that erasure deletes. */
export interface PersonalData {
  readonly eventStore: EventStore;
  readonly subjectKeys: SubjectKeys;
}

/**
 * Wraps the event store so that personal fields are encrypted, with the subject keys in
 * `keyStore`. The keys that wrap the data keys and hash the numbers are derived from
 * NUMBER_HASH_KEY, each for its own purpose.
 */
export async function protectPersonalData(eventStore: EventStore, keyStore: SubjectKeyStore, secrets: Secrets): Promise<PersonalData> {
  await keyStore.ensureSchema();
  const subjectKeys = new SubjectKeys(keyStore, {
    wrappingKey: deriveKey(secrets.numberHashKey, 'subject-key-wrapping'),
    numberHasher: new NumberHasher(deriveKey(secrets.numberHashKey, 'subject-number-hash')),
  });
  return { eventStore: new PersonalDataEventStore(eventStore, subjectKeys, SMS_PERSONAL_DATA), subjectKeys };
}

/**
 * Returns the key that names a number's opt-out stream: a keyed hash, so the number never appears
 * in a stream name. The `opt-out` prefix keeps these hashes apart from the target ids made with
 * the same key.
 */
export function optOutNumberKey(numberHashKey: string): (e164: string) => string {
  return (e164) => `h${createHmac('sha256', numberHashKey).update(`opt-out\n${e164}`).digest('base64url').slice(0, 26)}`;
}

/** Returns the opt-out stream of a number. */
export function optOutStreamOf(numberHashKey: string, e164: string): string {
  return `${OPT_OUT_STREAM_PREFIX}${optOutNumberKey(numberHashKey)(e164)}`;
}

/**
 * The SQL read models with opt-outs looked up by the keyed hash of each number, so that a number
 * erased from the list's rows stays blocked.
 */
export class NumberKeyedReadModelStore implements ReadModelStore {
  readonly queries: ReadModelQueryPort;

  constructor(
    private readonly inner: ReadModelStore,
    database: SqlClient,
    schema: string,
    numberHashKey: string,
  ) {
    this.queries = { ...inner.queries, optOuts: new OptOutQueries(database, { schema, numberKey: optOutNumberKey(numberHashKey) }) };
  }

  get label(): string {
    return this.inner.label;
  }

  setUp(): Promise<void> {
    return this.inner.setUp();
  }

  targetsCheckpoint() {
    return this.inner.targetsCheckpoint();
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
