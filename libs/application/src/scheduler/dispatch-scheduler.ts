import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
  CalendarRules,
  evolveTarget,
  isOpenAt,
  nextOpenInstant,
  SmsAttemptStarted,
  streams,
  targetDecider,
  TargetEvent,
  TargetState,
} from '@sms/domain';
import { ZoneFilter } from '@sms/read-models';
import { AppendResult, EventStore, GlobalPosition, NewEvent, RecordedEvent, WrongExpectedRevisionError } from '@sms/event-store';
import { CommandTransport, MESSAGE_HEADERS, OutgoingMessage } from '@sms/messaging';
import { AppConfig } from '../config/app-config';
import { sendSmsSubject } from '../infrastructure/infrastructure';
import { CommandContext, serviceContext } from '../commands/command-context';
import { toNewEvent } from '../commands/to-new-event';
import { APP_CONFIG, COMMAND_TRANSPORT, EVENT_STORE, LOGGER } from '../infrastructure/tokens';
import { AppLogger } from '../logging/logger';
import { DueTarget, ReadModels, RunningCampaign } from '../read-models/read-models.service';
import { SendSmsMessage } from '../sender/send-sms.message';
import { BookedSlots, limitsOf, SLOT_HORIZON_MS, ThroughputLimit, ThroughputSlots } from '../throughput/throughput-slots';

/** The current instant in epoch milliseconds, as `Date.now` gives it. */
export type Clock = () => number;

/** Pending targets read and expired per batch once a campaign's end date has passed. */
const EXPIRY_BATCH_SIZE = 1_000;

/** How often the scheduler looks for claims that no sender took up, in ms. */
const CLAIM_RECOVERY_INTERVAL_MS = 5_000;

/** Claims examined per look. */
const CLAIM_RECOVERY_BATCH_SIZE = 500;

/**
 * The dispatch saga. Every tick it looks at the campaigns that are ON. A campaign whose refresh
 * time has come, or that was just switched ON, gets its due targets claimed, priority first and
 * then start date. Each claim appends SmsAttemptStarted to the target's stream with the revision
 * the read model showed, so two schedulers never claim the same target. A send command per claim
 * is then published with the attempt id as message id.
 */
@Injectable()
export class DispatchScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** When each campaign may look for due targets again, by campaign id and session. */
  private readonly nextRunAt = new Map<string, number>();
  /** When to look for claims that no sender took up. */
  private nextRecoveryAt = 0;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(COMMAND_TRANSPORT) private readonly transport: CommandTransport,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: AppLogger,
    private readonly readModels: ReadModels,
    private readonly slots: ThroughputSlots,
  ) {}

  onApplicationBootstrap(): void {
    this.logger.info({ tickMs: this.config.SCHEDULER_TICK_MS }, 'scheduler started');
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => (this.running = undefined));
    }, this.config.SCHEDULER_TICK_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    this.logger.info('scheduler stopped');
  }

  /**
   * Dispatches every running campaign whose refresh time has come; public for tests and
   * benchmarks. `clock` gives the instant, in epoch milliseconds, that the scheduling rules read:
   * due dates, calendars, end dates and refresh times. A test passes its own to tick at chosen
   * instants. Claim recovery always measures real time, because it waits on processes.
   */
  async tick(clock: Clock = Date.now): Promise<void> {
    const now = new Date(clock());
    try {
      await this.expireEndedCampaigns(now);
      await this.recoverStaleClaims(Date.now());
      const campaigns = await this.readModels.listRunningCampaigns();
      for (const campaign of campaigns) {
        if (this.stopped) return;
        const key = `${campaign.id}/${campaign.sessionId}`;
        if ((this.nextRunAt.get(key) ?? 0) > now.getTime()) continue;
        this.nextRunAt.set(key, await this.dispatch(campaign, now, clock));
      }
    } catch (error) {
      this.logger.error({ err: error }, 'scheduler tick failed; retrying at the next tick');
    }
  }

  /**
   * Claims due targets of one campaign while its calendar is open, keeping at most
   * SCHEDULER_MAX_IN_FLIGHT attempts claimed and without a provider response yet, so that switching the campaign
   * OFF stops sends within that window. Returns when to look at the campaign again: at the next
   * tick when the window or the throughput limit held targets back, when the calendar next opens
   * if it is closed, else after the refresh time.
   */
  private async dispatch(campaign: RunningCampaign, tickedAt: Date, clock: Clock): Promise<number> {
    const refreshAt = tickedAt.getTime() + campaign.refreshSeconds * 1000;
    if (campaign.endDate !== null && Date.parse(campaign.endDate) <= tickedAt.getTime()) {
      return refreshAt;
    }
    const calendar = campaign.calendarId === null ? null : await this.readModels.calendarRules(campaign.calendarId);
    if (calendar === undefined) {
      // The calendar is not in the read model yet: sending without it could break its hours.
      return tickedAt.getTime() + this.config.SCHEDULER_TICK_MS;
    }
    const limits = limitsOf(
      { id: campaign.id, throughputPerSecond: campaign.throughputPerSecond },
      { id: campaign.senderId, throughputPerSecond: campaign.senderThroughputPerSecond },
    );
    let claimed = 0;
    let lookAgainAt = refreshAt;
    while (!this.stopped) {
      const open = calendar === null ? undefined : await this.openZones(campaign, calendar, clock());
      if (open !== undefined && open.filter === null) {
        lookAgainAt = open.opensAt === null ? refreshAt : Math.min(refreshAt, open.opensAt);
        break;
      }
      const window = this.config.SCHEDULER_MAX_IN_FLIGHT - (await this.readModels.countInFlight(campaign.id));
      let allowance = Math.min(this.config.SCHEDULER_BATCH_SIZE, window);
      // Under a throughput cap, only the targets that have a send slot in the next seconds are claimed.
      const slots: BookedSlots | undefined =
        limits.length === 0 || allowance < 1 ? undefined : await this.slots.book(limits, allowance, SLOT_HORIZON_MS);
      allowance = slots?.length ?? allowance;
      if (allowance < 1) {
        // Targets may still be due: look again at the next tick.
        lookAgainAt = clock() + this.config.SCHEDULER_TICK_MS;
        break;
      }
      const now = new Date(clock());
      const due = await this.readModels.dueTargets(campaign.id, now.toISOString(), allowance, open?.filter);
      if (due.length === 0) break;

      const setAside = await this.setAsideOptedOut(campaign, due);
      const { messages, lastPosition } = await this.claim(
        campaign,
        setAside.sendable,
        now,
        slots === undefined ? undefined : { slots, limits },
      );
      await this.transport.publishMany(messages);
      claimed += messages.length;
      const written = lastPosition ?? setAside.lastPosition;
      if (written === undefined) break;
      // The next query must not see the targets just claimed or opted out as still pending.
      await this.readModels.waitForTargets(written);
    }
    if (claimed > 0) {
      this.logger.info({ campaignId: campaign.id, sessionId: campaign.sessionId, claimed }, 'targets claimed');
    }
    return lookAgainAt;
  }

  /**
   * Reads the calendar in the zone of each pending target that has one, and in the calendar's own
   * zone for the others. Returns the zones open at `now` as a due-target filter (undefined when
   * all are open), or null with the next opening when none is.
   */
  private async openZones(
    campaign: RunningCampaign,
    calendar: CalendarRules,
    now: number,
  ): Promise<{ filter: ZoneFilter | undefined } | { filter: null; opensAt: number | null }> {
    const zones = await this.readModels.queries.targets.pendingTimeZones(campaign.id);
    const withoutZone = isOpenAt(calendar, now);
    const openZones = zones.filter((timeZone) => isOpenAt({ ...calendar, timeZone }, now));
    if (withoutZone && openZones.length === zones.length) {
      return { filter: undefined };
    }
    if (withoutZone || openZones.length > 0) {
      return { filter: { withoutZone, zones: openZones } };
    }
    const openings = [calendar, ...zones.map((timeZone) => ({ ...calendar, timeZone }))]
      .map((rules) => nextOpenInstant(rules, now))
      .filter((instant): instant is number => instant !== null);
    return { filter: null, opensAt: openings.length === 0 ? null : Math.min(...openings) };
  }

  /**
   * Expires the targets still pending in campaigns, ON or OFF, whose end date has passed. Each
   * append carries the revision the read model showed, so a target claimed meanwhile is left to
   * its attempt, and two schedulers never expire one target twice.
   */
  private async expireEndedCampaigns(now: Date): Promise<void> {
    for (const campaign of await this.readModels.queries.campaigns.listEndedWithPendingTargets(now)) {
      if (this.stopped) return;
      const context = serviceContext('scheduler');
      const command = { type: 'ExpireTarget', endDate: campaign.endDate, now: now.toISOString() } as const;
      let expired = 0;
      let afterId: string | undefined;
      for (;;) {
        const pending = await this.readModels.queries.targets.scanTargets(campaign.id, {
          afterId,
          limit: EXPIRY_BATCH_SIZE,
          status: 'PENDING',
        });
        if (pending.length === 0) break;
        afterId = pending[pending.length - 1].id;
        const results = await this.store.appendToStreams(
          pending.map((target) => ({
            streamName: streams.target(target.id),
            expectedRevision: target.revision,
            events: targetDecider.decide(command, pendingState(campaign.id, target)).map((event) => toNewEvent(event, context)),
          })),
        );
        expired += results.filter((result) => !(result instanceof WrongExpectedRevisionError)).length;
      }
      this.logger.info({ campaignId: campaign.id, endDate: campaign.endDate, expired }, 'pending targets expired at the end date');
    }
  }

  /**
   * Publishes again the send command of every attempt whose last event, its claim or the start of
   * its submission, is older than SCHEDULER_CLAIM_RECOVERY_MS. The claim is stored before its
   * command is published, so a scheduler that dies in between, or a publish that fails, leaves a
   * target IN_PROGRESS that no sender received. A command can also be lost with the broker's data.
   *
   * Sending a command twice is safe: it carries the claim's revision, so a second copy finds the
   * submission started and ends the attempt UNKNOWN instead of submitting (see SendSmsWorker), and
   * JetStream drops a copy whose message id it saw within its duplicate window. The threshold
   * matches the senders' ack wait, after which JetStream would deliver the command again anyway.
   */
  private async recoverStaleClaims(now: number): Promise<void> {
    if (now < this.nextRecoveryAt) return;
    this.nextRecoveryAt = now + CLAIM_RECOVERY_INTERVAL_MS;
    const cutoff = now - this.config.SCHEDULER_CLAIM_RECOVERY_MS;
    const stale = await this.readModels.queries.targets.findStaleClaims(new Date(cutoff).toISOString(), CLAIM_RECOVERY_BATCH_SIZE);
    if (stale.length === 0) return;

    // The read model may lag, so the target's own stream decides whether the attempt is still open.
    const open = openAttempts(await this.store.readStreams(stale.map((target) => streams.target(target.id))));
    const context = serviceContext('scheduler');
    const messages: OutgoingMessage[] = [];
    const limits = new Map<string, readonly ThroughputLimit[]>();
    for (const target of stale) {
      const attempt = open.get(streams.target(target.id));
      if (attempt === undefined || attempt.since.getTime() > cutoff) continue;
      if (!limits.has(target.campaignId)) limits.set(target.campaignId, await this.readModels.throughputLimits(target.campaignId));
      const campaignLimits = limits.get(target.campaignId) ?? [];
      const payload: SendSmsMessage = {
        attemptId: attempt.id,
        attemptNumber: attempt.number,
        targetId: target.id,
        campaignId: target.campaignId,
        sessionId: attempt.sessionId,
        claimRevision: attempt.claimRevision,
        phoneNumber: target.phoneNumber,
        layout: target.layout,
        claimedAt: target.claimedAt,
        // A slot in the past makes the sender book a fresh one under the caps.
        ...(campaignLimits.length === 0 ? {} : { notBefore: 0, limits: campaignLimits }),
      };
      messages.push({
        id: attempt.id,
        subject: sendSmsSubject(this.config),
        payload,
        headers: { [MESSAGE_HEADERS.correlationId]: context.correlationId },
      });
    }
    if (messages.length === 0) return;
    await this.transport.publishMany(messages);
    this.logger.warn({ republished: messages.length }, 'send commands published again for claims that no sender took up');
  }

  /**
   * Claims the targets and builds their send commands. Under a throughput cap, the i-th claimed
   * target gets the i-th booked slot; slots left over are not used, which only sends less.
   */
  private async claim(
    campaign: RunningCampaign,
    due: readonly DueTarget[],
    now: Date,
    throughput: { slots: BookedSlots; limits: readonly ThroughputLimit[] } | undefined,
  ) {
    const context = serviceContext('scheduler');
    const attempts = due.map((target) => ({ target, attemptId: randomUUID() }));
    const results = await this.store.appendToStreams(
      attempts.map(({ target, attemptId }) => ({
        streamName: streams.target(target.id),
        expectedRevision: target.revision,
        events: [startedEvent(campaign, target, attemptId, now, context)],
      })),
    );

    const messages: OutgoingMessage[] = [];
    let lastPosition: GlobalPosition | undefined;
    results.forEach((result: AppendResult | WrongExpectedRevisionError, index) => {
      if (result instanceof WrongExpectedRevisionError) return;
      const { target, attemptId } = attempts[index];
      const payload: SendSmsMessage = {
        attemptId,
        attemptNumber: target.attempts + 1,
        targetId: target.id,
        campaignId: campaign.id,
        sessionId: campaign.sessionId,
        claimRevision: result.nextExpectedRevision,
        phoneNumber: target.phoneNumber,
        layout: target.layout,
        claimedAt: now.toISOString(),
        ...(throughput === undefined ? {} : { notBefore: throughput.slots[messages.length], limits: throughput.limits }),
      };
      messages.push({
        id: attemptId,
        subject: sendSmsSubject(this.config),
        payload,
        headers: { [MESSAGE_HEADERS.correlationId]: context.correlationId },
      });
      lastPosition = result.position;
    });
    return { messages, lastPosition };
  }

  /**
   * Ends the due targets whose number is on the do-not-contact list with TargetOptedOut instead
   * of claiming them, after one read-model query for the whole batch. Returns the targets left to
   * claim, and the position of the last opt-out written (undefined when none was). A target
   * that changed since the read is left alone: the next query shows it as it is now.
   */
  private async setAsideOptedOut(
    campaign: RunningCampaign,
    due: readonly DueTarget[],
  ): Promise<{ sendable: DueTarget[]; lastPosition: GlobalPosition | undefined }> {
    const optedOut = await this.readModels.optedOutNumbers(due.map((target) => target.phoneNumber));
    if (optedOut.size === 0) {
      return { sendable: [...due], lastPosition: undefined };
    }
    const context = serviceContext('scheduler');
    const command = { type: 'OptOutTarget', attemptId: null, now: context.now } as const;
    const setAside = due.filter((target) => optedOut.has(target.phoneNumber));
    const results = await this.store.appendToStreams(
      setAside.map((target) => ({
        streamName: streams.target(target.id),
        expectedRevision: target.revision,
        events: targetDecider.decide(command, pendingState(campaign.id, target)).map((event) => toNewEvent(event, context)),
      })),
    );
    let lastPosition: GlobalPosition | undefined;
    for (const result of results) {
      if (!(result instanceof WrongExpectedRevisionError)) lastPosition = result.position;
    }
    this.logger.info({ campaignId: campaign.id, optedOut: setAside.length }, 'opted-out targets ended without a claim');
    return { sendable: due.filter((target) => !optedOut.has(target.phoneNumber)), lastPosition };
  }
}

function startedEvent(campaign: RunningCampaign, target: DueTarget, attemptId: string, now: Date, context: CommandContext): NewEvent {
  const data: SmsAttemptStarted['data'] = {
    attemptId,
    attemptNumber: target.attempts + 1,
    campaignId: campaign.id,
    sessionId: campaign.sessionId,
    startedAt: now.toISOString(),
  };
  return toNewEvent({ type: 'SmsAttemptStarted', data }, context);
}

/** An attempt between its claim and its outcome, as the target's stream shows it. */
interface OpenAttempt {
  readonly id: string;
  readonly number: number;
  readonly sessionId: string;
  /** Revision of the claim, SmsAttemptStarted: the expected revision of SmsSubmissionStarted. */
  readonly claimRevision: number;
  /** When the stream last moved: the claim, or the start of the submission. */
  readonly since: Date;
}

/** Folds target streams, as readStreams returns them, into the attempt each leaves open, by stream name. */
function openAttempts(events: readonly RecordedEvent[]): Map<string, OpenAttempt> {
  const states = new Map<string, { state: TargetState; claimRevision: number; since: Date }>();
  for (const recorded of events) {
    const event = recorded as unknown as TargetEvent;
    const current = states.get(recorded.streamName) ?? {
      state: targetDecider.initialState(),
      claimRevision: -1,
      since: recorded.recordedAt,
    };
    states.set(recorded.streamName, {
      state: evolveTarget(current.state, event),
      claimRevision: event.type === 'SmsAttemptStarted' ? recorded.revision : current.claimRevision,
      since: recorded.recordedAt,
    });
  }
  const open = new Map<string, OpenAttempt>();
  for (const [streamName, { state, claimRevision, since }] of states) {
    const attempt = state.exists && state.status === 'IN_PROGRESS' ? state.attempts.at(-1) : undefined;
    if (attempt !== undefined && attempt.outcome === null) {
      open.set(streamName, { id: attempt.id, number: attempt.number, sessionId: attempt.sessionId, claimRevision, since });
    }
  }
  return open;
}

/** Builds the state of a pending target as the read model showed it; OptOutTarget and ExpireTarget read only its status. */
function pendingState(campaignId: string, target: { id: string; startDate: string | null }): TargetState {
  return {
    exists: true,
    targetId: target.id,
    campaignId,
    status: 'PENDING',
    startDate: target.startDate,
    erased: false,
    attempts: [],
  };
}
