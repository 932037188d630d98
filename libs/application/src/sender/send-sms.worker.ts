import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AttemptError, measureSms, renderTemplate, SmsLength, streams, SubmitStatus, targetDecider, TargetState } from '@sms/domain';
import { WrongExpectedRevisionError } from '@sms/event-store';
import { CommandTransport, ConsumeOutcome, Consumer, IncomingMessage, MESSAGE_HEADERS, SEND_SMS_CONSUMER } from '@sms/messaging';
import { SmsGateway, SubmitOutcome } from '@sms/sms-gateway';
import { BatchingAppender } from '../commands/batching-appender';
import { CommandContext, serviceContext } from '../commands/command-context';
import { CommandExecutor } from '../commands/command-executor';
import { toNewEvent } from '../commands/to-new-event';
import { AppConfig } from '../config/app-config';
import { sendSmsSubject } from '../infrastructure/infrastructure';
import { APP_CONFIG, COMMAND_TRANSPORT, LOGGER } from '../infrastructure/tokens';
import { AppLogger } from '../logging/logger';
import { CampaignContextCache, SendingContext } from './campaign-context.cache';
import { DeliveryReceiptHandler } from './delivery-receipt.handler';
import { OptOutCheck } from './opt-out-check';
import { SendSmsMessage } from './send-sms.message';
import { RecentSubmissions, SubmittedAttempt } from './recent-submissions';
import { SMS_GATEWAY } from './sender.tokens';
import { SLOT_HORIZON_MS, ThroughputSlots } from '../throughput/throughput-slots';
import { SenderMetrics } from './sender.metrics';

/** A booked slot that passed longer ago than this is booked again before the submit. */
const LATE_SLOT_MS = 250;
/** Maximum time a command waits for a free slot before it is handed back to the transport. */
const MAX_SLOT_WAIT_MS = 20_000;
/**
 * How long a sender keeps trying to record the outcome of a submit while the event store is down.
 * Within the ack wait of the send command (60 s), so the command is not delivered again meanwhile.
 */
const OUTCOME_RETRY_MS = 30_000;

function waitUntil(instant: number | undefined): Promise<void> {
  const delay = instant === undefined ? 0 : Math.min(instant - Date.now(), SLOT_HORIZON_MS + LATE_SLOT_MS);
  return delay > 0 ? new Promise((resolve) => setTimeout(resolve, delay)) : Promise.resolve();
}

/**
 * Consumes send commands. For each: record SmsSubmissionStarted (only one sender can, thanks to
 * the expected revision), render, submit, record SmsAttempted. A command redelivered after a
 * crash finds the submission started and ends the attempt UNKNOWN instead of submitting again.
 */
@Injectable()
export class SendSmsWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer: Consumer | undefined;

  constructor(
    private readonly appender: BatchingAppender,
    private readonly recentSubmissions: RecentSubmissions,
    @Inject(COMMAND_TRANSPORT) private readonly transport: CommandTransport,
    @Inject(SMS_GATEWAY) private readonly gateway: SmsGateway,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: AppLogger,
    private readonly executor: CommandExecutor,
    private readonly campaigns: CampaignContextCache,
    private readonly metrics: SenderMetrics,
    private readonly receipts: DeliveryReceiptHandler,
    private readonly slots: ThroughputSlots,
    private readonly optOuts: OptOutCheck,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.gateway.start(this.receipts);
    this.consumer = await this.transport.consume<SendSmsMessage>(
      {
        consumerName: SEND_SMS_CONSUMER,
        subject: sendSmsSubject(this.config),
        concurrency: this.config.SENDER_CONCURRENCY,
        maxDeliveries: 20,
        ackWaitMs: 60_000,
      },
      (message) => this.handle(message),
    );
    this.logger.info({ concurrency: this.config.SENDER_CONCURRENCY }, 'sender consuming send commands');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
    this.logger.info('sender stopped');
  }

  async handle(message: IncomingMessage<SendSmsMessage>): Promise<ConsumeOutcome> {
    const command = message.payload;
    const context = serviceContext('sender', command.attemptId, message.headers[MESSAGE_HEADERS.correlationId]);
    try {
      // Everything that can fail before the submit happens before SmsSubmissionStarted: once that
      // event is stored, a failure can only end the attempt UNKNOWN, never let it be retried.
      const sending = await this.campaigns.get(command.campaignId);
      const rendered = renderTemplate(sending.templateBody, { ...(command.layout?.values ?? {}), phoneNumber: command.phoneNumber });
      // The number may have opted out after the scheduler checked it and claimed the target.
      if ((await this.optOuts.isOptedOut(command.phoneNumber)) && (await this.recordOptedOut(command, context))) {
        return { kind: 'ack' };
      }
      const slot = await this.sendSlot(command);
      if (slot === null) {
        return { kind: 'retry', delayMs: SLOT_HORIZON_MS, reason: 'no send slot free under the throughput caps' };
      }
      const revision = await this.startSubmission(command, context);
      if (revision === undefined) {
        return { kind: 'ack' };
      }
      await this.waitForSlot(command, slot);
      const outcome: AttemptResult = rendered.ok
        ? { ...(await this.submit(command, sending, rendered.text)), length: measureSms(rendered.text) }
        : { status: 'NOT_RENDERED', missing: rendered.missing, length: null };
      if (!rendered.ok) {
        this.logger.warn(
          { attemptId: command.attemptId, targetId: command.targetId, campaignId: command.campaignId, missing: rendered.missing },
          'template has no value for some placeholders; the attempt fails without a submit',
        );
      }
      const recorded = this.recordOutcome(command, sending, outcome, revision, context);
      if (outcome.status === 'ACCEPTED') {
        this.recentSubmissions.remember(
          outcome.providerMessageId,
          recorded.catch(() => undefined),
        );
      }
      await recorded;
      return { kind: 'ack' };
    } catch (error) {
      this.logger.error(
        { err: error, attemptId: command.attemptId, targetId: command.targetId, campaignId: command.campaignId },
        'send command failed; it will be delivered again',
      );
      return { kind: 'retry', delayMs: 1_000, reason: (error as Error).message };
    }
  }

  /**
   * Returns when this message may be submitted (epoch milliseconds, undefined for now), or null
   * when no slot came free in time and the command should come back later. The slot booked by
   * the scheduler is kept unless it passed a while ago, as after a restart: late messages are
   * booked again, so a backlog cannot burst past the caps.
   */
  private async sendSlot(command: SendSmsMessage): Promise<number | undefined | null> {
    if (command.notBefore === undefined || command.limits === undefined || command.limits.length === 0) {
      return undefined;
    }
    if (Date.now() <= command.notBefore + LATE_SLOT_MS) {
      return command.notBefore;
    }
    const deadline = Date.now() + MAX_SLOT_WAIT_MS;
    while (Date.now() < deadline) {
      const [slot] = await this.slots.book(command.limits, 1, SLOT_HORIZON_MS);
      if (slot !== undefined) return slot;
      await waitUntil(Date.now() + SLOT_HORIZON_MS / 4);
    }
    return null;
  }

  /**
   * Waits for the slot, right before the submit. Recording SmsSubmissionStarted may have taken
   * long enough for the slot to pass, and several late messages submitted at once would burst
   * past the cap, so a late slot is booked again. The submission has started by now, so this
   * waits as long as it takes: a crash meanwhile ends the attempt UNKNOWN, never sent twice.
   */
  private async waitForSlot(command: SendSmsMessage, slot: number | undefined): Promise<void> {
    let current = slot;
    while (current !== undefined && command.limits !== undefined && Date.now() > current + LATE_SLOT_MS) {
      const [booked] = await this.slots.book(command.limits, 1, SLOT_HORIZON_MS);
      if (booked !== undefined) {
        current = booked;
        break;
      }
      await waitUntil(Date.now() + SLOT_HORIZON_MS / 4);
    }
    await waitUntil(current);
  }

  /**
   * Returns the target's revision after SmsSubmissionStarted, or undefined when this attempt must
   * not be submitted (it already has an outcome, was interrupted, or the target moved on).
   */
  private async startSubmission(command: SendSmsMessage, context: CommandContext): Promise<number | undefined> {
    const event = { type: 'SmsSubmissionStarted', data: { attemptId: command.attemptId, at: context.now } } as const;
    const fast = await this.appender.append({
      streamName: streams.target(command.targetId),
      expectedRevision: command.claimRevision,
      events: [toNewEvent(event, context)],
    });
    if (!(fast instanceof WrongExpectedRevisionError)) {
      return fast.nextExpectedRevision;
    }
    // Someone wrote to the target since the claim (a redelivery, a cancellation): decide on its real state.
    const result = await this.executor.execute(
      streams.target(command.targetId),
      targetDecider,
      { type: 'StartSubmission', attemptId: command.attemptId, now: context.now },
      context,
    );
    const started = result.events.some((candidate) => candidate.type === 'SmsSubmissionStarted');
    if (!started) {
      this.logger.warn(
        { attemptId: command.attemptId, targetId: command.targetId },
        'attempt not submitted: already started or no longer current',
      );
    }
    return started ? result.revision : undefined;
  }

  /**
   * Ends the claimed attempt with TargetOptedOut, without a submit, and returns true. Returns false
   * when the attempt is no longer only claimed (a redelivery after a submission started): the
   * usual path then ends it without submitting again.
   */
  private async recordOptedOut(command: SendSmsMessage, context: CommandContext): Promise<boolean> {
    const decision = { type: 'OptOutTarget' as const, attemptId: command.attemptId, now: context.now };
    const events = targetDecider.decide(decision, attemptState(command, false));
    const appended = await this.appender.append({
      streamName: streams.target(command.targetId),
      expectedRevision: command.claimRevision,
      events: events.map((event) => toNewEvent(event, context)),
    });
    if (appended instanceof WrongExpectedRevisionError) {
      const result = await this.executor.execute(streams.target(command.targetId), targetDecider, decision, context);
      if (result.events.length === 0) {
        return false;
      }
    }
    this.logger.info(
      { attemptId: command.attemptId, targetId: command.targetId, campaignId: command.campaignId },
      'number opted out after the claim; attempt ended without a submit',
    );
    return true;
  }

  /**
   * Runs `append` again while the event store cannot be reached, for up to OUTCOME_RETRY_MS. The
   * provider has responded by then, and giving up would end the attempt UNKNOWN when its command
   * comes back. The events keep their ids across tries, so a commit whose reply was lost is found
   * as an idempotent retry instead of being stored twice.
   */
  private async keepTrying<T>(command: SendSmsMessage, append: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + OUTCOME_RETRY_MS;
    for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 4_000)) {
      try {
        return await append();
      } catch (error) {
        if (Date.now() + delayMs > deadline) throw error;
        this.logger.warn(
          { err: error, attemptId: command.attemptId, targetId: command.targetId, retryInMs: delayMs },
          'could not record the outcome of a submit; trying again',
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  private async submit(command: SendSmsMessage, sending: SendingContext, text: string): Promise<SubmitOutcome> {
    const started = Date.now();
    const outcome = await this.gateway.submit({ attemptId: command.attemptId, from: sending.senderId, to: command.phoneNumber, text });
    this.metrics.observeSubmit(outcome.status, Date.now() - started, Date.now() - Date.parse(command.claimedAt));
    return outcome;
  }

  private async recordOutcome(
    command: SendSmsMessage,
    sending: SendingContext,
    outcome: AttemptResult,
    revision: number,
    context: CommandContext,
  ): Promise<SubmittedAttempt | undefined> {
    const { length } = outcome;
    const { status, providerMessageId, error } = describeOutcome(outcome);
    const decision = {
      type: 'RecordAttemptOutcome' as const,
      attemptId: command.attemptId,
      status,
      providerMessageId,
      error,
      encoding: length?.encoding ?? null,
      segments: length?.segments ?? null,
      now: new Date().toISOString(),
      maxAttempts: sending.maxAttempts,
      retryDelaySeconds: sending.retryDelaySeconds,
    };
    // The target is exactly as this sender left it at `revision`, so its state is known without a read.
    const events = targetDecider.decide(decision, attemptState(command, true)).map((event) => toNewEvent(event, context));
    const appended = await this.keepTrying(command, () =>
      this.appender.append({ streamName: streams.target(command.targetId), expectedRevision: revision, events }),
    );
    if (appended instanceof WrongExpectedRevisionError) {
      await this.executor.execute(streams.target(command.targetId), targetDecider, decision, context);
      return undefined;
    }
    const { targetId, campaignId, attemptId, attemptNumber, sessionId } = command;
    return { targetId, campaignId, attemptId, attemptNumber, sessionId, revision: appended.nextExpectedRevision };
  }
}

type AttemptResult = (SubmitOutcome | { status: 'NOT_RENDERED'; missing: readonly string[] }) & { length: SmsLength | null };

function describeOutcome(outcome: AttemptResult): {
  status: SubmitStatus;
  providerMessageId: string | null;
  error: AttemptError | null;
} {
  switch (outcome.status) {
    case 'ACCEPTED':
      return { status: 'SENT', providerMessageId: outcome.providerMessageId, error: null };
    case 'REJECTED':
      return {
        status: 'FAILED',
        providerMessageId: null,
        error: { code: outcome.errorCode, reason: outcome.reason, transient: outcome.transient },
      };
    case 'UNKNOWN':
      return { status: 'UNKNOWN', providerMessageId: null, error: { code: 'OUTCOME_UNKNOWN', reason: outcome.reason, transient: false } };
    case 'NOT_RENDERED':
      return {
        status: 'FAILED',
        providerMessageId: null,
        error: { code: 'TEMPLATE.MISSING_VARIABLES', reason: `no value for ${outcome.missing.join(', ')}`, transient: false },
      };
  }
}

/** Builds the target's state as the scheduler's claim left it, with the submission started or not. */
function attemptState(command: SendSmsMessage, submissionStarted: boolean): TargetState {
  return {
    exists: true,
    targetId: command.targetId,
    campaignId: command.campaignId,
    status: 'IN_PROGRESS',
    // Only the attempt matters to the submission commands decided against this state.
    startDate: null,
    erased: false,
    attempts: [
      {
        id: command.attemptId,
        number: command.attemptNumber,
        sessionId: command.sessionId,
        submissionStarted,
        outcome: null,
        providerMessageId: null,
        delivery: null,
      },
    ],
  };
}
