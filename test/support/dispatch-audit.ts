import { streams, TargetEvent, TargetStatus, targetDecider } from '@sms/domain';
import type { RecordedSubmit } from '@sms/sms-gateway';
import { EVENT_SCHEMA, protectPersonalData } from '@sms/application';
import { createPostgresEventStore, RecordedEvent, SqlSubjectKeyStore } from '@sms/event-store';
import { PostgresClient } from '@sms/platform';

/** Error codes of attempts that ended without any submit_sm written. */
const NEVER_SUBMITTED_CODES: ReadonlySet<string> = new Set(['NOT_CONNECTED', 'TEMPLATE.MISSING_VARIABLES']);

/** One attempt of a target, as its events record it. */
export interface AttemptHistory {
  readonly attemptId: string;
  readonly submissionStarted: boolean;
  readonly outcome: 'SENT' | 'FAILED' | 'UNKNOWN' | null;
  readonly errorCode: string | null;
  readonly retryAt: string | null;
}

/** A target rebuilt from its stream in the event store, which is the source of truth rather than a read model. */
export interface TargetHistory {
  readonly targetId: string;
  readonly phoneNumber: string;
  readonly status: TargetStatus;
  readonly attempts: readonly AttemptHistory[];
}

export interface DispatchAudit {
  readonly targets: number;
  readonly byStatus: Readonly<Partial<Record<TargetStatus, number>>>;
  readonly attempts: number;
  /** Attempts the SMSC accepted (SENT): each was submitted exactly once, and the simulator recorded it. */
  readonly accepted: number;
  /** Attempts the SMSC rejected with an SMPP error status (FAILED): submitted once, and counted but not recorded by the simulator. */
  readonly rejected: number;
  /** Attempts that started a submission and ended UNKNOWN, or have no outcome yet: submitted at most once. */
  readonly uncertain: number;
  /** Attempts ended UNKNOWN because a sender stopped between SmsSubmissionStarted and the outcome. */
  readonly interrupted: number;
  /** Of the interrupted attempts, those whose submit reached the simulator before the sender stopped. */
  readonly interruptedAfterSubmit: number;
  /** Attempts that never started a submission (opted out, or claimed and not yet handled) or failed before the submit. */
  readonly notSubmitted: number;
  /** Accepted submits the simulator recorded to the targets' numbers. */
  readonly submits: number;
  /** Every broken rule, one line per target, so that a failure names the targets to look at. */
  readonly violations: readonly string[];
}

/** Target streams read per round trip. */
const STREAMS_PER_READ = 1_000;

/**
 * Reads every target stream of `campaignId` from the event store of `databaseUrl` and folds it
 * with the domain's own decider.
 */
export async function readTargetHistories(databaseUrl: string, numberHashKey: string, campaignId: string): Promise<TargetHistory[]> {
  const histories: TargetHistory[] = [];
  for (const events of (await readCampaignTargetStreams(databaseUrl, numberHashKey, campaignId)).values()) {
    const history = foldTargetHistory(events);
    if (history !== undefined) histories.push(history);
  }
  return histories;
}

/**
 * Returns the events of every target stream of `campaignId`, by stream name, oldest first.
 * Personal fields are sealed in the stored events, so the streams are read through the same
 * decorator as the service's, with the deployment's NUMBER_HASH_KEY.
 */
export async function readCampaignTargetStreams(
  databaseUrl: string,
  numberHashKey: string,
  campaignId: string,
): Promise<Map<string, RecordedEvent[]>> {
  const client = new PostgresClient(databaseUrl, { max: 2 });
  try {
    const rawStore = await createPostgresEventStore({ client, schema: EVENT_SCHEMA });
    const keyStore = new SqlSubjectKeyStore(client, { schema: EVENT_SCHEMA });
    const { eventStore } = await protectPersonalData(rawStore, keyStore, { jwtSecret: '', numberHashKey });
    // campaignId is not a personal field, so it stays readable in the stored TargetAdded.
    const { rows } = await client.query<{ stream_name: string }>(
      `SELECT stream_name FROM ${EVENT_SCHEMA}.events
        WHERE event_type = 'TargetAdded' AND data->>'campaignId' = $1 AND stream_name LIKE $2
        ORDER BY stream_name`,
      [campaignId, `${streams.target('')}%`],
    );
    const byStream = new Map<string, RecordedEvent[]>(rows.map((row) => [row.stream_name, []]));
    for (let index = 0; index < rows.length; index += STREAMS_PER_READ) {
      const names = rows.slice(index, index + STREAMS_PER_READ).map((row) => row.stream_name);
      for (const event of await eventStore.readStreams(names)) {
        byStream.get(event.streamName)?.push(event);
      }
    }
    return byStream;
  } finally {
    await client.close();
  }
}

function foldTargetHistory(events: readonly RecordedEvent[]): TargetHistory | undefined {
  const current = { state: targetDecider.initialState(), phoneNumber: '', attempts: new Map<string, AttemptHistory>() };
  for (const recorded of events) {
    const event = { type: recorded.type, data: recorded.data } as unknown as TargetEvent;
    current.state = targetDecider.evolve(current.state, event);
    recordAttemptEvent(current, event);
  }
  if (!current.state.exists) return undefined;
  return {
    targetId: current.state.targetId,
    phoneNumber: current.phoneNumber,
    status: current.state.status,
    attempts: [...current.attempts.values()],
  };
}

/**
 * Checks the dispatch guarantees against the accepted submits the SMSC simulator recorded. No
 * number gets a submit that no attempt accounts for. A SENT attempt was submitted exactly once,
 * an UNKNOWN one at most once. A target starts a new attempt only after the previous one failed
 * with a retry. Rejected submits are not recorded, so the caller compares `rejected` with the
 * simulator's counter.
 */
export function auditDispatch(histories: readonly TargetHistory[], submits: readonly RecordedSubmit[]): DispatchAudit {
  const submitsByNumber = new Map<string, number>();
  for (const submit of submits) {
    submitsByNumber.set(submit.destination, (submitsByNumber.get(submit.destination) ?? 0) + 1);
  }

  const byStatus: Partial<Record<TargetStatus, number>> = {};
  const violations: string[] = [];
  const totals = {
    attempts: 0,
    accepted: 0,
    rejected: 0,
    uncertain: 0,
    interrupted: 0,
    interruptedAfterSubmit: 0,
    notSubmitted: 0,
    submits: 0,
  };
  for (const target of histories) {
    byStatus[target.status] = (byStatus[target.status] ?? 0) + 1;
    const destination = target.phoneNumber.replace(/^\+/, '');
    const received = submitsByNumber.get(destination) ?? 0;
    submitsByNumber.delete(destination);
    totals.submits += received;

    const kinds = target.attempts.map(submissionKind);
    const accepted = kinds.filter((kind) => kind === 'accepted').length;
    const uncertain = kinds.filter((kind) => kind === 'uncertain').length;
    totals.attempts += target.attempts.length;
    totals.accepted += accepted;
    totals.rejected += kinds.filter((kind) => kind === 'rejected').length;
    totals.uncertain += uncertain;
    totals.notSubmitted += kinds.filter((kind) => kind === 'none').length;
    const interrupted = target.attempts.filter((attempt) => attempt.errorCode === 'SUBMISSION_INTERRUPTED').length;
    totals.interrupted += interrupted;
    if (interrupted > 0 && received > accepted) totals.interruptedAfterSubmit += Math.min(interrupted, received - accepted);

    if (received < accepted || received > accepted + uncertain) {
      violations.push(
        `target ${target.targetId} (${target.status}): ${received} accepted submits for ${accepted} SENT and ${uncertain} uncertain attempts`,
      );
    }
    target.attempts.slice(1).forEach((attempt, index) => {
      const previous = target.attempts[index];
      if (previous.outcome !== 'FAILED' || previous.retryAt === null) {
        violations.push(
          `target ${target.targetId}: attempt ${index + 2} (${attempt.attemptId}) started after attempt ${index + 1} ended ` +
            `${previous.outcome ?? 'without an outcome'}${previous.retryAt === null ? ' with no retry' : ''}`,
        );
      }
    });
  }
  for (const [destination, count] of submitsByNumber) {
    violations.push(`${count} submits to ${destination}, which is no target of the campaign`);
  }
  return { targets: histories.length, byStatus, violations, ...totals };
}

/** Statuses after which a target changes no more, except that SENT still awaits its receipt. */
export const FINAL_STATUSES: ReadonlySet<TargetStatus> = new Set([
  'DELIVERED',
  'UNDELIVERED',
  'FAILED',
  'UNKNOWN',
  'CANCELLED',
  'EXPIRED',
  'OPTED_OUT',
]);

/** Formats the audit's counts as one log line. */
export function describeAudit(audit: DispatchAudit): string {
  const statuses = Object.entries(audit.byStatus)
    .map(([status, count]) => `${status} ${count}`)
    .join(', ');
  return (
    `${audit.targets} targets (${statuses}); ${audit.attempts} attempts: ${audit.accepted} accepted and ${audit.rejected} rejected by the SMSC, ` +
    `${audit.uncertain} uncertain (${audit.interrupted} interrupted by a crash, ${audit.interruptedAfterSubmit} of them after the submit), ` +
    `${audit.notSubmitted} not submitted; ${audit.submits} accepted submits received; ${audit.violations.length} violations`
  );
}

function recordAttemptEvent(target: { phoneNumber: string; attempts: Map<string, AttemptHistory> }, event: TargetEvent): void {
  switch (event.type) {
    case 'TargetAdded':
      target.phoneNumber = event.data.phoneNumber;
      return;
    case 'SmsAttemptStarted':
      target.attempts.set(event.data.attemptId, {
        attemptId: event.data.attemptId,
        submissionStarted: false,
        outcome: null,
        errorCode: null,
        retryAt: null,
      });
      return;
    case 'SmsSubmissionStarted':
      updateAttempt(target.attempts, event.data.attemptId, { submissionStarted: true });
      return;
    case 'SmsAttempted':
      updateAttempt(target.attempts, event.data.attemptId, {
        outcome: event.data.status,
        errorCode: event.data.error?.code ?? null,
        retryAt: event.data.retryAt,
      });
      return;
    default:
      return;
  }
}

function updateAttempt(attempts: Map<string, AttemptHistory>, attemptId: string, change: Partial<AttemptHistory>): void {
  const attempt = attempts.get(attemptId);
  if (attempt !== undefined) attempts.set(attemptId, { ...attempt, ...change });
}

function submissionKind(attempt: AttemptHistory): 'accepted' | 'rejected' | 'uncertain' | 'none' {
  if (!attempt.submissionStarted || (attempt.errorCode !== null && NEVER_SUBMITTED_CODES.has(attempt.errorCode))) return 'none';
  if (attempt.outcome === 'SENT') return 'accepted';
  if (attempt.outcome === 'FAILED') return 'rejected';
  return 'uncertain';
}
