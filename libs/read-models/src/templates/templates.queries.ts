import type { SmsEncoding } from '@sms/domain';
import type { SqlExecutor } from '@sms/platform';
import { Page, PageRequest, resolvePage } from '../shared/paging';
import { DEFAULT_READ_MODEL_SCHEMA, quoteSchemaName, ReadModelOptions } from '../shared/schema-name';
import { toIsoString } from '../shared/sql-values';

export interface TemplateView {
  readonly id: string;
  readonly name: string;
  readonly body: string;
  readonly language: string | null;
  /** Placeholder keys found in the body, `{{key}}` written as `key`. */
  readonly placeholders: string[];
  readonly encoding: SmsEncoding;
  /** Length of the body in code units of its encoding. */
  readonly characters: number;
  readonly segments: number;
  /** Stream revision, the resource's ETag. */
  readonly revision: number;
  readonly createdAt: string;
}

type TemplateRow = {
  id: string;
  name: string;
  body: string;
  language: string | null;
  placeholders: string[];
  encoding: SmsEncoding;
  characters: number;
  segments: number;
  revision: number;
  created_at: Date;
};

const COLUMNS = 'id, name, body, language, placeholders, encoding, characters, segments, revision, created_at';

export class TemplateQueries {
  private readonly table: string;

  constructor(
    private readonly db: SqlExecutor,
    options: ReadModelOptions = {},
  ) {
    this.table = `${quoteSchemaName(options.schema ?? DEFAULT_READ_MODEL_SCHEMA)}.templates`;
  }

  async getTemplate(id: string): Promise<TemplateView | null> {
    const { rows } = await this.db.query<TemplateRow>(`SELECT ${COLUMNS} FROM ${this.table} WHERE id = $1`, [id]);
    return rows.length === 0 ? null : toTemplateView(rows[0]);
  }

  /** Lists templates ordered by name. */
  async listTemplates(request: PageRequest = {}): Promise<Page<TemplateView>> {
    const { page, pageSize, offset } = resolvePage(request);
    const { rows } = await this.db.query<TemplateRow>(`SELECT ${COLUMNS} FROM ${this.table} ORDER BY name, id LIMIT $1 OFFSET $2`, [
      pageSize,
      offset,
    ]);
    const count = await this.db.query<{ total: number }>(`SELECT count(*)::integer AS total FROM ${this.table}`);
    return { items: rows.map(toTemplateView), total: count.rows[0].total, page, pageSize };
  }
}

function toTemplateView(row: TemplateRow): TemplateView {
  return {
    id: row.id,
    name: row.name,
    body: row.body,
    language: row.language,
    placeholders: row.placeholders,
    encoding: row.encoding,
    characters: row.characters,
    segments: row.segments,
    revision: row.revision,
    createdAt: toIsoString(row.created_at),
  };
}
