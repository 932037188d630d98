import type { AttemptError, SmsEncoding } from '@sms/domain';
import type { SqlExecutor } from '@sms/platform';
import { DEFAULT_READ_MODEL_SCHEMA, quoteSchemaName, ReadModelOptions } from '../shared/schema-name';
import { toIsoString } from '../shared/sql-values';
import { WhereClause } from '../shared/where-clause';
import { AttemptStatus, ERASED } from '../targets/target-rows';
import { AttemptKey } from './attempt-cursor';

/** A row of the Reporter data source "SMS campaign attempts": one attempt with its campaign's name. */
export interface AttemptReportRow {
  readonly campaignId: string;
  /** Null once the campaign is deleted: its attempts stay. */
  readonly campaignName: string | null;
  readonly sessionId: string;
  readonly targetId: string;
  readonly attemptId: string;
  /** 1 for the first attempt of a target. */
  readonly attemptNumber: number;
  /** E.164; null once the target was deleted and its personal data erased. */
  readonly phoneNumber: string | null;
  readonly status: AttemptStatus;
  readonly startedAt: string;
  /** Instant the outcome became final; null while in progress or SENT without a receipt. */
  readonly endedAt: string | null;
  readonly segments: number | null;
  readonly encoding: SmsEncoding | null;
  readonly providerMessageId: string | null;
  readonly errorCode: string | null;
  readonly errorReason: string | null;
}

export interface AttemptReportRequest {
  readonly campaignId?: string;
  readonly sessionId?: string;
  /** Attempts started at or after this instant (ISO-8601). */
  readonly from?: string;
  /** Attempts started strictly before this instant (ISO-8601). */
  readonly to?: string;
  /** Attempts that sort after this key; from the first when absent. */
  readonly after?: AttemptKey;
  readonly limit: number;
}

/** Attempt counts of one session, or of a whole campaign. */
export interface AttemptCounters {
  readonly attempts: number;
  /** Attempts in each status; a status without attempts is absent. */
  readonly byStatus: Partial<Record<AttemptStatus, number>>;
  /** Sum of the segments of the attempts the provider answered. */
  readonly segments: number;
  readonly firstStartedAt: string | null;
  readonly lastStartedAt: string | null;
}

export interface SessionCounters extends AttemptCounters {
  readonly sessionId: string;
}

export interface CampaignAttemptCounters extends AttemptCounters {
  readonly campaignId: string;
  /** One entry per session, oldest first. */
  readonly sessions: SessionCounters[];
}

type ReportRowOut = {
  campaign_id: string;
  campaign_name: string | null;
  session_id: string;
  target_id: string;
  attempt_id: string;
  attempt_number: number;
  phone_number: string;
  status: AttemptStatus;
  started_at: Date;
  ended_at: Date | null;
  segments: number | null;
  encoding: SmsEncoding | null;
  provider_message_id: string | null;
  error: AttemptError | null;
};

type CounterRowOut = {
  session_id: string;
  status: AttemptStatus;
  attempts: number;
  segments: number;
  first_started_at: Date;
  last_started_at: Date;
};

/** Queries of the Reporter data source, over the attempts table that the targets projection keeps. */
export class ReporterQueries {
  private readonly attempts: string;
  private readonly campaigns: string;

  constructor(
    private readonly db: SqlExecutor,
    options: ReadModelOptions = {},
  ) {
    const schema = quoteSchemaName(options.schema ?? DEFAULT_READ_MODEL_SCHEMA);
    this.attempts = `${schema}.attempts`;
    this.campaigns = `${schema}.campaigns`;
  }

  /**
   * Returns up to `limit` attempts matching the filters, oldest first by (startedAt, attemptId),
   * after `request.after`. The order is a total order on values that never change once an attempt
   * exists, so paging with the last key neither skips nor repeats a row. An attempt whose
   * projection lags behind a page already read may still appear on no page.
   *
   * With a campaignId the query walks the `attempts_by_campaign` index, without one the
   * `attempts_by_start` index, so a page costs its rows, not the size of the table.
   */
  async listAttempts(request: AttemptReportRequest): Promise<AttemptReportRow[]> {
    const where = new WhereClause();
    if (request.campaignId !== undefined) {
      where.addBound('attempt.campaign_id = $?', request.campaignId);
    }
    if (request.sessionId !== undefined) {
      where.addBound('attempt.session_id = $?', request.sessionId);
    }
    if (request.from !== undefined) {
      where.addBound('attempt.started_at >= $?::timestamptz', request.from);
    }
    if (request.to !== undefined) {
      where.addBound('attempt.started_at < $?::timestamptz', request.to);
    }
    if (request.after !== undefined) {
      // One array parameter, because WhereClause gives every `$?` of a condition the same placeholder.
      where.addBound('(attempt.started_at, attempt.attempt_id) > (($?::text[])[1]::timestamptz, ($?::text[])[2])', [
        request.after.startedAt,
        request.after.attemptId,
      ]);
    }
    const { rows } = await this.db.query<ReportRowOut>(
      `SELECT attempt.campaign_id, campaign.name AS campaign_name, attempt.session_id, attempt.target_id, attempt.attempt_id,
              attempt.attempt_number, attempt.phone_number, attempt.status, attempt.started_at, attempt.ended_at,
              attempt.segments, attempt.encoding, attempt.provider_message_id, attempt.error
       FROM ${this.attempts} attempt
       LEFT JOIN ${this.campaigns} campaign ON campaign.id = attempt.campaign_id AND campaign.revision IS NOT NULL
       ${where.toSql()}
       ORDER BY attempt.started_at, attempt.attempt_id
       LIMIT ${where.extraPlaceholder(1)}`,
      where.params(request.limit),
    );
    return rows.map(toReportRow);
  }

  /**
   * Counts the campaign's attempts per status and session, with their segments, in one grouped
   * query over the campaign's index range. With `sessionId`, only that session is counted.
   */
  async countAttempts(campaignId: string, sessionId?: string): Promise<CampaignAttemptCounters> {
    const where = new WhereClause().addBound('campaign_id = $?', campaignId);
    if (sessionId !== undefined) {
      where.addBound('session_id = $?', sessionId);
    }
    const { rows } = await this.db.query<CounterRowOut>(
      `SELECT session_id, status, count(*)::integer AS attempts, coalesce(sum(segments), 0)::integer AS segments,
              min(started_at) AS first_started_at, max(started_at) AS last_started_at
       FROM ${this.attempts} ${where.toSql()}
       GROUP BY session_id, status`,
      where.params(),
    );
    const sessions = new Map<string, MutableCounters>();
    const total = emptyCounters();
    for (const row of rows) {
      const session = sessions.get(row.session_id) ?? emptyCounters();
      sessions.set(row.session_id, session);
      addCounts(session, row);
      addCounts(total, row);
    }
    const sessionList = [...sessions.entries()]
      .map(([id, counters]) => ({ sessionId: id, ...toCounters(counters) }))
      .sort((a, b) => (a.firstStartedAt ?? '').localeCompare(b.firstStartedAt ?? '') || a.sessionId.localeCompare(b.sessionId));
    return { campaignId, ...toCounters(total), sessions: sessionList };
  }
}

type MutableCounters = {
  attempts: number;
  byStatus: Partial<Record<AttemptStatus, number>>;
  segments: number;
  firstStartedAt: Date | null;
  lastStartedAt: Date | null;
};

function emptyCounters(): MutableCounters {
  return { attempts: 0, byStatus: {}, segments: 0, firstStartedAt: null, lastStartedAt: null };
}

function addCounts(counters: MutableCounters, row: CounterRowOut): void {
  counters.attempts += row.attempts;
  counters.byStatus[row.status] = (counters.byStatus[row.status] ?? 0) + row.attempts;
  counters.segments += row.segments;
  if (counters.firstStartedAt === null || row.first_started_at < counters.firstStartedAt) {
    counters.firstStartedAt = row.first_started_at;
  }
  if (counters.lastStartedAt === null || row.last_started_at > counters.lastStartedAt) {
    counters.lastStartedAt = row.last_started_at;
  }
}

function toCounters(counters: MutableCounters): AttemptCounters {
  return {
    attempts: counters.attempts,
    byStatus: counters.byStatus,
    segments: counters.segments,
    firstStartedAt: toIsoString(counters.firstStartedAt),
    lastStartedAt: toIsoString(counters.lastStartedAt),
  };
}

function toReportRow(row: ReportRowOut): AttemptReportRow {
  return {
    campaignId: row.campaign_id,
    campaignName: row.campaign_name,
    sessionId: row.session_id,
    targetId: row.target_id,
    attemptId: row.attempt_id,
    attemptNumber: row.attempt_number,
    phoneNumber: row.phone_number === ERASED ? null : row.phone_number,
    status: row.status,
    startedAt: toIsoString(row.started_at),
    endedAt: toIsoString(row.ended_at),
    segments: row.segments,
    encoding: row.encoding,
    providerMessageId: row.provider_message_id,
    errorCode: row.error?.code ?? null,
    errorReason: row.error?.reason ?? null,
  };
}
