import type { ChatFlowSettings } from '@sms/domain';
import type { SqlExecutor } from '@sms/platform';
import { DEFAULT_READ_MODEL_SCHEMA, quoteSchemaName, ReadModelOptions } from '../shared/schema-name';

/** The latest message sent to a number, which a reply from that number refers to. */
export interface ReplyOrigin {
  readonly attemptId: string;
  readonly targetId: string;
  readonly campaignId: string;
  readonly sessionId: string;
  /** The campaign's chat flow settings; null once the campaign is deleted. */
  readonly chatFlow: ChatFlowSettings | null;
}

type ReplyOriginRow = {
  attempt_id: string;
  target_id: string;
  campaign_id: string;
  session_id: string;
  chat_flow: ChatFlowSettings | null;
};

export class ReplyOriginQueries {
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
   * Finds the attempt started last among those the provider accepted for `phoneNumber` (E.164),
   * with its campaign's chat flow settings. Returns null when nothing was ever sent to the number.
   * Attempts that never reached the provider (opted out, rejected) are skipped, because a reply
   * can only refer to a message that was sent.
   */
  async findReplyOrigin(phoneNumber: string): Promise<ReplyOrigin | null> {
    const { rows } = await this.db.query<ReplyOriginRow>(
      `SELECT attempt.attempt_id, attempt.target_id, attempt.campaign_id, attempt.session_id, campaign.settings -> 'chatFlow' AS chat_flow
       FROM ${this.attempts} attempt LEFT JOIN ${this.campaigns} campaign ON campaign.id = attempt.campaign_id
       WHERE attempt.phone_number = $1 AND attempt.provider_message_id IS NOT NULL
       ORDER BY attempt.started_at DESC
       LIMIT 1`,
      [phoneNumber],
    );
    if (rows.length === 0) {
      return null;
    }
    const row = rows[0];
    return {
      attemptId: row.attempt_id,
      targetId: row.target_id,
      campaignId: row.campaign_id,
      sessionId: row.session_id,
      chatFlow: row.chat_flow,
    };
  }
}
