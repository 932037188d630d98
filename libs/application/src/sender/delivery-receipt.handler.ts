import { Inject, Injectable } from '@nestjs/common';
import { DeliveryStatus, DomainError, RecordDeliveryReceipt, streams, targetDecider, TargetState } from '@sms/domain';
import { WrongExpectedRevisionError } from '@sms/event-store';
import { DeliveryReceipt, InboundMessage, SmsGatewayListener } from '@sms/sms-gateway';
import { BatchingAppender } from '../commands/batching-appender';
import { serviceContext } from '../commands/command-context';
import { CommandExecutor } from '../commands/command-executor';
import { LOGGER } from '../infrastructure/tokens';
import { AppLogger } from '../logging/logger';
import { ReadModels } from '../read-models/read-models.service';
import { RecentSubmissions, SubmittedAttempt } from './recent-submissions';
import { toNewEvent } from '../commands/to-new-event';

const FINAL: ReadonlySet<string> = new Set<DeliveryStatus>(['DELIVERED', 'UNDELIVERED', 'EXPIRED', 'REJECTED']);

/**
 * Turns delivery receipts into SmsDeliveryReported on the target's stream. A receipt that matches
 * no recorded attempt yet (it can overtake the sender's own write) is refused, so the SMSC
 * delivers it again later instead of it being dropped.
 */
@Injectable()
export class DeliveryReceiptHandler implements SmsGatewayListener {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly readModels: ReadModels,
    private readonly appender: BatchingAppender,
    private readonly recentSubmissions: RecentSubmissions,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async onDeliveryReceipt(receipt: DeliveryReceipt): Promise<void> {
    if (!FINAL.has(receipt.status)) {
      return;
    }
    const command: RecordDeliveryReceipt = {
      type: 'RecordDeliveryReceipt',
      providerMessageId: receipt.providerMessageId,
      status: receipt.status as DeliveryStatus,
      errorCode: receipt.errorCode ?? null,
      doneAt: receipt.doneAt.toISOString(),
    };
    const submitted = await this.recentSubmissions.take(receipt.providerMessageId);
    if (submitted !== undefined && (await this.appendKnown(submitted, command))) {
      return;
    }
    await this.recordThroughStream(command);
  }

  /** Appends with the revision this process left the target at; false when someone wrote since. */
  private async appendKnown(submitted: SubmittedAttempt, command: RecordDeliveryReceipt): Promise<boolean> {
    const context = serviceContext('sender', submitted.attemptId);
    const events = targetDecider.decide(command, sentState(submitted, command.providerMessageId));
    const result = await this.appender.append({
      streamName: streams.target(submitted.targetId),
      expectedRevision: submitted.revision,
      events: events.map((event) => toNewEvent(event, context)),
    });
    return !(result instanceof WrongExpectedRevisionError);
  }

  private async recordThroughStream(command: RecordDeliveryReceipt): Promise<void> {
    const receipt = command;
    const attempt = await this.readModels.findAttemptByProviderMessageId(receipt.providerMessageId);
    if (attempt === undefined) {
      throw new Error(`no attempt recorded yet for provider message id '${receipt.providerMessageId}'`);
    }
    const context = serviceContext('sender', attempt.attemptId);
    try {
      await this.executor.execute(streams.target(attempt.targetId), targetDecider, command, context);
    } catch (error) {
      if (error instanceof DomainError) {
        this.logger.warn({ err: error, attemptId: attempt.attemptId, targetId: attempt.targetId }, 'receipt not recorded yet');
      }
      throw error;
    }
  }

  async onInboundMessage(message: InboundMessage): Promise<void> {
    // NOTE: replies (STOP / ARRET opt-outs, chat flow) are not handled yet; they are acknowledged and dropped.
    this.logger.info({ receivedAt: message.receivedAt.toISOString() }, 'reply received and not handled');
  }
}

function sentState(submitted: SubmittedAttempt, providerMessageId: string): TargetState {
  return {
    exists: true,
    targetId: submitted.targetId,
    campaignId: submitted.campaignId,
    status: 'SENT',
    attempts: [
      {
        id: submitted.attemptId,
        number: submitted.attemptNumber,
        sessionId: submitted.sessionId,
        submissionStarted: true,
        outcome: 'SENT',
        providerMessageId,
        delivery: null,
      },
    ],
  };
}
