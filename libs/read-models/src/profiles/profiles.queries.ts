import type { SqlExecutor } from '@sms/platform';
import { Page, PageRequest, resolvePage } from '../shared/paging';
import { DEFAULT_READ_MODEL_SCHEMA, quoteSchemaName, ReadModelOptions } from '../shared/schema-name';

export interface ProfileView {
  readonly id: string;
  readonly name: string;
  readonly manageCampaign: boolean;
  /** Stream revision, the resource's ETag. */
  readonly revision: number;
}

type ProfileRow = { id: string; name: string; manage_campaign: boolean; revision: number };

export class ProfileQueries {
  private readonly table: string;

  constructor(
    private readonly db: SqlExecutor,
    options: ReadModelOptions = {},
  ) {
    this.table = `${quoteSchemaName(options.schema ?? DEFAULT_READ_MODEL_SCHEMA)}.profiles`;
  }

  async getProfile(id: string): Promise<ProfileView | null> {
    const { rows } = await this.db.query<ProfileRow>(`SELECT id, name, manage_campaign, revision FROM ${this.table} WHERE id = $1`, [id]);
    return rows.length === 0 ? null : toProfileView(rows[0]);
  }

  /** Lists profiles ordered by name. */
  async listProfiles(request: PageRequest = {}): Promise<Page<ProfileView>> {
    const { page, pageSize, offset } = resolvePage(request);
    const { rows } = await this.db.query<ProfileRow>(
      `SELECT id, name, manage_campaign, revision FROM ${this.table} ORDER BY name, id LIMIT $1 OFFSET $2`,
      [pageSize, offset],
    );
    const count = await this.db.query<{ total: number }>(`SELECT count(*)::integer AS total FROM ${this.table}`);
    return { items: rows.map(toProfileView), total: count.rows[0].total, page, pageSize };
  }
}

function toProfileView(row: ProfileRow): ProfileView {
  return { id: row.id, name: row.name, manageCampaign: row.manage_campaign, revision: row.revision };
}
