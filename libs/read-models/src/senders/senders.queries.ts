import type { SenderIdKind } from '@sms/domain';
import type { SqlExecutor } from '@sms/platform';
import { Page, PageRequest, resolvePage } from '../shared/paging';
import { DEFAULT_READ_MODEL_SCHEMA, quoteSchemaName, ReadModelOptions } from '../shared/schema-name';
import { toIsoString } from '../shared/sql-values';

export interface SenderView {
  readonly id: string;
  readonly name: string;
  /** The originator shown on the phone: alphanumeric id, short code or E.164 number. */
  readonly senderId: string;
  readonly kind: SenderIdKind;
  /** SMS per second at most under this sender, all campaigns together; null for no cap. */
  readonly throughputPerSecond: number | null;
  /** Stream revision, the resource's ETag. */
  readonly revision: number;
  readonly registeredAt: string;
}

type SenderRow = {
  id: string;
  name: string;
  sender_id: string;
  kind: SenderIdKind;
  throughput_per_second: number | null;
  revision: number;
  registered_at: Date;
};

const COLUMNS = 'id, name, sender_id, kind, throughput_per_second, revision, registered_at';

export class SenderQueries {
  private readonly table: string;

  constructor(
    private readonly db: SqlExecutor,
    options: ReadModelOptions = {},
  ) {
    this.table = `${quoteSchemaName(options.schema ?? DEFAULT_READ_MODEL_SCHEMA)}.senders`;
  }

  async getSender(id: string): Promise<SenderView | null> {
    const { rows } = await this.db.query<SenderRow>(`SELECT ${COLUMNS} FROM ${this.table} WHERE id = $1`, [id]);
    return rows.length === 0 ? null : toSenderView(rows[0]);
  }

  /** Lists senders ordered by name. */
  async listSenders(request: PageRequest = {}): Promise<Page<SenderView>> {
    const { page, pageSize, offset } = resolvePage(request);
    const { rows } = await this.db.query<SenderRow>(`SELECT ${COLUMNS} FROM ${this.table} ORDER BY name, id LIMIT $1 OFFSET $2`, [
      pageSize,
      offset,
    ]);
    const count = await this.db.query<{ total: number }>(`SELECT count(*)::integer AS total FROM ${this.table}`);
    return { items: rows.map(toSenderView), total: count.rows[0].total, page, pageSize };
  }
}

function toSenderView(row: SenderRow): SenderView {
  return {
    id: row.id,
    name: row.name,
    senderId: row.sender_id,
    kind: row.kind,
    throughputPerSecond: row.throughput_per_second,
    revision: row.revision,
    registeredAt: toIsoString(row.registered_at),
  };
}
