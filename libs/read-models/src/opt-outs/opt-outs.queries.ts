import type { OptOutSource } from '@sms/domain';
import type { SqlExecutor } from '@sms/platform';
import { Page, PageRequest, resolvePage } from '../shared/paging';
import { DEFAULT_READ_MODEL_SCHEMA, quoteSchemaName, ReadModelOptions } from '../shared/schema-name';
import { toIsoString } from '../shared/sql-values';
import { WhereClause } from '../shared/where-clause';
import { ERASED } from '../targets/target-rows';

/** A number on the do-not-contact list. */
export interface OptOutView {
  /** E.164; null once the number's personal data was erased, while the list still blocks it. */
  readonly phoneNumber: string | null;
  /** When the number opted out. */
  readonly since: string;
  readonly source: OptOutSource;
  /** The reply keyword, such as STOP; null when a Maker user added the number. */
  readonly keyword: string | null;
  /** The campaign that last sent to the number before its reply, when known. */
  readonly campaignId: string | null;
}

export interface OptOutListRequest extends PageRequest {
  /** E.164 number, matched exactly: normalise what the user typed before calling. */
  readonly phone?: string;
}

export interface OptOutQueryOptions extends ReadModelOptions {
  /**
   * Returns the key that names a number's opt-out stream (its keyed hash). With it, numbers are
   * looked up by that key, so a number whose personal data was erased is still found. Without it,
   * they are looked up in clear and an erased number is not found: only tests and tools that
   * hold no secret leave it out.
   */
  readonly numberKey?: (e164: string) => string;
}

type OptOutRow = { phone_number: string; since: Date; source: OptOutSource; keyword: string | null; campaign_id: string | null };

export class OptOutQueries {
  private readonly table: string;
  private readonly numberKey: ((e164: string) => string) | undefined;

  constructor(
    private readonly db: SqlExecutor,
    options: OptOutQueryOptions = {},
  ) {
    this.table = `${quoteSchemaName(options.schema ?? DEFAULT_READ_MODEL_SCHEMA)}.opt_outs`;
    this.numberKey = options.numberKey;
  }

  /** Lists the numbers on the list, newest opt-out first. */
  async listOptOuts(request: OptOutListRequest = {}): Promise<Page<OptOutView>> {
    const { page, pageSize, offset } = resolvePage(request);
    const where = new WhereClause().addCondition('opted_out');
    if (request.phone !== undefined && this.numberKey !== undefined) {
      where.addBound('number_key = $?', this.numberKey(request.phone));
    } else if (request.phone !== undefined) {
      where.addBound('phone_number = $?', request.phone);
    }
    const { rows } = await this.db.query<OptOutRow>(
      `SELECT phone_number, since, source, keyword, campaign_id FROM ${this.table} ${where.toSql()}
       ORDER BY since DESC, number_key
       LIMIT ${where.extraPlaceholder(1)} OFFSET ${where.extraPlaceholder(2)}`,
      where.params(pageSize, offset),
    );
    const count = await this.db.query<{ total: number }>(
      `SELECT count(*)::integer AS total FROM ${this.table} ${where.toSql()}`,
      where.params(),
    );
    return { items: rows.map(toOptOutView), total: count.rows[0].total, page, pageSize };
  }

  /**
   * Returns which of `phoneNumbers` (E.164) are on the list, in one query, for the scheduler and
   * the senders that check a whole batch of targets at once.
   */
  async findOptedOut(phoneNumbers: readonly string[]): Promise<Set<string>> {
    if (phoneNumbers.length === 0) {
      return new Set();
    }
    const numbers = [...new Set(phoneNumbers)];
    const numberKey = this.numberKey;
    if (numberKey === undefined) {
      const { rows } = await this.db.query<{ phone_number: string }>(
        `SELECT phone_number FROM ${this.table} WHERE opted_out AND phone_number = ANY($1::text[])`,
        [numbers],
      );
      return new Set(rows.map((row) => row.phone_number));
    }

    const numbersByKey = new Map(numbers.map((number) => [numberKey(number), number]));
    const { rows } = await this.db.query<{ number_key: string }>(
      `SELECT number_key FROM ${this.table} WHERE opted_out AND number_key = ANY($1::text[])`,
      [[...numbersByKey.keys()]],
    );
    return new Set(rows.flatMap((row) => numbersByKey.get(row.number_key) ?? []));
  }
}

function toOptOutView(row: OptOutRow): OptOutView {
  return {
    phoneNumber: row.phone_number === ERASED ? null : row.phone_number,
    since: toIsoString(row.since),
    source: row.source,
    keyword: row.keyword,
    campaignId: row.campaign_id,
  };
}
