import { AttemptError, DomainError, SmsEncoding, TargetLayoutValues, TargetStatus } from '@sms/domain';
import type { SqlExecutor } from '@sms/platform';
import {
  COUNT_COLUMN_LIST,
  COUNT_COLUMNS,
  EMPTY_TARGET_COUNTS,
  TargetCountRow,
  TargetCounts,
  toTargetCounts,
} from '../campaigns/target-counts';
import { CountCache } from '../shared/count-cache';
import { Page, PageRequest, resolvePage } from '../shared/paging';
import { DEFAULT_READ_MODEL_SCHEMA, quoteSchemaName, ReadModelOptions } from '../shared/schema-name';
import { toIsoString } from '../shared/sql-values';
import { WhereClause } from '../shared/where-clause';
import { AttemptStatus, ERASED } from './target-rows';

/** A row of the targets page. */
export interface TargetSummary {
  readonly id: string;
  /** E.164; null once the target was deleted and its personal data erased. */
  readonly phoneNumber: string | null;
  readonly startDate: string | null;
  readonly priority: number;
  readonly status: TargetStatus;
  /** Number of attempts started. */
  readonly attempts: number;
  readonly lastAttemptAt: string | null;
}

export interface AttemptView {
  readonly id: string;
  readonly attemptNumber: number;
  readonly status: AttemptStatus;
  readonly sessionId: string;
  readonly startedAt: string;
  /** Instant the attempt ended, or null while it is in progress or SENT without a delivery receipt. */
  readonly endedAt: string | null;
  readonly providerMessageId: string | null;
  readonly error: AttemptError | null;
  readonly encoding: SmsEncoding | null;
  readonly segments: number | null;
}

export interface TargetDetails {
  readonly id: string;
  readonly campaignId: string;
  /** E.164; null once the target was deleted and its personal data erased. */
  readonly phoneNumber: string | null;
  readonly startDate: string | null;
  readonly priority: number;
  readonly status: TargetStatus;
  readonly timeZone: string | null;
  readonly layout: TargetLayoutValues | null;
  readonly importId: string | null;
  /** Stream revision, the resource's ETag. */
  readonly revision: number;
  readonly lastAttemptAt: string | null;
  /** Oldest first. */
  readonly attempts: AttemptView[];
}

export interface TargetListRequest extends PageRequest {
  readonly status?: TargetStatus;
  /** E.164 number, matched exactly: normalise what the user typed before calling. */
  readonly phone?: string;
}

/** A target as a scan of its campaign returns it. */
export interface TargetRecord {
  readonly id: string;
  /** Stream revision as the read model last saw it. */
  readonly revision: number;
  /** E.164; null once the target was deleted and its personal data erased. */
  readonly phoneNumber: string | null;
  readonly startDate: string | null;
  readonly priority: number;
  readonly status: TargetStatus;
  readonly timeZone: string | null;
  readonly layout: TargetLayoutValues | null;
}

export interface TargetScanRequest {
  /** Targets whose id sorts after this one; from the first when absent. */
  readonly afterId?: string;
  readonly limit: number;
  readonly status?: TargetStatus;
}

/** A row of the send history: one attempt. */
export interface SendHistoryItem {
  readonly attemptId: string;
  readonly targetId: string;
  readonly status: AttemptStatus;
  /** E.164; null once the target was deleted and its personal data erased. */
  readonly phoneNumber: string | null;
  /** Start of the attempt. */
  readonly startDate: string;
  /** Instant its outcome became final, or null while in progress or SENT without a receipt. */
  readonly endDate: string | null;
  readonly sessionId: string;
}

export interface SendHistoryRequest extends PageRequest {
  /** Attempts started at or after this instant. */
  readonly from?: Date | string;
  /** Attempts started strictly before this instant. */
  readonly to?: Date | string;
  /** E.164 number, matched exactly: normalise what the user typed before calling. */
  readonly phone?: string;
}

/** The attempt a delivery receipt belongs to. */
export interface AttemptReference {
  readonly attemptId: string;
  readonly targetId: string;
  readonly campaignId: string;
}

/** An attempt a delivery receipt may belong to, with its target's status and revision. */
export interface ReceiptTarget {
  readonly providerMessageId: string;
  readonly attemptId: string;
  readonly targetId: string;
  readonly campaignId: string;
  readonly sessionId: string;
  readonly attemptNumber: number;
  readonly attemptStatus: AttemptStatus;
  readonly targetStatus: TargetStatus;
  /** Revision of the target's stream as the read model last saw it. */
  readonly targetRevision: number;
}

type ReceiptTargetRow = {
  provider_message_id: string;
  attempt_id: string;
  target_id: string;
  campaign_id: string;
  session_id: string;
  attempt_number: number;
  attempt_status: AttemptStatus;
  target_status: TargetStatus;
  target_revision: number | string;
};

/** Which targets a due-target query keeps, by the time zone of their own. */
export interface ZoneFilter {
  /** Whether targets without a zone of their own are kept. */
  readonly withoutZone: boolean;
  /** Zones whose targets are kept. */
  readonly zones: readonly string[];
}

/** A target the scheduler may start an attempt for. */
export interface DueTarget {
  readonly id: string;
  /** Revision of the target's stream: the expected revision when appending SmsAttemptStarted. */
  readonly revision: number;
  readonly phoneNumber: string;
  readonly layout: TargetLayoutValues | null;
  readonly startDate: string | null;
  readonly priority: number;
  /** Number of attempts started so far. The next attempt is number `attempts + 1`. */
  readonly attempts: number;
}

/** A target whose latest attempt was claimed a while ago and has no outcome in the read model. */
export interface StaleClaim {
  readonly id: string;
  readonly campaignId: string;
  readonly phoneNumber: string;
  readonly layout: TargetLayoutValues | null;
  /** Start of the latest attempt. */
  readonly claimedAt: string;
}

type TargetRowOut = {
  id: string;
  campaign_id: string;
  phone_number: string;
  start_date: Date | null;
  priority: number;
  status: TargetStatus;
  time_zone: string | null;
  layout: TargetLayoutValues | null;
  import_id: string | null;
  revision: number;
  attempts: number;
  last_attempt_at: Date | null;
};

/** A priority level and one of its due targets. The target columns are null when none is due. */
type DueTargetRow =
  | { level: null; id: null }
  | { level: number; id: null }
  | {
      level: number;
      id: string;
      revision: number;
      phone_number: string;
      layout: TargetLayoutValues | null;
      start_date: Date | null;
      attempts: number;
    };

type AttemptRowOut = {
  attempt_id: string;
  target_id: string;
  attempt_number: number;
  status: AttemptStatus;
  session_id: string;
  phone_number: string;
  started_at: Date;
  ended_at: Date | null;
  provider_message_id: string | null;
  error: AttemptError | null;
  encoding: SmsEncoding | null;
  segments: number | null;
};

/** Largest value of a PostgreSQL `integer`: above every priority. */
const MAX_SQL_INTEGER = 2_147_483_647;

export class TargetQueries {
  /** Totals of large send histories, reused for about a second (see CountCache). */
  private readonly sendCounts = new CountCache();
  private readonly targets: string;
  private readonly attempts: string;
  private readonly campaigns: string;

  constructor(
    private readonly db: SqlExecutor,
    options: ReadModelOptions = {},
  ) {
    const schema = quoteSchemaName(options.schema ?? DEFAULT_READ_MODEL_SCHEMA);
    this.targets = `${schema}.targets`;
    this.attempts = `${schema}.attempts`;
    this.campaigns = `${schema}.campaigns`;
  }

  /**
   * Returns up to `limit` targets of the campaign that may be sent at `now`: PENDING, with no
   * start date or one at or before `now`. They come by priority (highest first), then start
   * date (none first, then earliest), then id.
   *
   * It runs one query per priority level, highest first, until `limit` targets are found. Within
   * a level the due targets are one range of the `targets_by_status` index, so the cost follows
   * the number of targets returned and levels visited, not the size of the campaign. A single
   * query ordered by priority would read every pending target of a higher level that is not due
   * yet, unless the server can skip-scan the index (PostgreSQL 18 can, 15 cannot).
   */
  async findDueTargets(campaignId: string, now: Date | string, limit: number, zones?: ZoneFilter): Promise<DueTarget[]> {
    if (!Number.isInteger(limit) || limit < 0) {
      throw DomainError.invalid('QUERY.INVALID_LIMIT', 'limit', limit, 'must be an integer of 0 or more');
    }
    const due: DueTarget[] = [];
    let belowPriority = MAX_SQL_INTEGER;
    while (due.length < limit) {
      const level = await this.findDueTargetsAtNextLevel(campaignId, toInstantParam(now), belowPriority, limit - due.length, zones);
      if (level === null) {
        break;
      }
      due.push(...level.targets);
      belowPriority = level.priority;
    }
    return due;
  }

  /**
   * Finds the highest priority below `belowPriority` that has pending targets and returns it with
   * up to `limit` of its due targets. Returns null when no pending target is left below it.
   */
  private async findDueTargetsAtNextLevel(
    campaignId: string,
    now: string,
    belowPriority: number,
    limit: number,
    zones: ZoneFilter | undefined,
  ): Promise<{ priority: number; targets: DueTarget[] } | null> {
    const { rows } = await this.db.query<DueTargetRow>(
      `SELECT level.priority AS level, due.id, due.revision, due.phone_number, due.layout, due.start_date, due.attempts
       FROM (
         SELECT max(priority) AS priority FROM ${this.targets}
         WHERE campaign_id = $1 AND status = 'PENDING' AND priority < $3
       ) level
       LEFT JOIN LATERAL (
         SELECT id, revision, phone_number, layout, start_date, attempts, due_at FROM ${this.targets}
         WHERE campaign_id = $1 AND status = 'PENDING' AND priority = level.priority AND due_at <= $2::timestamptz
           AND ($5::boolean IS NULL OR CASE WHEN time_zone IS NULL THEN $5::boolean ELSE time_zone = ANY($6::text[]) END)
         ORDER BY due_at, id
         LIMIT $4
       ) due ON true
       ORDER BY due.due_at, due.id`,
      [campaignId, now, belowPriority, limit, zones?.withoutZone ?? null, zones?.zones ?? []],
    );
    const priority = rows[0].level;
    if (priority === null) {
      return null;
    }
    const targets = rows.flatMap((row) =>
      row.id === null
        ? []
        : [
            {
              id: row.id,
              revision: row.revision,
              phoneNumber: row.phone_number,
              layout: row.layout,
              startDate: toIsoString(row.start_date),
              priority,
              attempts: row.attempts,
            },
          ],
    );
    return { priority, targets };
  }

  /** Lists the campaign's targets in dispatch order: priority (highest first), start date (none first), id. */
  async listTargets(campaignId: string, request: TargetListRequest = {}): Promise<Page<TargetSummary>> {
    const { page, pageSize, offset } = resolvePage(request);
    const where = new WhereClause().addBound('campaign_id = $?', campaignId);
    if (request.status !== undefined) {
      where.addBound('status = $?', request.status);
    }
    if (request.phone !== undefined) {
      where.addBound('phone_number = $?', request.phone);
    }
    const { rows } = await this.db.query<TargetRowOut>(
      `SELECT id, phone_number, start_date, priority, status, attempts, last_attempt_at
       FROM ${this.targets} ${where.toSql()}
       ORDER BY priority DESC, due_at, id
       LIMIT ${where.extraPlaceholder(1)} OFFSET ${where.extraPlaceholder(2)}`,
      where.params(pageSize, offset),
    );
    const items = rows.map((row) => ({
      id: row.id,
      phoneNumber: phoneOrNull(row.phone_number),
      startDate: toIsoString(row.start_date),
      priority: row.priority,
      status: row.status,
      attempts: row.attempts,
      lastAttemptAt: toIsoString(row.last_attempt_at),
    }));
    const total = await this.countTargets(campaignId, request, where);
    return { items, total, page, pageSize };
  }

  /**
   * Returns the next targets of a campaign in id order, for jobs that walk a whole campaign. Ids
   * never change, so a scan neither skips nor repeats a target that is updated while it runs.
   */
  async scanTargets(campaignId: string, request: TargetScanRequest): Promise<TargetRecord[]> {
    const where = new WhereClause().addBound('campaign_id = $?', campaignId);
    if (request.afterId !== undefined) {
      where.addBound('id > $?', request.afterId);
    }
    if (request.status !== undefined) {
      where.addBound('status = $?', request.status);
    }
    const { rows } = await this.db.query<TargetRowOut>(
      `SELECT id, revision, phone_number, start_date, priority, status, time_zone, layout
       FROM ${this.targets} ${where.toSql()}
       ORDER BY id
       LIMIT ${where.extraPlaceholder(1)}`,
      where.params(request.limit),
    );
    return rows.map((row) => ({
      id: row.id,
      revision: row.revision,
      phoneNumber: phoneOrNull(row.phone_number),
      startDate: toIsoString(row.start_date),
      priority: row.priority,
      status: row.status,
      timeZone: row.time_zone,
      layout: row.layout,
    }));
  }

  /** Distinct time zones of the campaign's pending targets that have one of their own. */
  async pendingTimeZones(campaignId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ time_zone: string }>(
      `SELECT DISTINCT time_zone FROM ${this.targets}
       WHERE campaign_id = $1 AND status = 'PENDING' AND time_zone IS NOT NULL ORDER BY 1`,
      [campaignId],
    );
    return rows.map((row) => row.time_zone);
  }

  /**
   * Returns up to `limit` targets, of any campaign, still IN_PROGRESS with an attempt started
   * before `claimedBefore`, oldest claim first, through the partial `targets_in_progress` index.
   */
  async findStaleClaims(claimedBefore: Date | string, limit: number): Promise<StaleClaim[]> {
    const { rows } = await this.db.query<{
      id: string;
      campaign_id: string;
      phone_number: string;
      layout: TargetLayoutValues | null;
      last_attempt_at: Date;
    }>(
      `SELECT id, campaign_id, phone_number, layout, last_attempt_at FROM ${this.targets}
       WHERE status = 'IN_PROGRESS' AND last_attempt_at < $1::timestamptz
       ORDER BY last_attempt_at, id
       LIMIT $2`,
      [toInstantParam(claimedBefore), limit],
    );
    return rows.map((row) => ({
      id: row.id,
      campaignId: row.campaign_id,
      phoneNumber: row.phone_number,
      layout: row.layout,
      claimedAt: row.last_attempt_at.toISOString(),
    }));
  }

  /** Names of the layouts that the campaign's pending targets fill, as the read model last saw them. */
  async pendingLayoutNames(campaignId: string): Promise<string[]> {
    const { rows } = await this.db.query<{ name: string }>(
      `SELECT DISTINCT layout->>'name' AS name FROM ${this.targets}
       WHERE campaign_id = $1 AND status = 'PENDING' AND layout IS NOT NULL ORDER BY 1`,
      [campaignId],
    );
    return rows.map((row) => row.name);
  }

  /** Returns the target with its attempts, or null when it does not exist or belongs to another campaign. */
  async getTarget(campaignId: string, targetId: string): Promise<TargetDetails | null> {
    const targets = await this.db.query<TargetRowOut>(
      `SELECT id, campaign_id, phone_number, start_date, priority, status, time_zone, layout, import_id, revision,
              last_attempt_at
       FROM ${this.targets} WHERE id = $1 AND campaign_id = $2`,
      [targetId, campaignId],
    );
    if (targets.rows.length === 0) {
      return null;
    }
    const target = targets.rows[0];
    const attempts = await this.db.query<AttemptRowOut>(
      `SELECT attempt_id, attempt_number, status, session_id, started_at, ended_at, provider_message_id, error,
              encoding, segments
       FROM ${this.attempts} WHERE target_id = $1 ORDER BY attempt_number`,
      [targetId],
    );
    return {
      id: target.id,
      campaignId: target.campaign_id,
      phoneNumber: phoneOrNull(target.phone_number),
      startDate: toIsoString(target.start_date),
      priority: target.priority,
      status: target.status,
      timeZone: target.time_zone,
      layout: target.layout,
      importId: target.import_id,
      revision: target.revision,
      lastAttemptAt: toIsoString(target.last_attempt_at),
      attempts: attempts.rows.map(toAttemptView),
    };
  }

  /**
   * Lists the campaign's attempts, newest first (by start time, then attempt id). A total of
   * 10,000 or more may be up to a few seconds old, because counting it costs the whole range.
   */
  async listSends(campaignId: string, request: SendHistoryRequest = {}): Promise<Page<SendHistoryItem>> {
    const { page, pageSize, offset } = resolvePage(request);
    const where = new WhereClause().addBound('campaign_id = $?', campaignId);
    if (request.from !== undefined) {
      where.addBound('started_at >= $?::timestamptz', toInstantParam(request.from));
    }
    if (request.to !== undefined) {
      where.addBound('started_at < $?::timestamptz', toInstantParam(request.to));
    }
    if (request.phone !== undefined) {
      // Filters through the targets' phone index, because a number has few targets and a campaign many attempts.
      where.addBound(`target_id IN (SELECT id FROM ${this.targets} WHERE campaign_id = $1 AND phone_number = $?)`, request.phone);
    }
    const { rows } = await this.db.query<AttemptRowOut>(
      `SELECT attempt_id, target_id, status, phone_number, started_at, ended_at, session_id
       FROM ${this.attempts} ${where.toSql()}
       ORDER BY started_at DESC, attempt_id DESC
       LIMIT ${where.extraPlaceholder(1)} OFFSET ${where.extraPlaceholder(2)}`,
      where.params(pageSize, offset),
    );
    const countSql = `SELECT count(*)::integer AS total FROM ${this.attempts} ${where.toSql()}`;
    const total = await this.sendCounts.get(`${countSql}\n${JSON.stringify(where.params())}`, async () => {
      const count = await this.db.query<{ total: number }>(countSql, where.params());
      return count.rows[0].total;
    });
    const items = rows.map((row) => ({
      attemptId: row.attempt_id,
      targetId: row.target_id,
      status: row.status,
      phoneNumber: phoneOrNull(row.phone_number),
      startDate: toIsoString(row.started_at),
      endDate: toIsoString(row.ended_at),
      sessionId: row.session_id,
    }));
    return { items, total, page, pageSize };
  }

  /**
   * Finds, for several provider message ids at once, the attempt and its target as the read model
   * last saw them. Receipts use the target's revision as the expected revision of their append, so a
   * read model that lags behind costs a retry, never a wrong event. If a provider reuses an id, the
   * attempt started last wins.
   */
  async findReceiptTargets(providerMessageIds: readonly string[]): Promise<ReceiptTarget[]> {
    if (providerMessageIds.length === 0) {
      return [];
    }
    const { rows } = await this.db.query<ReceiptTargetRow>(
      `SELECT DISTINCT ON (attempt.provider_message_id)
              attempt.provider_message_id, attempt.attempt_id, attempt.target_id, attempt.campaign_id, attempt.session_id,
              attempt.attempt_number, attempt.status AS attempt_status, target.status AS target_status, target.revision AS target_revision
       FROM ${this.attempts} attempt JOIN ${this.targets} target ON target.id = attempt.target_id
       WHERE attempt.provider_message_id = ANY($1::text[])
       ORDER BY attempt.provider_message_id, attempt.started_at DESC`,
      [providerMessageIds],
    );
    return rows.map((row) => ({
      providerMessageId: row.provider_message_id,
      attemptId: row.attempt_id,
      targetId: row.target_id,
      campaignId: row.campaign_id,
      sessionId: row.session_id,
      attemptNumber: row.attempt_number,
      attemptStatus: row.attempt_status,
      targetStatus: row.target_status,
      targetRevision: Number(row.target_revision),
    }));
  }

  /**
   * Finds the attempt of a provider message id, for delivery receipts. If a provider reuses an id,
   * the attempt started last wins.
   */
  async findAttemptByProviderMessageId(providerMessageId: string): Promise<AttemptReference | null> {
    const { rows } = await this.db.query<{ attempt_id: string; target_id: string; campaign_id: string }>(
      `SELECT attempt_id, target_id, campaign_id FROM ${this.attempts}
       WHERE provider_message_id = $1 ORDER BY started_at DESC LIMIT 1`,
      [providerMessageId],
    );
    if (rows.length === 0) {
      return null;
    }
    return { attemptId: rows[0].attempt_id, targetId: rows[0].target_id, campaignId: rows[0].campaign_id };
  }

  /** Returns the number of the campaign's targets in each status, all zero for a campaign with no targets. */
  async countTargetsByStatus(campaignId: string): Promise<TargetCounts> {
    const { rows } = await this.db.query<TargetCountRow>(`SELECT ${COUNT_COLUMN_LIST} FROM ${this.campaigns} WHERE id = $1`, [campaignId]);
    return rows.length === 0 ? EMPTY_TARGET_COUNTS : toTargetCounts(rows[0]);
  }

  /**
   * Reads the total from the campaign's count columns when no phone filter applies, which
   * spares counting the rows of a campaign that may contain millions of targets.
   */
  private async countTargets(campaignId: string, request: TargetListRequest, where: WhereClause): Promise<number> {
    if (request.phone === undefined) {
      const counts = await this.db.query<TargetCountRow>(`SELECT ${COUNT_COLUMN_LIST} FROM ${this.campaigns} WHERE id = $1`, [campaignId]);
      if (counts.rows.length === 0) {
        return 0;
      }
      const row = counts.rows[0];
      if (request.status !== undefined) {
        return row[COUNT_COLUMNS[request.status]];
      }
      return Object.values(row).reduce((sum, count) => sum + count, 0);
    }
    const { rows } = await this.db.query<{ total: number }>(
      `SELECT count(*)::integer AS total FROM ${this.targets} ${where.toSql()}`,
      where.params(),
    );
    return rows[0].total;
  }
}

function toAttemptView(row: AttemptRowOut): AttemptView {
  return {
    id: row.attempt_id,
    attemptNumber: row.attempt_number,
    status: row.status,
    sessionId: row.session_id,
    startedAt: toIsoString(row.started_at),
    endedAt: toIsoString(row.ended_at),
    providerMessageId: row.provider_message_id,
    error: row.error,
    encoding: row.encoding,
    segments: row.segments,
  };
}

function toInstantParam(instant: Date | string): string {
  return instant instanceof Date ? instant.toISOString() : instant;
}

function phoneOrNull(stored: string): string | null {
  return stored === ERASED ? null : stored;
}
