import { DomainEvent } from '../shared/decider';
import { SmsEncoding } from '../messages/sms-encoding';

export type TargetStatus =
  'PENDING' | 'IN_PROGRESS' | 'SENT' | 'DELIVERED' | 'UNDELIVERED' | 'FAILED' | 'UNKNOWN' | 'CANCELLED' | 'EXPIRED' | 'OPTED_OUT';

/** Outcome of handing a message to the provider. */
export type SubmitStatus = 'SENT' | 'FAILED' | 'UNKNOWN';
/** Final delivery statuses a receipt or status callback reports. */
export type DeliveryStatus = 'DELIVERED' | 'UNDELIVERED' | 'EXPIRED' | 'REJECTED';

export type TargetLayoutValues = { name: string; values: Record<string, string | number | null> };

export type AttemptError = { code: string; reason: string; transient: boolean };

export type TargetAdded = DomainEvent<
  'TargetAdded',
  {
    targetId: string;
    campaignId: string;
    /** E.164. */
    phoneNumber: string;
    /** ISO-8601 instant; null means as soon as the campaign runs. */
    startDate: string | null;
    /** 1 (lowest) to 10 (highest). */
    priority: number;
    timeZone: string | null;
    layout: TargetLayoutValues | null;
    importId: string | null;
  }
>;

/** The scheduler claimed the target for an attempt: nobody else may start one until it ends. */
export type SmsAttemptStarted = DomainEvent<
  'SmsAttemptStarted',
  { attemptId: string; attemptNumber: number; campaignId: string; sessionId: string; startedAt: string }
>;

/**
 * A sender is about to hand the message to the provider. If no SmsAttempted follows, the
 * message may or may not have left: the attempt becomes UNKNOWN and is never submitted again.
 */
export type SmsSubmissionStarted = DomainEvent<'SmsSubmissionStarted', { attemptId: string; at: string }>;

export type SmsAttempted = DomainEvent<
  'SmsAttempted',
  {
    attemptId: string;
    sessionId: string;
    status: SubmitStatus;
    providerMessageId: string | null;
    error: AttemptError | null;
    encoding: SmsEncoding | null;
    segments: number | null;
    /** ISO-8601 instant the outcome was known. */
    at: string;
    /** When a failed attempt will be retried; null when it will not. */
    retryAt: string | null;
  }
>;

export type SmsDeliveryReported = DomainEvent<
  'SmsDeliveryReported',
  {
    attemptId: string;
    providerMessageId: string;
    status: DeliveryStatus;
    errorCode: string | null;
    /** When the provider says the message reached its final state; SMPP receipts give it to the minute. */
    doneAt: string;
    /** When we received the receipt, to the millisecond: the end of the attempt. */
    receivedAt: string;
  }
>;

/** Why a pending target was cancelled: removed on its own, or with every pending target of its campaign. */
export type RemovalReason = 'REMOVED' | 'CAMPAIGN_EMPTIED';

export type TargetRemoved = DomainEvent<'TargetRemoved', { reason: RemovalReason; at: string }>;

/** A pending target moved to a new start date; null means as soon as the campaign runs. */
export type TargetRescheduled = DomainEvent<'TargetRescheduled', { startDate: string | null; previousStartDate: string | null }>;

/**
 * The target's personal data (number, layout values) was erased. The stream stays, so history and
 * statistics still show that the target and its attempts existed. A target still pending is
 * cancelled by the same event.
 */
export type TargetDeleted = DomainEvent<'TargetDeleted', { at: string; cancelled: boolean }>;

/** The campaign's end date passed while the target was still pending. */
export type TargetExpired = DomainEvent<'TargetExpired', { at: string; endDate: string }>;

/**
 * The number is on the opt-out list, so nothing is sent to it. `attemptId` names the attempt that
 * was claimed but not yet submitted, which ends with this event; null when none was claimed.
 */
export type TargetOptedOut = DomainEvent<'TargetOptedOut', { at: string; attemptId: string | null }>;

export type TargetEvent =
  | TargetAdded
  | SmsAttemptStarted
  | SmsSubmissionStarted
  | SmsAttempted
  | SmsDeliveryReported
  | TargetRemoved
  | TargetRescheduled
  | TargetDeleted
  | TargetExpired
  | TargetOptedOut;
