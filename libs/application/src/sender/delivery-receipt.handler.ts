import { Inject, Injectable } from '@nestjs/common';
import { DeliveryStatus, RecordDeliveryReceipt, streams, targetDecider, TargetState } from '@sms/domain';
import { WrongExpectedRevisionError } from '@sms/event-store';
import { ReceiptTarget } from '@sms/read-models';
import { DeliveryReceipt, InboundMessage, SmsGatewayListener } from '@sms/sms-gateway';
import { BatchingAppender } from '../commands/batching-appender';
import { serviceContext } from '../commands/command-context';
import { CommandExecutor } from '../commands/command-executor';
import { toNewEvent } from '../commands/to-new-event';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG, LOGGER } from '../infrastructure/tokens';
import { AppLogger } from '../logging/logger';
import { ReadModels } from '../read-models/read-models.service';
import { RecentSubmissions, SubmittedAttempt } from './recent-submissions';
import { ReplyHandler } from './reply.handler';
import { SenderMetrics } from './sender.metrics';
import { UnmatchedReceipts } from './unmatched-receipts';

const FINAL: ReadonlySet<string> = new Set<DeliveryStatus>(['DELIVERED', 'UNDELIVERED', 'EXPIRED', 'REJECTED']);

/** Receipts looked up in the read model per query. */
const LOOKUP_BATCH = 500;

interface PendingReceipt {
  readonly command: RecordDeliveryReceipt;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Turns delivery receipts into SmsDeliveryReported on the target's stream. A receipt for a message
 * this process submitted is appended with the revision it left the target at. Any other receipt is
 * looked up in the read model, in batches, and appended with the revision found there. Either way
 * the expected revision keeps a stale guess from writing a wrong event: a conflict goes through the
 * command handler. A receipt that matches no recorded attempt yet (it can overtake the sender's own
 * write) is refused, so the SMSC delivers it again later instead of it being dropped, until
 * SENDER_UNMATCHED_RECEIPT_MS have passed since it was first seen (see UnmatchedReceipts). As the
 * gateway's listener it also receives recipients' replies, which it hands to ReplyHandler.
 */
@Injectable()
export class DeliveryReceiptHandler implements SmsGatewayListener {
  private queue: PendingReceipt[] = [];
  private flushScheduled = false;
  private readonly unmatched: UnmatchedReceipts;

  constructor(
    private readonly executor: CommandExecutor,
    private readonly readModels: ReadModels,
    private readonly appender: BatchingAppender,
    private readonly recentSubmissions: RecentSubmissions,
    private readonly replies: ReplyHandler,
    private readonly metrics: SenderMetrics,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {
    this.unmatched = new UnmatchedReceipts(config.SENDER_UNMATCHED_RECEIPT_MS);
  }

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
      receivedAt: new Date().toISOString(),
    };
    const submitted = await this.recentSubmissions.take(receipt.providerMessageId);
    if (submitted !== undefined && (await this.appendAt(submitted, submitted.revision, command))) {
      return;
    }
    await new Promise<void>((resolve, reject) => {
      this.queue.push({ command, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Rejects when the reply could not be recorded, so that the gateway does not acknowledge it and the SMSC delivers it again. */
  onInboundMessage(message: InboundMessage): Promise<void> {
    return this.replies.handle(message);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const batch = this.queue.splice(0, LOOKUP_BATCH);
      if (this.queue.length > 0) this.scheduleFlush();
      void this.recordBatch(batch);
    });
  }

  private async recordBatch(batch: readonly PendingReceipt[]): Promise<void> {
    let found: ReceiptTarget[];
    try {
      found = await this.readModels.queries.targets.findReceiptTargets(batch.map((pending) => pending.command.providerMessageId));
    } catch (error) {
      batch.forEach((pending) => pending.reject(error));
      return;
    }
    const byId = new Map(found.map((target) => [target.providerMessageId, target]));
    await Promise.all(
      batch.map(async (pending) => {
        try {
          await this.recordLookedUp(pending.command, byId.get(pending.command.providerMessageId));
          pending.resolve();
        } catch (error) {
          pending.reject(error);
        }
      }),
    );
  }

  private async recordLookedUp(command: RecordDeliveryReceipt, target: ReceiptTarget | undefined): Promise<void> {
    if (target === undefined) {
      if (this.unmatched.graceOver(command.providerMessageId)) {
        this.metrics.countUnmatchedReceipt();
        this.logger.warn(
          { providerMessageId: command.providerMessageId, status: command.status, doneAt: command.doneAt },
          'delivery receipt dropped: no attempt has its provider message id',
        );
        return;
      }
      throw new Error(`no attempt recorded yet for provider message id '${command.providerMessageId}'`);
    }
    this.unmatched.matched(command.providerMessageId);
    if (FINAL.has(target.attemptStatus)) {
      // A repeated receipt: the store already has this attempt's final status.
      return;
    }
    if (
      target.attemptStatus === 'SENT' &&
      target.targetStatus === 'SENT' &&
      (await this.appendAt(target, target.targetRevision, command))
    ) {
      return;
    }
    const context = serviceContext('sender', target.attemptId);
    await this.executor.execute(streams.target(target.targetId), targetDecider, command, context);
  }

  /** Appends the receipt assuming the target is SENT at `revision`; returns false when the stream is at another revision. */
  private async appendAt(attempt: Omit<SubmittedAttempt, 'revision'>, revision: number, command: RecordDeliveryReceipt): Promise<boolean> {
    const context = serviceContext('sender', attempt.attemptId);
    const events = targetDecider.decide(command, sentState(attempt, command.providerMessageId));
    const result = await this.appender.append({
      streamName: streams.target(attempt.targetId),
      expectedRevision: revision,
      events: events.map((event) => toNewEvent(event, context)),
    });
    return !(result instanceof WrongExpectedRevisionError);
  }
}

function sentState(attempt: Omit<SubmittedAttempt, 'revision'>, providerMessageId: string): TargetState {
  return {
    exists: true,
    targetId: attempt.targetId,
    campaignId: attempt.campaignId,
    status: 'SENT',
    // Only the attempt matters to the receipt command decided against this state.
    startDate: null,
    erased: false,
    attempts: [
      {
        id: attempt.attemptId,
        number: attempt.attemptNumber,
        sessionId: attempt.sessionId,
        submissionStarted: true,
        outcome: 'SENT',
        providerMessageId,
        delivery: null,
      },
    ],
  };
}
