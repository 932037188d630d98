import type { CalendarRules } from '@sms/domain';
import type { SqlExecutor } from '@sms/platform';
import { Page, PageRequest, resolvePage } from '../shared/paging';
import { DEFAULT_READ_MODEL_SCHEMA, quoteSchemaName, ReadModelOptions } from '../shared/schema-name';
import { toIsoString } from '../shared/sql-values';

export type CalendarView = { readonly id: string; readonly name: string } & CalendarRules & {
    /** Stream revision, the resource's ETag. */
    readonly revision: number;
    readonly createdAt: string;
  };

type CalendarRow = { id: string; name: string; rules: CalendarRules; revision: number; created_at: Date };

const COLUMNS = 'id, name, rules, revision, created_at';

export class CalendarQueries {
  private readonly table: string;

  constructor(
    private readonly db: SqlExecutor,
    options: ReadModelOptions = {},
  ) {
    this.table = `${quoteSchemaName(options.schema ?? DEFAULT_READ_MODEL_SCHEMA)}.calendars`;
  }

  async getCalendar(id: string): Promise<CalendarView | null> {
    const { rows } = await this.db.query<CalendarRow>(`SELECT ${COLUMNS} FROM ${this.table} WHERE id = $1`, [id]);
    return rows.length === 0 ? null : toCalendarView(rows[0]);
  }

  /** Lists calendars ordered by name. */
  async listCalendars(request: PageRequest = {}): Promise<Page<CalendarView>> {
    const { page, pageSize, offset } = resolvePage(request);
    const { rows } = await this.db.query<CalendarRow>(`SELECT ${COLUMNS} FROM ${this.table} ORDER BY name, id LIMIT $1 OFFSET $2`, [
      pageSize,
      offset,
    ]);
    const count = await this.db.query<{ total: number }>(`SELECT count(*)::integer AS total FROM ${this.table}`);
    return { items: rows.map(toCalendarView), total: count.rows[0].total, page, pageSize };
  }
}

function toCalendarView(row: CalendarRow): CalendarView {
  return { id: row.id, name: row.name, ...row.rules, revision: row.revision, createdAt: toIsoString(row.created_at) };
}
