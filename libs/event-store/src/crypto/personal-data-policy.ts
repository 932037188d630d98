import { JsonValue, NewEvent } from '../event-store.port';

/**
 * The personal fields of each event type. The decorator encrypts those fields under the key of
 * the event's stream, which is the subject of the data.
 */
export interface PersonalDataPolicy {
  /**
   * Returns the personal fields of the event type, each with the value it reads as once its key
   * is deleted. Returns undefined for an event type without personal fields.
   */
  erasedValuesOf(eventType: string): Readonly<Record<string, JsonValue>> | undefined;

  /** Returns the E.164 number the event is about, which the subject's key row stores as a keyed hash; undefined when none. */
  phoneNumberOf(event: NewEvent): string | undefined;
}
