import { deciderSpec } from '../shared/decider-spec';
import { RecordAttemptOutcome, targetDecider } from './target';
import { SmsAttempted, SmsAttemptStarted, SmsSubmissionStarted, TargetAdded } from './target.events';

const added: TargetAdded = {
  type: 'TargetAdded',
  data: {
    targetId: 't1',
    campaignId: 'c1',
    phoneNumber: '+33612345678',
    startDate: null,
    priority: 5,
    timeZone: null,
    layout: null,
    importId: null,
  },
};
const started: SmsAttemptStarted = {
  type: 'SmsAttemptStarted',
  data: { attemptId: 'a1', attemptNumber: 1, campaignId: 'c1', sessionId: 's1', startedAt: '2026-12-07T09:00:00.000Z' },
};
const submitting: SmsSubmissionStarted = { type: 'SmsSubmissionStarted', data: { attemptId: 'a1', at: '2026-12-07T09:00:01.000Z' } };
const sent: SmsAttempted = {
  type: 'SmsAttempted',
  data: {
    attemptId: 'a1',
    sessionId: 's1',
    status: 'SENT',
    providerMessageId: 'abc',
    error: null,
    encoding: 'GSM-7',
    segments: 1,
    at: '2026-12-07T09:00:02.000Z',
    retryAt: null,
  },
};
const outcome = (change: Partial<RecordAttemptOutcome>): RecordAttemptOutcome => ({
  type: 'RecordAttemptOutcome',
  attemptId: 'a1',
  status: 'SENT',
  providerMessageId: 'abc',
  error: null,
  encoding: 'GSM-7',
  segments: 1,
  now: '2026-12-07T09:00:02.000Z',
  maxAttempts: 1,
  retryDelaySeconds: 60,
  ...change,
});

const spec = deciderSpec(targetDecider);

describe('target decider', () => {
  it('adds a target once', () => {
    const { type: _, ...data } = { type: 'AddTarget' as const, ...added.data };
    spec
      .given([])
      .when({ type: 'AddTarget', ...data })
      .then([added]);
    spec
      .given([added])
      .when({ type: 'AddTarget', ...data })
      .thenThrows('TARGET.DUPLICATE');
  });

  it('starts an attempt on a pending target', () => {
    spec.given([added]).when({ type: 'StartAttempt', attemptId: 'a1', sessionId: 's1', now: '2026-12-07T09:00:00.000Z' }).then([started]);
  });

  it('rejects a second attempt while one is in progress', () => {
    spec
      .given([added, started])
      .when({ type: 'StartAttempt', attemptId: 'a2', sessionId: 's1', now: '2026-12-07T09:00:00.000Z' })
      .thenThrows('TARGET.NOT_PENDING');
  });

  it('lets the first sender submit', () => {
    spec.given([added, started]).when({ type: 'StartSubmission', attemptId: 'a1', now: submitting.data.at }).then([submitting]);
  });

  it('turns an interrupted submission into UNKNOWN instead of submitting again', () => {
    const events = spec.given([added, started, submitting]).when({ type: 'StartSubmission', attemptId: 'a1', now: 'later' }).result();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'SmsAttempted', data: { status: 'UNKNOWN', error: { code: 'SUBMISSION_INTERRUPTED' } } });
  });

  it('submits nothing for an attempt that already has an outcome', () => {
    spec.given([added, started, submitting, sent]).when({ type: 'StartSubmission', attemptId: 'a1', now: 'later' }).then([]);
  });

  it('records the outcome once', () => {
    spec.given([added, started, submitting]).when(outcome({})).then([sent]);
    spec.given([added, started, submitting, sent]).when(outcome({})).then([]);
  });

  it('schedules a retry for a transient failure while attempts remain', () => {
    const [event] = spec
      .given([added, started, submitting])
      .when(
        outcome({ status: 'FAILED', providerMessageId: null, error: { code: 'THROTTLED', reason: 'x', transient: true }, maxAttempts: 2 }),
      )
      .result();
    expect(event).toMatchObject({ type: 'SmsAttempted', data: { status: 'FAILED', retryAt: '2026-12-07T09:01:02.000Z' } });
    const state = spec.given([added, started, submitting, event]).state();
    expect(state).toMatchObject({ status: 'PENDING' });
  });

  it('does not retry a permanent failure', () => {
    const [event] = spec
      .given([added, started, submitting])
      .when(outcome({ status: 'FAILED', error: { code: 'INVALID_DESTINATION', reason: 'x', transient: false }, maxAttempts: 3 }))
      .result();
    expect(event).toMatchObject({ data: { retryAt: null } });
    expect(spec.given([added, started, submitting, event]).state()).toMatchObject({ status: 'FAILED' });
  });

  it('records a receipt matched by provider message id, then ignores repeats', () => {
    const receipt = {
      type: 'RecordDeliveryReceipt' as const,
      providerMessageId: 'abc',
      status: 'DELIVERED' as const,
      errorCode: null,
      doneAt: 'x',
      receivedAt: 'y',
    };
    const [reported] = spec.given([added, started, submitting, sent]).when(receipt).result();
    expect(reported).toEqual({
      type: 'SmsDeliveryReported',
      data: { attemptId: 'a1', providerMessageId: 'abc', status: 'DELIVERED', errorCode: null, doneAt: 'x', receivedAt: 'y' },
    });
    spec
      .given([added, started, submitting, sent, reported])
      .when({ ...receipt, status: 'UNDELIVERED' })
      .then([]);
    expect(spec.given([added, started, submitting, sent, reported]).state()).toMatchObject({ status: 'DELIVERED' });
  });

  it('rejects a receipt that matches no attempt', () => {
    spec
      .given([added, started])
      .when({ type: 'RecordDeliveryReceipt', providerMessageId: 'zzz', status: 'DELIVERED', errorCode: null, doneAt: 'x', receivedAt: 'y' })
      .thenThrows('ATTEMPT.NOT_FOUND');
  });
});

describe('target decider, removal', () => {
  const now = '2026-12-07T08:00:00.000Z';

  it('cancels a pending target, recording why', () => {
    spec
      .given([added])
      .when({ type: 'RemoveTarget', reason: 'CAMPAIGN_EMPTIED', now })
      .then([{ type: 'TargetRemoved', data: { reason: 'CAMPAIGN_EMPTIED', at: now } }]);
  });

  it('refuses to remove a target whose attempt has started', () => {
    spec.given([added, started]).when({ type: 'RemoveTarget', reason: 'REMOVED', now }).thenThrows('TARGET.NOT_PENDING');
  });

  it('refuses to remove a target twice, and no attempt starts on a cancelled target', () => {
    const removed = { type: 'TargetRemoved' as const, data: { reason: 'REMOVED' as const, at: now } };
    spec.given([added, removed]).when({ type: 'RemoveTarget', reason: 'REMOVED', now }).thenThrows('TARGET.NOT_PENDING');
    spec.given([added, removed]).when({ type: 'StartAttempt', attemptId: 'a1', sessionId: 's1', now }).thenThrows('TARGET.NOT_PENDING');
  });
});

describe('target decider, reschedule and delete', () => {
  const now = '2026-12-07T08:00:00.000Z';
  const later = '2026-12-08T09:00:00.000Z';

  it('moves a pending target and records its previous start date', () => {
    spec
      .given([added])
      .when({ type: 'RescheduleTarget', startDate: later })
      .then([{ type: 'TargetRescheduled', data: { startDate: later, previousStartDate: null } }]);
  });

  it('records nothing when the start date does not change', () => {
    const moved = { type: 'TargetRescheduled' as const, data: { startDate: later, previousStartDate: null } };
    spec.given([added, moved]).when({ type: 'RescheduleTarget', startDate: later }).then([]);
  });

  it('refuses to reschedule a target whose attempt has started', () => {
    spec.given([added, started]).when({ type: 'RescheduleTarget', startDate: later }).thenThrows('TARGET.NOT_PENDING');
  });

  it('cancels a pending target it deletes, and deletes once', () => {
    const deleted = { type: 'TargetDeleted' as const, data: { at: now, cancelled: true } };
    spec.given([added]).when({ type: 'DeleteTarget', now }).then([deleted]);
    spec.given([added, deleted]).when({ type: 'DeleteTarget', now }).then([]);
    expect(spec.given([added, deleted]).state()).toMatchObject({ status: 'CANCELLED', erased: true });
  });

  it('keeps the final status of a target it deletes after its attempt', () => {
    spec
      .given([added, started, submitting, sent])
      .when({ type: 'DeleteTarget', now })
      .then([{ type: 'TargetDeleted', data: { at: now, cancelled: false } }]);
  });

  it('refuses to delete a target while its attempt is in progress', () => {
    spec.given([added, started]).when({ type: 'DeleteTarget', now }).thenThrows('TARGET.ATTEMPT_IN_PROGRESS');
  });
});

describe('target decider, expiry and opt-out', () => {
  const endDate = '2026-12-31T23:00:00.000Z';

  it('expires a pending target once the end date has passed, and nothing else', () => {
    const now = '2027-01-01T00:00:00.000Z';
    spec
      .given([added])
      .when({ type: 'ExpireTarget', endDate, now })
      .then([{ type: 'TargetExpired', data: { at: now, endDate } }]);
    spec.given([added]).when({ type: 'ExpireTarget', endDate, now: '2026-12-31T22:59:59.999Z' }).then([]);
    spec.given([added, started]).when({ type: 'ExpireTarget', endDate, now }).then([]);
  });

  it('opts out a pending target without an attempt', () => {
    const now = '2026-12-07T09:00:00.000Z';
    spec
      .given([added])
      .when({ type: 'OptOutTarget', attemptId: null, now })
      .then([{ type: 'TargetOptedOut', data: { at: now, attemptId: null } }]);
  });

  it('ends a claimed attempt that was not submitted, and lets no submission start after', () => {
    const now = '2026-12-07T09:00:00.500Z';
    const optedOut = { type: 'TargetOptedOut' as const, data: { at: now, attemptId: 'a1' } };
    spec.given([added, started]).when({ type: 'OptOutTarget', attemptId: 'a1', now }).then([optedOut]);
    spec.given([added, started, optedOut]).when({ type: 'StartSubmission', attemptId: 'a1', now }).then([]);
  });

  it('does nothing once the submission has started', () => {
    spec.given([added, started, submitting]).when({ type: 'OptOutTarget', attemptId: 'a1', now: '2026-12-07T09:00:02.000Z' }).then([]);
  });
});
