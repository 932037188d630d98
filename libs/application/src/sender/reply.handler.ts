import { Inject, Injectable } from '@nestjs/common';
import { normalisePhoneNumber, parseReplyKeyword, ReplyKeyword } from '@sms/domain';
import { ReplyOrigin } from '@sms/read-models';
import { InboundMessage } from '@sms/sms-gateway';
import { CommandContext, serviceContext } from '../commands/command-context';
import { LOGGER } from '../infrastructure/tokens';
import { AppLogger } from '../logging/logger';
import { ReadModels } from '../read-models/read-models.service';
import { OptOutList } from '../use-cases/opt-out.commands';
import { ChatFlowPublisher } from './chat-flow.publisher';

/**
 * Country in which a reply's sender is read when the SMSC gives a national number. Our SMSCs
 * send international numbers, so this matters only for one that does not.
 */
const REPLY_NUMBER_COUNTRY = 'FR';

/**
 * Acts on recipients' replies. An opt-out keyword (STOP, ARRET, ...) puts the sender's number
 * on the do-not-contact list and START takes it off. When the campaign that last sent to the
 * number has its chat flow enabled, every reply, keywords included, is forwarded to it.
 *
 * Any failure rejects, so the gateway does not acknowledge the reply and the SMSC delivers it
 * again. Recording the keyword is idempotent, but the chat flow may then receive the reply twice.
 */
@Injectable()
export class ReplyHandler {
  constructor(
    private readonly readModels: ReadModels,
    private readonly optOuts: OptOutList,
    private readonly chatFlow: ChatFlowPublisher,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async handle(message: InboundMessage): Promise<void> {
    const sender = normalisePhoneNumber(message.from, REPLY_NUMBER_COUNTRY);
    if (!sender.ok) {
      this.logger.warn(
        { receivedAt: message.receivedAt.toISOString(), rule: sender.rule },
        'reply from a sender that is not a mobile number; ignored',
      );
      return;
    }
    const phoneNumber = sender.e164;
    const keyword = parseReplyKeyword(message.text);
    const origin = await this.readModels.replyOrigin(phoneNumber);
    const context = serviceContext('sender', origin?.attemptId);

    if (keyword !== null) {
      await this.recordKeyword(phoneNumber, keyword, origin, context);
    }
    const flowId = origin?.chatFlow?.enabled === true ? origin.chatFlow.flowId : null;
    if (origin !== undefined && flowId !== null) {
      const { campaignId, targetId, sessionId, attemptId } = origin;
      const receivedAt = message.receivedAt.toISOString();
      await this.chatFlow.publish(flowId, {
        campaignId,
        targetId,
        sessionId,
        attemptId,
        from: phoneNumber,
        text: message.text,
        receivedAt,
      });
    }
    this.logger.info(
      {
        campaignId: origin?.campaignId,
        targetId: origin?.targetId,
        attemptId: origin?.attemptId,
        keyword: keyword?.keyword,
        forwarded: flowId !== null,
      },
      'reply handled',
    );
  }

  private async recordKeyword(
    phoneNumber: string,
    keyword: ReplyKeyword,
    origin: ReplyOrigin | undefined,
    context: CommandContext,
  ): Promise<void> {
    if (keyword.action === 'OPT_OUT') {
      const campaignId = origin?.campaignId ?? null;
      await this.optOuts.optOut({ phoneNumber, source: 'REPLY', keyword: keyword.keyword, campaignId }, context);
    } else {
      await this.optOuts.optIn({ phoneNumber, source: 'REPLY', keyword: keyword.keyword }, context);
    }
  }
}
