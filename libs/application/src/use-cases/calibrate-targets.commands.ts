import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Inject } from '@nestjs/common';
import { DomainError, openIntervals, spreadOverIntervals, streams, targetDecider } from '@sms/domain';
import { EventStore, WrongExpectedRevisionError } from '@sms/event-store';
import type { TargetRecord } from '@sms/read-models';
import { CommandContext } from '../commands/command-context';
import { CommandExecutor } from '../commands/command-executor';
import { toNewEvent } from '../commands/to-new-event';
import { EVENT_STORE } from '../infrastructure/tokens';
import { ReadModels } from '../read-models/read-models.service';
import { toInstant } from './local-date';
import { requireCampaign } from './target.commands';

/** Pending targets read, and rescheduled, per batch. */
const BATCH_SIZE = 1_000;
const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;

export class CalibrateTargetsCommand {
  constructor(
    readonly campaignId: string,
    /** ISO-8601; local date-times are read in the campaign's time zone. */
    readonly from: string,
    readonly to: string,
    readonly context: CommandContext,
  ) {}
}

/**
 * Spreads the campaign's pending targets evenly over the open time of its calendar between `from`
 * and `to` (all of that time when it has no calendar), keeping their dispatch order: priority
 * first, then start date with none first, then id. The first target starts at the first open
 * instant, and the gap between two targets is the open time divided by their number.
 */
@CommandHandler(CalibrateTargetsCommand)
export class CalibrateTargetsHandler implements ICommandHandler<CalibrateTargetsCommand, { rescheduled: number }> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly readModels: ReadModels,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ campaignId, from, to, context }: CalibrateTargetsCommand): Promise<{ rescheduled: number }> {
    const campaign = await requireCampaign(this.store, campaignId);
    const start = Date.parse(toInstant('from', from, campaign.settings.timeZone));
    const end = Date.parse(toInstant('to', to, campaign.settings.timeZone));
    if (end <= start) {
      throw DomainError.invalid('TARGET.INVALID_CALIBRATION', 'to', to, `must be after from ('${from}')`);
    }
    // A range that ends in the past would make every pending target due at once.
    if (end <= Date.parse(context.now)) {
      throw DomainError.invalid('TARGET.INVALID_CALIBRATION', 'to', to, `must be after the current time (${context.now})`);
    }
    if (end - start > MAX_RANGE_DAYS * DAY_MS) {
      throw DomainError.invalid('TARGET.INVALID_CALIBRATION', 'to', to, `must be at most ${MAX_RANGE_DAYS} days after from ('${from}')`);
    }
    const intervals = await this.openTime(campaign.settings.calendarId, start, end);
    const pending = await this.pendingInDispatchOrder(campaignId);
    if (pending.length === 0) {
      return { rescheduled: 0 };
    }
    if (intervals.length === 0) {
      throw DomainError.invalid(
        'TARGET.INVALID_CALIBRATION',
        'from',
        from,
        `starts a range in which calendar '${campaign.settings.calendarId}' is never open (to '${to}')`,
      );
    }

    const instants = spreadOverIntervals(intervals, pending.length).map((instant) => new Date(instant).toISOString());
    let rescheduled = 0;
    for (let offset = 0; offset < pending.length; offset += BATCH_SIZE) {
      rescheduled += await this.reschedule(
        pending.slice(offset, offset + BATCH_SIZE),
        instants.slice(offset, offset + BATCH_SIZE),
        context,
      );
    }
    return { rescheduled };
  }

  private async openTime(calendarId: string | null, start: number, end: number) {
    if (calendarId === null) {
      return [{ start, end }];
    }
    const rules = await this.readModels.calendarRules(calendarId);
    if (rules === undefined) {
      throw DomainError.conflict('CAMPAIGN.CALENDAR_NOT_FOUND', `calendar '${calendarId}' of the campaign was not found`);
    }
    return openIntervals(rules, start, end);
  }

  /**
   * Reads every pending target before writing any, because rescheduling moves them in the dispatch
   * order. NOTE: the whole list is held in memory, about 200 bytes per target.
   */
  private async pendingInDispatchOrder(campaignId: string): Promise<TargetRecord[]> {
    const pending: TargetRecord[] = [];
    let afterId: string | undefined;
    for (;;) {
      const page = await this.readModels.queries.targets.scanTargets(campaignId, { afterId, limit: BATCH_SIZE, status: 'PENDING' });
      if (page.length === 0) {
        break;
      }
      pending.push(...page);
      afterId = page[page.length - 1].id;
    }
    return pending.sort(inDispatchOrder);
  }

  /** Appends TargetRescheduled with the read model's revisions; a target that moved on since is retried through the decider. */
  private async reschedule(targets: readonly TargetRecord[], instants: readonly string[], context: CommandContext): Promise<number> {
    const results = await this.store.appendToStreams(
      targets.map((target, index) => ({
        streamName: streams.target(target.id),
        events: [
          toNewEvent({ type: 'TargetRescheduled', data: { startDate: instants[index], previousStartDate: target.startDate } }, context),
        ],
        expectedRevision: target.revision,
      })),
    );
    let rescheduled = 0;
    for (const [index, result] of results.entries()) {
      if (!(result instanceof WrongExpectedRevisionError)) {
        rescheduled += 1;
      } else if (await this.rescheduleOne(targets[index].id, instants[index], context)) {
        rescheduled += 1;
      }
    }
    return rescheduled;
  }

  private async rescheduleOne(targetId: string, startDate: string, context: CommandContext): Promise<boolean> {
    try {
      await this.executor.execute(streams.target(targetId), targetDecider, { type: 'RescheduleTarget', startDate }, context);
      return true;
    } catch (error) {
      if (error instanceof DomainError && error.code === 'TARGET.NOT_PENDING') {
        return false;
      }
      throw error;
    }
  }
}

function inDispatchOrder(a: TargetRecord, b: TargetRecord): number {
  if (a.priority !== b.priority) {
    return b.priority - a.priority;
  }
  if (a.startDate !== b.startDate) {
    if (a.startDate === null) return -1;
    if (b.startDate === null) return 1;
    return a.startDate < b.startDate ? -1 : 1;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
