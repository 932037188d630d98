import { assertNever, Decider } from '../shared/decider';
import { DomainError } from '../shared/domain-error';
import { SmsEncoding } from '../messages/sms-encoding';
import {
  AttemptError,
  DeliveryStatus,
  RemovalReason,
  SmsAttempted,
  SubmitStatus,
  TargetAdded,
  TargetEvent,
  TargetStatus,
} from './target.events';

export type AddTarget = { type: 'AddTarget' } & TargetAdded['data'];

export type StartAttempt = { type: 'StartAttempt'; attemptId: string; sessionId: string; now: string };

export type StartSubmission = { type: 'StartSubmission'; attemptId: string; now: string };

export type RecordAttemptOutcome = {
  type: 'RecordAttemptOutcome';
  attemptId: string;
  status: SubmitStatus;
  providerMessageId: string | null;
  error: AttemptError | null;
  encoding: SmsEncoding | null;
  segments: number | null;
  now: string;
  /** Campaign settings that decide whether a failed attempt is retried. */
  maxAttempts: number;
  retryDelaySeconds: number;
};

export type RecordDeliveryReceipt = {
  type: 'RecordDeliveryReceipt';
  providerMessageId: string;
  status: DeliveryStatus;
  errorCode: string | null;
  doneAt: string;
  receivedAt: string;
};

/** Cancels a pending target; rejected once an attempt has started. */
export type RemoveTarget = { type: 'RemoveTarget'; reason: RemovalReason; now: string };

/** Moves a pending target's start date; rejected once an attempt has started. */
export type RescheduleTarget = { type: 'RescheduleTarget'; startDate: string | null };

/** Erases a target's personal data; rejected while an attempt is in progress. */
export type DeleteTarget = { type: 'DeleteTarget'; now: string };

/** Expires a target still pending once the campaign's end date has passed; does nothing otherwise. */
export type ExpireTarget = { type: 'ExpireTarget'; endDate: string; now: string };

/**
 * Marks a target whose number opted out. Applies to a pending target, or to one whose attempt
 * `attemptId` is claimed and not yet submitted; does nothing once a submission has started.
 */
export type OptOutTarget = { type: 'OptOutTarget'; attemptId: string | null; now: string };

export type TargetCommand =
  | ExpireTarget
  | OptOutTarget
  | AddTarget
  | StartAttempt
  | StartSubmission
  | RecordAttemptOutcome
  | RecordDeliveryReceipt
  | RemoveTarget
  | RescheduleTarget
  | DeleteTarget;

export type AttemptState = {
  id: string;
  number: number;
  sessionId: string;
  submissionStarted: boolean;
  outcome: SubmitStatus | null;
  providerMessageId: string | null;
  delivery: DeliveryStatus | null;
};

export type TargetState =
  | { exists: false }
  | {
      exists: true;
      targetId: string;
      campaignId: string;
      status: TargetStatus;
      startDate: string | null;
      /** True once TargetDeleted erased its personal data. */
      erased: boolean;
      attempts: AttemptState[];
    };

type ExistingTarget = Extract<TargetState, { exists: true }>;

export const targetDecider: Decider<TargetState, TargetCommand, TargetEvent> = {
  initialState: () => ({ exists: false }),
  evolve: evolveTarget,
  decide: decideTarget,
};

export function evolveTarget(state: TargetState, event: TargetEvent): TargetState {
  if (event.type === 'TargetAdded') {
    const { targetId, campaignId, startDate } = event.data;
    return { exists: true, targetId, campaignId, status: 'PENDING', startDate, erased: false, attempts: [] };
  }
  if (!state.exists) {
    return state;
  }
  switch (event.type) {
    case 'SmsAttemptStarted': {
      const { attemptId, attemptNumber, sessionId } = event.data;
      const attempt: AttemptState = {
        id: attemptId,
        number: attemptNumber,
        sessionId,
        submissionStarted: false,
        outcome: null,
        providerMessageId: null,
        delivery: null,
      };
      return { ...state, status: 'IN_PROGRESS', attempts: [...state.attempts, attempt] };
    }
    case 'SmsSubmissionStarted':
      return updateAttempt(state, event.data.attemptId, { submissionStarted: true });
    case 'SmsAttempted': {
      const { attemptId, status, providerMessageId } = event.data;
      const updated = updateAttempt(state, attemptId, { outcome: status, providerMessageId });
      const startDate = status === 'FAILED' && event.data.retryAt !== null ? event.data.retryAt : state.startDate;
      return { ...updated, status: targetStatusAfterOutcome(event), startDate };
    }
    case 'SmsDeliveryReported': {
      const updated = updateAttempt(state, event.data.attemptId, { delivery: event.data.status });
      return { ...updated, status: event.data.status === 'DELIVERED' ? 'DELIVERED' : 'UNDELIVERED' };
    }
    case 'TargetRemoved':
      return { ...state, status: 'CANCELLED' };
    case 'TargetRescheduled':
      return { ...state, startDate: event.data.startDate };
    case 'TargetDeleted':
      return { ...state, erased: true, status: event.data.cancelled ? 'CANCELLED' : state.status };
    case 'TargetExpired':
      return { ...state, status: 'EXPIRED' };
    case 'TargetOptedOut':
      return { ...state, status: 'OPTED_OUT' };
    default:
      return assertNever(event);
  }
}

export function targetStatusAfterOutcome(event: SmsAttempted): TargetStatus {
  switch (event.data.status) {
    case 'SENT':
      return 'SENT';
    case 'UNKNOWN':
      return 'UNKNOWN';
    case 'FAILED':
      return event.data.retryAt === null ? 'FAILED' : 'PENDING';
    default:
      return assertNever(event.data.status);
  }
}

function decideTarget(command: TargetCommand, state: TargetState): TargetEvent[] {
  if (command.type === 'AddTarget') {
    if (state.exists) {
      throw DomainError.conflict('TARGET.DUPLICATE', `target '${command.targetId}' already exists`);
    }
    const { type: _, ...data } = command;
    return [{ type: 'TargetAdded', data }];
  }
  if (!state.exists) {
    throw DomainError.notFound('TARGET.NOT_FOUND', 'target', '?');
  }
  switch (command.type) {
    case 'StartAttempt':
      return startAttempt(command, state);
    case 'StartSubmission':
      return startSubmission(command, state);
    case 'RecordAttemptOutcome':
      return recordOutcome(command, state);
    case 'RecordDeliveryReceipt':
      return recordReceipt(command, state);
    case 'RemoveTarget':
      assertPending(state, 'removed');
      return [{ type: 'TargetRemoved', data: { reason: command.reason, at: command.now } }];
    case 'RescheduleTarget':
      assertPending(state, 'rescheduled');
      return command.startDate === state.startDate
        ? []
        : [{ type: 'TargetRescheduled', data: { startDate: command.startDate, previousStartDate: state.startDate } }];
    case 'DeleteTarget':
      return deleteTarget(command, state);
    case 'ExpireTarget':
      return state.status === 'PENDING' && Date.parse(command.now) >= Date.parse(command.endDate)
        ? [{ type: 'TargetExpired', data: { at: command.now, endDate: command.endDate } }]
        : [];
    case 'OptOutTarget':
      return optOut(command, state);
    default:
      return assertNever(command);
  }
}

function assertPending(state: ExistingTarget, action: string): void {
  if (state.status !== 'PENDING') {
    throw DomainError.conflict(
      'TARGET.NOT_PENDING',
      `target '${state.targetId}' is ${state.status}: only a PENDING target can be ${action}`,
    );
  }
}

/** Deleting twice records nothing; an attempt in progress must end first, or its outcome would land on an erased target. */
function deleteTarget(command: DeleteTarget, state: ExistingTarget): TargetEvent[] {
  if (state.erased) {
    return [];
  }
  if (state.status === 'IN_PROGRESS') {
    throw DomainError.conflict(
      'TARGET.ATTEMPT_IN_PROGRESS',
      `target '${state.targetId}' has an attempt in progress: delete it once the attempt has ended`,
    );
  }
  return [{ type: 'TargetDeleted', data: { at: command.now, cancelled: state.status === 'PENDING' } }];
}

function optOut(command: OptOutTarget, state: ExistingTarget): TargetEvent[] {
  if (state.status === 'PENDING') {
    return [{ type: 'TargetOptedOut', data: { at: command.now, attemptId: null } }];
  }
  const current = state.attempts.at(-1);
  const claimedOnly =
    state.status === 'IN_PROGRESS' && current?.id === command.attemptId && !current.submissionStarted && current.outcome === null;
  return claimedOnly ? [{ type: 'TargetOptedOut', data: { at: command.now, attemptId: command.attemptId } }] : [];
}

function startAttempt(command: StartAttempt, state: ExistingTarget): TargetEvent[] {
  if (state.status !== 'PENDING') {
    throw DomainError.conflict('TARGET.NOT_PENDING', `target '${state.targetId}' is ${state.status}, not PENDING`);
  }
  return [
    {
      type: 'SmsAttemptStarted',
      data: {
        attemptId: command.attemptId,
        attemptNumber: state.attempts.length + 1,
        campaignId: state.campaignId,
        sessionId: command.sessionId,
        startedAt: command.now,
      },
    },
  ];
}

/**
 * Returns SmsSubmissionStarted when the message may be submitted now. A submission that was
 * started before but never finished may have reached the provider, so it ends as UNKNOWN and
 * nothing is submitted; an attempt that already has an outcome, or is not the current one,
 * produces no event.
 */
function startSubmission(command: StartSubmission, state: ExistingTarget): TargetEvent[] {
  const attempt = state.attempts.find((candidate) => candidate.id === command.attemptId);
  if (attempt === undefined || attempt.outcome !== null || state.status !== 'IN_PROGRESS') {
    return [];
  }
  if (attempt.submissionStarted) {
    return [
      {
        type: 'SmsAttempted',
        data: {
          attemptId: attempt.id,
          sessionId: attempt.sessionId,
          status: 'UNKNOWN',
          providerMessageId: null,
          error: {
            code: 'SUBMISSION_INTERRUPTED',
            reason: 'a sender started this submission and stopped before recording its outcome',
            transient: false,
          },
          encoding: null,
          segments: null,
          at: command.now,
          retryAt: null,
        },
      },
    ];
  }
  return [{ type: 'SmsSubmissionStarted', data: { attemptId: attempt.id, at: command.now } }];
}

function recordOutcome(command: RecordAttemptOutcome, state: ExistingTarget): TargetEvent[] {
  const attempt = state.attempts.find((candidate) => candidate.id === command.attemptId);
  if (attempt === undefined) {
    throw DomainError.notFound('ATTEMPT.NOT_FOUND', 'attempt', command.attemptId);
  }
  if (attempt.outcome !== null) {
    return [];
  }
  const retryable = command.status === 'FAILED' && command.error?.transient === true;
  const retryAt =
    retryable && attempt.number < command.maxAttempts
      ? new Date(Date.parse(command.now) + command.retryDelaySeconds * 1000).toISOString()
      : null;
  return [
    {
      type: 'SmsAttempted',
      data: {
        attemptId: attempt.id,
        sessionId: attempt.sessionId,
        status: command.status,
        providerMessageId: command.providerMessageId,
        error: command.error,
        encoding: command.encoding,
        segments: command.segments,
        at: command.now,
        retryAt,
      },
    },
  ];
}

/** A receipt for an attempt that already has a final delivery status changes nothing. */
function recordReceipt(command: RecordDeliveryReceipt, state: ExistingTarget): TargetEvent[] {
  const attempt = state.attempts.find((candidate) => candidate.providerMessageId === command.providerMessageId);
  if (attempt === undefined) {
    throw DomainError.notFound('ATTEMPT.NOT_FOUND', 'attempt with provider message id', command.providerMessageId);
  }
  if (attempt.delivery !== null) {
    return [];
  }
  return [
    {
      type: 'SmsDeliveryReported',
      data: {
        attemptId: attempt.id,
        providerMessageId: command.providerMessageId,
        status: command.status,
        errorCode: command.errorCode,
        doneAt: command.doneAt,
        receivedAt: command.receivedAt,
      },
    },
  ];
}

function updateAttempt(state: ExistingTarget, attemptId: string, change: Partial<AttemptState>): ExistingTarget {
  const attempts = state.attempts.map((attempt) => (attempt.id === attemptId ? { ...attempt, ...change } : attempt));
  return { ...state, attempts };
}
