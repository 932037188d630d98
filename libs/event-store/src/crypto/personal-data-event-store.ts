import {
  AppendOptions,
  AppendResult,
  EventStore,
  EventSubscription,
  ExpectedRevision,
  JsonObject,
  JsonValue,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StreamAppend,
  SubscribeOptions,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { open, seal } from './personal-data-cipher';
import { PersonalDataPolicy } from './personal-data-policy';
import { DataKey } from './subject-key-cache';
import { SubjectKeys } from './subject-keys';

/**
 * Field of a stored event's data that contains its sealed personal fields, in place of the fields
 * themselves: `v1.<key id>.<base64url of nonce, tag and ciphertext>`.
 */
export const SEALED_FIELD = '$sealed';
const ENVELOPE_VERSION = 'v1';

/**
 * An EventStore that encrypts the personal fields of events on append and decrypts them on every
 * read, so that deleting a subject's key erases those fields from the immutable events
 * (crypto-shredding). The subject is the event's stream. Callers see the events they appended;
 * once a subject's key is deleted, its personal fields read as the policy's erased values. Events
 * stored before this decorator, without a sealed field, read as they were stored.
 */
export class PersonalDataEventStore implements EventStore {
  constructor(
    private readonly inner: EventStore,
    readonly keys: SubjectKeys,
    private readonly policy: PersonalDataPolicy,
  ) {}

  async appendToStream(
    streamName: string,
    events: readonly NewEvent[],
    options: { expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    const [outcome] = await this.appendToStreams([{ streamName, events, expectedRevision: options.expectedRevision }]);
    if (outcome instanceof WrongExpectedRevisionError) {
      throw outcome;
    }
    return outcome;
  }

  /** Creates the missing keys of the batch in one statement, then appends the sealed events. */
  async appendToStreams(
    appends: readonly StreamAppend[],
    options?: AppendOptions,
  ): Promise<Array<AppendResult | WrongExpectedRevisionError>> {
    const subjects = new Map<string, string | undefined>();
    for (const append of appends) {
      for (const event of append.events) {
        if (this.personalFieldsOf(event) !== undefined && subjects.get(append.streamName) === undefined) {
          subjects.set(append.streamName, this.policy.phoneNumberOf(event));
        }
      }
    }
    if (subjects.size === 0) {
      return this.inner.appendToStreams(appends, options);
    }

    const keys = await this.keys.keysForWriting(subjects);
    const sealed = appends.map((append) => {
      const key = keys.get(append.streamName);
      return key === undefined
        ? append
        : { ...append, events: append.events.map((event) => this.sealEvent(event, append.streamName, key)) };
    });
    return this.inner.appendToStreams(sealed, options);
  }

  async readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.openEvents(await this.inner.readStream(streamName, options));
  }

  async readStreams(streamNames: readonly string[]): Promise<RecordedEvent[]> {
    return this.openEvents(await this.inner.readStreams(streamNames));
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.openEvents(await this.inner.readAll(options));
  }

  subscribeToAll(options?: SubscribeOptions): EventSubscription {
    return new OpeningSubscription(this.inner.subscribeToAll(options), (events) => this.openEvents(events));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Decrypts a page of events, loading the keys it needs in one query. */
  async openEvents(events: readonly RecordedEvent[]): Promise<RecordedEvent[]> {
    const keyIds = new Map<string, string>();
    for (const event of events) {
      const envelope = envelopeOf(event.data);
      if (envelope !== undefined) {
        keyIds.set(event.streamName, envelope.keyId);
      }
    }
    if (keyIds.size === 0) {
      return [...events];
    }

    const keys = await this.keys.keysForReading(keyIds);
    return events.map((event) => this.openEvent(event, keys));
  }

  private personalFieldsOf(event: NewEvent): string[] | undefined {
    const erased = this.policy.erasedValuesOf(event.type);
    if (erased === undefined) {
      return undefined;
    }
    const present = Object.keys(erased).filter((field) => event.data[field] !== undefined);
    return present.length === 0 ? undefined : present;
  }

  private sealEvent(event: NewEvent, subject: string, key: DataKey): NewEvent {
    const fields = this.personalFieldsOf(event);
    if (fields === undefined) {
      return event;
    }
    const personal: JsonObject = {};
    const data: JsonObject = { ...event.data };
    for (const field of fields) {
      personal[field] = event.data[field];
      delete data[field];
    }
    const sealed = seal(key.key, Buffer.from(JSON.stringify(personal), 'utf8'), associatedData(subject, event.id));
    data[SEALED_FIELD] = `${ENVELOPE_VERSION}.${key.keyId}.${sealed.toString('base64url')}`;
    return { ...event, data };
  }

  private openEvent(event: RecordedEvent, keys: ReadonlyMap<string, DataKey>): RecordedEvent {
    const envelope = envelopeOf(event.data);
    if (envelope === undefined) {
      return event;
    }
    const { [SEALED_FIELD]: _, ...data } = event.data;
    const key = keys.get(event.streamName);
    const personal =
      key?.keyId === envelope.keyId ? openPersonalFields(event, key, envelope.sealed) : (this.policy.erasedValuesOf(event.type) ?? {});
    return { ...event, data: { ...data, ...personal } };
  }
}

/** Yields each batch of the inner subscription decrypted. */
class OpeningSubscription implements EventSubscription {
  constructor(
    private readonly inner: EventSubscription,
    private readonly openEvents: (events: readonly RecordedEvent[]) => Promise<RecordedEvent[]>,
  ) {}

  async *[Symbol.asyncIterator](): AsyncIterator<readonly RecordedEvent[]> {
    for await (const batch of this.inner) {
      yield await this.openEvents(batch);
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Decrypts an event's personal fields; a failure means the stored bytes were altered or moved. */
function openPersonalFields(event: RecordedEvent, key: DataKey, sealed: Buffer): JsonObject {
  try {
    return JSON.parse(open(key.key, sealed, associatedData(event.streamName, event.id)).toString('utf8')) as JsonObject;
  } catch (error) {
    throw new Error(
      `personal data of event ${event.id} in stream '${event.streamName}' failed to decrypt: the stored envelope was altered or moved from another event`,
      { cause: error },
    );
  }
}

/** Returns the associated data of an envelope: the event id binds it to its event, and the subject to its key. */
function associatedData(subject: string, eventId: string): string {
  return `${subject}\n${eventId}`;
}

function envelopeOf(data: JsonObject): { keyId: string; sealed: Buffer } | undefined {
  const value: JsonValue | undefined = data[SEALED_FIELD];
  if (typeof value !== 'string') {
    return undefined;
  }
  const [version, keyId, sealed] = value.split('.');
  if (version !== ENVELOPE_VERSION || keyId === undefined || sealed === undefined) {
    throw new Error(`unreadable personal data envelope: expected ${ENVELOPE_VERSION}.<key id>.<sealed bytes>`);
  }
  return { keyId, sealed: Buffer.from(sealed, 'base64url') };
}
