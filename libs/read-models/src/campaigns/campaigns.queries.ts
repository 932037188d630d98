import type { CampaignSettings, CampaignStatus, TargetLayout } from '@sms/domain';
import type { SqlExecutor } from '@sms/platform';
import { Page, PageRequest, resolvePage } from '../shared/paging';
import { DEFAULT_READ_MODEL_SCHEMA, quoteSchemaName, ReadModelOptions } from '../shared/schema-name';
import { foldForSearch } from '../shared/search-text';
import { escapeLikePattern, toIsoString } from '../shared/sql-values';
import { WhereClause } from '../shared/where-clause';
import { COUNT_COLUMN_LIST, TargetCountRow, TargetCounts, toTargetCounts } from './target-counts';

/** A campaign as `GET /campaigns/:id` shows it: every setting, flattened, with status and counts. */
export type CampaignDetails = { readonly id: string } & CampaignSettings & {
    readonly status: CampaignStatus;
    /** Current session, or null until the campaign is first switched ON. */
    readonly sessionId: string | null;
    /** Profiles the campaign is assigned to, for the Banner. */
    readonly profileIds: string[];
    readonly layouts: TargetLayout[];
    /** The campaign this one was duplicated from, or null. */
    readonly copiedFrom: string | null;
    readonly counts: TargetCounts;
    /** Stream revision, the resource's ETag. */
    readonly revision: number;
    readonly createdAt: string;
  };

export interface CampaignSummary {
  readonly id: string;
  readonly name: string;
  readonly reference: string;
  readonly alias: string | null;
  readonly status: CampaignStatus;
  readonly tags: string[];
  readonly counts: TargetCounts;
}

export interface CampaignListRequest extends PageRequest {
  /** Part of the name, reference or alias, matched regardless of case and accents. */
  readonly search?: string;
  /** Campaigns that carry at least one of these tags, compared case-insensitively. */
  readonly tags?: readonly string[];
  readonly status?: CampaignStatus;
}

/** A campaign that is ON, with the fields the scheduler reads. */
export interface ActiveCampaign {
  readonly id: string;
  readonly sessionId: string;
  readonly settings: CampaignSettings;
}

type CampaignRow = TargetCountRow & {
  id: string;
  name: string;
  reference: string;
  alias: string | null;
  status: CampaignStatus;
  session_id: string | null;
  profile_ids: string[];
  layouts: TargetLayout[];
  copied_from: string | null;
  settings: CampaignSettings;
  tags: string[];
  revision: number;
  created_at: Date;
};

/**
 * Order of the Banner list: case- and accent-insensitive by name, then by id. `search_text` is the
 * folded name, reference and alias joined by newlines, so it sorts by folded name first, and a tie
 * falls to the reference. The "C" collation compares bytes, as MongoDB does, so both stores agree
 * whatever collation the database was created with.
 */
const BANNER_ORDER = 'search_text COLLATE "C", id';

export class CampaignQueries {
  private readonly table: string;
  private readonly profiles: string;

  constructor(
    private readonly db: SqlExecutor,
    options: ReadModelOptions = {},
  ) {
    this.table = `${quoteSchemaName(options.schema ?? DEFAULT_READ_MODEL_SCHEMA)}.campaigns`;
    this.profiles = `${quoteSchemaName(options.schema ?? DEFAULT_READ_MODEL_SCHEMA)}.profiles`;
  }

  async getCampaign(id: string): Promise<CampaignDetails | null> {
    const { rows } = await this.db.query<CampaignRow>(
      `SELECT id, status, session_id, settings, profile_ids, layouts, copied_from, revision, created_at, ${COUNT_COLUMN_LIST}
       FROM ${this.table} WHERE id = $1 AND revision IS NOT NULL`,
      [id],
    );
    if (rows.length === 0) {
      return null;
    }
    const row = rows[0];
    return {
      id: row.id,
      ...row.settings,
      status: row.status,
      sessionId: row.session_id,
      profileIds: row.profile_ids,
      layouts: row.layouts,
      copiedFrom: row.copied_from,
      counts: toTargetCounts(row),
      revision: row.revision,
      createdAt: toIsoString(row.created_at),
    };
  }

  /** Lists the campaigns matching every given filter, newest first. */
  async listCampaigns(request: CampaignListRequest = {}): Promise<Page<CampaignSummary>> {
    const { page, pageSize, offset } = resolvePage(request);
    const where = this.listFilter(request);
    const { rows } = await this.db.query<CampaignRow>(
      `SELECT id, name, reference, alias, status, tags, ${COUNT_COLUMN_LIST}
       FROM ${this.table} ${where.toSql()}
       ORDER BY created_at DESC, id
       LIMIT ${where.extraPlaceholder(1)} OFFSET ${where.extraPlaceholder(2)}`,
      where.params(pageSize, offset),
    );
    const count = await this.db.query<{ total: number }>(
      `SELECT count(*)::integer AS total FROM ${this.table} ${where.toSql()}`,
      where.params(),
    );
    return { items: rows.map(toCampaignSummary), total: count.rows[0].total, page, pageSize };
  }

  /**
   * Lists, for the Banner, the campaigns assigned to one of `profileIds` whose profile allows
   * "manage campaign", ordered by name in any letter case and with or without accents, then id.
   */
  async listBannerCampaigns(profileIds: readonly string[]): Promise<CampaignSummary[]> {
    if (profileIds.length === 0) {
      return [];
    }
    const { rows } = await this.db.query<CampaignRow>(
      `SELECT id, name, reference, alias, status, tags, ${COUNT_COLUMN_LIST}
       FROM ${this.table} campaign ${this.bannerFilter}
       ORDER BY ${BANNER_ORDER}`,
      [profileIds],
    );
    return rows.map(toCampaignSummary);
  }

  /** Lists one page of the Banner campaigns of `profileIds`, in the order of listBannerCampaigns. */
  async listBannerCampaignPage(profileIds: readonly string[], request: PageRequest = {}): Promise<Page<CampaignSummary>> {
    const { page, pageSize, offset } = resolvePage(request);
    if (profileIds.length === 0) {
      return { items: [], total: 0, page, pageSize };
    }
    const { rows } = await this.db.query<CampaignRow>(
      `SELECT id, name, reference, alias, status, tags, ${COUNT_COLUMN_LIST}
       FROM ${this.table} campaign ${this.bannerFilter}
       ORDER BY ${BANNER_ORDER}
       LIMIT $2 OFFSET $3`,
      [profileIds, pageSize, offset],
    );
    const count = await this.db.query<{ total: number }>(
      `SELECT count(*)::integer AS total FROM ${this.table} campaign ${this.bannerFilter}`,
      [profileIds],
    );
    return { items: rows.map(toCampaignSummary), total: count.rows[0].total, page, pageSize };
  }

  /** Lists the campaigns that are ON, ordered by id, for the scheduler. */
  async listActiveCampaigns(): Promise<ActiveCampaign[]> {
    const { rows } = await this.db.query<{ id: string; session_id: string; settings: CampaignSettings }>(
      `SELECT id, session_id, settings FROM ${this.table}
       WHERE status = 'ON' AND revision IS NOT NULL ORDER BY id`,
    );
    return rows.map((row) => ({ id: row.id, sessionId: row.session_id, settings: row.settings }));
  }

  /** Campaigns, ON or OFF, whose end date is at or before `now` and that still have pending targets. */
  async listEndedWithPendingTargets(now: Date | string): Promise<Array<{ id: string; endDate: string }>> {
    const { rows } = await this.db.query<{ id: string; end_date: string }>(
      `SELECT id, settings->>'endDate' AS end_date FROM ${this.table}
       WHERE revision IS NOT NULL AND pending > 0 AND settings->>'endDate' IS NOT NULL
         AND (settings->>'endDate')::timestamptz <= $1::timestamptz
       ORDER BY id`,
      [typeof now === 'string' ? now : now.toISOString()],
    );
    return rows.map((row) => ({ id: row.id, endDate: row.end_date }));
  }

  /** WHERE clause of the campaigns assigned to a profile of `$1` that allows "manage campaign". */
  private get bannerFilter(): string {
    return `WHERE revision IS NOT NULL AND profile_ids && ARRAY(
         SELECT id FROM ${this.profiles} WHERE id = ANY($1::text[]) AND manage_campaign
       )`;
  }

  private listFilter(request: CampaignListRequest): WhereClause {
    const where = new WhereClause().addCondition('revision IS NOT NULL');
    const search = request.search === undefined ? '' : foldForSearch(request.search.trim());
    if (search !== '') {
      where.addBound(`search_text LIKE $? ESCAPE '\\'`, `%${escapeLikePattern(search)}%`);
    }
    if (request.tags !== undefined && request.tags.length > 0) {
      // NOTE: lower() cannot use the campaigns_by_tag index, so this filter reads every campaign
      // that the other conditions leave.
      where.addBound(
        'EXISTS (SELECT 1 FROM unnest(tags) AS tag WHERE lower(tag) = ANY(SELECT lower(wanted) FROM unnest($?::text[]) AS wanted))',
        request.tags,
      );
    }
    if (request.status !== undefined) {
      where.addBound('status = $?', request.status);
    }
    return where;
  }
}

function toCampaignSummary(row: CampaignRow): CampaignSummary {
  return {
    id: row.id,
    name: row.name,
    reference: row.reference,
    alias: row.alias,
    status: row.status,
    tags: row.tags,
    counts: toTargetCounts(row),
  };
}
