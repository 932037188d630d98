import { STREAM_PREFIXES, TargetEvent } from '@sms/domain';
import type { RecordedEvent } from '@sms/event-store';
import { asDomainEvent } from '../shared/recorded-domain-event';
import { AttemptRow, attemptIdOf, AttemptStatus, ERASED, evolveAttemptRow, evolveTargetRow, TargetRow } from '../targets/target-rows';

/** Target events that change an attempt as the Reporter sees it. */
export const ATTEMPT_FEED_EVENT_TYPES: readonly TargetEvent['type'][] = [
  'SmsAttemptStarted',
  'SmsAttempted',
  'SmsDeliveryReported',
  'TargetOptedOut',
  'TargetDeleted',
];

/** Filter of the event store subscription that feeds the attempt feed. */
export const ATTEMPT_FEED_FILTER = { streamPrefixes: [STREAM_PREFIXES.target], eventTypes: ATTEMPT_FEED_EVENT_TYPES };

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
 * An attempt as it stands after one event of its target's stream, in the columns of the Reporter
 * data source. `version` is the target stream's revision after that event, so of two messages
 * about one attempt the higher version is the newer state, and equal versions are the same state.
 */
export interface AttemptChange {
  readonly attemptId: string;
  readonly version: number;
  /** The event that made the change. */
  readonly eventType: string;
  readonly campaignId: string;
  readonly sessionId: string;
  readonly targetId: string;
  readonly attemptNumber: number;
  /** E.164; null once the target was deleted and its personal data erased. */
  readonly phoneNumber: string | null;
  readonly status: AttemptStatus;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly segments: number | null;
  readonly encoding: string | null;
  readonly providerMessageId: string | null;
  readonly errorCode: string | null;
  readonly errorReason: string | null;
}

/**
 * Returns the attempt changes that the events of `batch` make, in batch order. `streamEvents`
 * holds every event of the target streams that `batch` touches, up to at least each batch event,
 * because an attempt's state depends on the events of its stream before it. A TargetDeleted
 * changes every attempt of its target, since it erases the number from all of them.
 */
export function attemptChangesOf(batch: readonly RecordedEvent[], streamEvents: readonly RecordedEvent[]): AttemptChange[] {
  const wanted = new Set(batch.map((event) => event.id));
  const changesByEvent = new Map<string, AttemptChange[]>();
  for (const events of groupByStream(streamEvents).values()) {
    foldStream(events, wanted, changesByEvent);
  }
  return batch.flatMap((event) => changesByEvent.get(event.id) ?? []);
}

function foldStream(events: readonly RecordedEvent[], wanted: ReadonlySet<string>, changesByEvent: Map<string, AttemptChange[]>): void {
  let target: TargetRow | null = null;
  const attempts = new Map<string, AttemptRow>();
  for (const recorded of events) {
    const event = asDomainEvent<TargetEvent>(recorded, TARGET_EVENT_TYPES);
    if (event === null) {
      continue;
    }
    const before: TargetRow | null = target;
    target = evolveTargetRow(before, event) ?? before;
    if (target === null) {
      continue;
    }

    let changed: AttemptRow[] = [];
    if (event.type === 'TargetDeleted') {
      for (const [id, attempt] of attempts) {
        attempts.set(id, { ...attempt, phoneNumber: ERASED });
      }
      changed = [...attempts.values()];
    } else {
      const attemptId = attemptIdOf(event);
      const after = attemptId === null ? null : evolveAttemptRow(attempts.get(attemptId) ?? null, before ?? target, event);
      if (attemptId !== null && after !== null) {
        attempts.set(attemptId, after);
        changed = [after];
      }
    }

    if (wanted.has(recorded.id) && changed.length > 0) {
      changesByEvent.set(
        recorded.id,
        changed.map((attempt) => toChange(attempt, recorded)),
      );
    }
  }
}

function groupByStream(events: readonly RecordedEvent[]): Map<string, RecordedEvent[]> {
  const streams = new Map<string, RecordedEvent[]>();
  for (const event of events) {
    const stream = streams.get(event.streamName) ?? [];
    stream.push(event);
    streams.set(event.streamName, stream);
  }
  for (const stream of streams.values()) {
    stream.sort((a, b) => a.revision - b.revision);
  }
  return streams;
}

function toChange(attempt: AttemptRow, event: RecordedEvent): AttemptChange {
  return {
    attemptId: attempt.attemptId,
    version: event.revision,
    eventType: event.type,
    campaignId: attempt.campaignId,
    sessionId: attempt.sessionId,
    targetId: attempt.targetId,
    attemptNumber: attempt.attemptNumber,
    phoneNumber: attempt.phoneNumber === ERASED ? null : attempt.phoneNumber,
    status: attempt.status,
    startedAt: attempt.startedAt,
    endedAt: attempt.endedAt,
    segments: attempt.segments,
    encoding: attempt.encoding,
    providerMessageId: attempt.providerMessageId,
    errorCode: attempt.error?.code ?? null,
    errorReason: attempt.error?.reason ?? null,
  };
}
