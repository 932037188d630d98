import {
  assertNever,
  AttemptError,
  DeliveryStatus,
  idFromStreamName,
  SmsEncoding,
  SubmitStatus,
  TargetEvent,
  TargetLayoutValues,
  TargetStatus,
  targetStatusAfterOutcome,
} from '@sms/domain';
import { RecordedDomainEvent } from '../shared/recorded-domain-event';

/** Status of one attempt: claimed, then the submission outcome, then the delivery receipt if one comes. */
export type AttemptStatus = 'IN_PROGRESS' | SubmitStatus | DeliveryStatus;

/** A row of the targets table, with instants as ISO-8601 strings. */
export interface TargetRow {
  readonly id: string;
  readonly campaignId: string;
  /** E.164, or the empty string once TargetDeleted erased it. */
  readonly phoneNumber: string;
  /** Earliest instant to send; null means as soon as the campaign runs. A retry moves it to the retry time. */
  readonly startDate: string | null;
  /** 1 (lowest) to 10 (highest). */
  readonly priority: number;
  readonly status: TargetStatus;
  readonly timeZone: string | null;
  readonly layout: TargetLayoutValues | null;
  readonly importId: string | null;
  /** Revision of the target's stream after the last event applied. */
  readonly revision: number;
  /** Number of attempts started. */
  readonly attempts: number;
  /** Start of the latest attempt. */
  readonly lastAttemptAt: string | null;
  /** The latest attempt, still running or finished. */
  readonly currentAttemptId: string | null;
}

/** A row of the attempts table, with instants as ISO-8601 strings. */
export interface AttemptRow {
  readonly attemptId: string;
  readonly targetId: string;
  readonly campaignId: string;
  readonly sessionId: string;
  /** 1 for the first attempt of a target. */
  readonly attemptNumber: number;
  readonly status: AttemptStatus;
  /** The target's number when the attempt started. */
  readonly phoneNumber: string;
  readonly startedAt: string;
  /** Instant the outcome became final: a failed or unknown submission, or a delivery receipt. Null before that, SENT included. */
  readonly endedAt: string | null;
  readonly providerMessageId: string | null;
  readonly error: AttemptError | null;
  readonly encoding: SmsEncoding | null;
  readonly segments: number | null;
}

export type RecordedTargetEvent = RecordedDomainEvent<TargetEvent>;

/** Returns the target after `event`, or null when the event needs a target that does not exist. */
export function evolveTargetRow(target: TargetRow | null, event: RecordedTargetEvent): TargetRow | null {
  if (event.type === 'TargetAdded') {
    const { campaignId, phoneNumber, startDate, priority, timeZone, layout, importId } = event.data;
    return {
      // The stream name, not the payload, identifies the target, as it does for every later event.
      id: idFromStreamName(event.streamName),
      campaignId,
      phoneNumber,
      startDate: startDate,
      priority,
      status: 'PENDING',
      timeZone,
      layout,
      importId,
      revision: event.revision,
      attempts: 0,
      lastAttemptAt: null,
      currentAttemptId: null,
    };
  }
  if (target === null) {
    return null;
  }
  const revision = event.revision;
  switch (event.type) {
    case 'SmsAttemptStarted':
      return {
        ...target,
        revision,
        status: 'IN_PROGRESS',
        attempts: target.attempts + 1,
        lastAttemptAt: event.data.startedAt,
        currentAttemptId: event.data.attemptId,
      };
    case 'SmsSubmissionStarted':
      return { ...target, revision };
    case 'SmsAttempted': {
      const status = targetStatusAfterOutcome(event);
      // A failed attempt that will be retried puts the target back in the queue at its retry time.
      const retryAt = event.data.status === 'FAILED' ? event.data.retryAt : null;
      const startDate = retryAt === null ? target.startDate : retryAt;
      return { ...target, revision, status, startDate };
    }
    case 'SmsDeliveryReported':
      return { ...target, revision, status: event.data.status === 'DELIVERED' ? 'DELIVERED' : 'UNDELIVERED' };
    case 'TargetRemoved':
      return { ...target, revision, status: 'CANCELLED' };
    case 'TargetRescheduled':
      return { ...target, revision, startDate: event.data.startDate };
    case 'TargetDeleted':
      return { ...target, revision, phoneNumber: ERASED, layout: null, status: event.data.cancelled ? 'CANCELLED' : target.status };
    case 'TargetExpired':
      return { ...target, revision, status: 'EXPIRED' };
    case 'TargetOptedOut':
      return { ...target, revision, status: 'OPTED_OUT' };
    default:
      return assertNever(event);
  }
}

/** What the phone number columns hold once a target's personal data is erased. */
export const ERASED = '';

/**
 * Returns the attempt after `event`, or null when the event changes no attempt (TargetAdded,
 * or an outcome for an attempt this view never saw start). `target` is the target before the event.
 */
export function evolveAttemptRow(attempt: AttemptRow | null, target: TargetRow, event: RecordedTargetEvent): AttemptRow | null {
  switch (event.type) {
    case 'TargetAdded':
    case 'SmsSubmissionStarted':
    case 'TargetRemoved':
    case 'TargetRescheduled':
    case 'TargetDeleted':
    case 'TargetExpired':
      return null;
    case 'TargetOptedOut':
      // A claimed attempt ends without reaching the provider.
      return attempt === null
        ? null
        : {
            ...attempt,
            status: 'FAILED',
            endedAt: event.data.at,
            error: { code: 'OPTED_OUT', reason: 'the number opted out before the message was submitted', transient: false },
          };
    case 'SmsAttemptStarted':
      return {
        attemptId: event.data.attemptId,
        targetId: target.id,
        campaignId: event.data.campaignId,
        sessionId: event.data.sessionId,
        attemptNumber: event.data.attemptNumber,
        status: 'IN_PROGRESS',
        phoneNumber: target.phoneNumber,
        startedAt: event.data.startedAt,
        endedAt: null,
        providerMessageId: null,
        error: null,
        encoding: null,
        segments: null,
      };
    case 'SmsAttempted': {
      if (attempt === null) {
        return null;
      }
      const { status, providerMessageId, error, encoding, segments, at } = event.data;
      // SENT is not final: the attempt ends when its delivery receipt arrives.
      const endedAt = status === 'SENT' ? null : at;
      return { ...attempt, status, providerMessageId, error, encoding, segments, endedAt };
    }
    case 'SmsDeliveryReported': {
      if (attempt === null) {
        return null;
      }
      const { status, providerMessageId, errorCode, receivedAt } = event.data;
      const error = errorCode === null ? attempt.error : receiptError(status, errorCode);
      return { ...attempt, status, providerMessageId, error, endedAt: receivedAt };
    }
    default:
      return assertNever(event);
  }
}

/** Returns the attempt id an event refers to, or null for an event about the target alone. */
export function attemptIdOf(event: RecordedTargetEvent): string | null {
  return 'attemptId' in event.data ? event.data.attemptId : null;
}

function receiptError(status: DeliveryStatus, errorCode: string): AttemptError {
  return { code: errorCode, reason: `the delivery receipt reported ${status}`, transient: false };
}
