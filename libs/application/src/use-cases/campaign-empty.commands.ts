import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { campaignDecider, DomainError, streams, targetDecider } from '@sms/domain';
import { EventStore, WrongExpectedRevisionError } from '@sms/event-store';
import { CommandContext } from '../commands/command-context';
import { CommandExecutor } from '../commands/command-executor';
import { toNewEvent } from '../commands/to-new-event';
import { EVENT_STORE } from '../infrastructure/tokens';
import { ReadModels } from '../read-models/read-models.service';
import { requireCampaign } from './target.commands';

/** Pending targets read and cancelled per batch. */
const EMPTY_BATCH_SIZE = 1_000;

export class EmptyCampaignCommand {
  constructor(
    readonly campaignId: string,
    readonly context: CommandContext,
    /** The campaign's revision the caller saw (If-Match); checked before anything is cancelled. */
    readonly expectedRevision?: number,
  ) {}
}

/**
 * Cancels every pending target of a campaign, then records CampaignEmptied with their number
 * when there was any.
 *
 * Each batch appends TargetRemoved with the revision the read model shows, so a target claimed by
 * the scheduler in the meantime is not touched. Those that fail that check are retried one by one
 * through the decider, which cancels them only if they are still pending.
 */
@CommandHandler(EmptyCampaignCommand)
export class EmptyCampaignHandler implements ICommandHandler<EmptyCampaignCommand, { removed: number }> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly readModels: ReadModels,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ campaignId, context, expectedRevision }: EmptyCampaignCommand): Promise<{ removed: number }> {
    await requireCampaign(this.store, campaignId, expectedRevision);
    let removed = 0;
    let afterId: string | undefined;
    for (;;) {
      const pending = await this.readModels.queries.targets.scanTargets(campaignId, {
        afterId,
        limit: EMPTY_BATCH_SIZE,
        status: 'PENDING',
      });
      if (pending.length === 0) {
        break;
      }
      afterId = pending[pending.length - 1].id;
      removed += await this.cancelBatch(pending, context);
    }
    if (removed > 0) {
      await this.executor.execute(streams.campaign(campaignId), campaignDecider, { type: 'RecordCampaignEmptied', removed }, context);
    }
    return { removed };
  }

  private async cancelBatch(targets: ReadonlyArray<{ id: string; revision: number }>, context: CommandContext): Promise<number> {
    const event = { type: 'TargetRemoved' as const, data: { reason: 'CAMPAIGN_EMPTIED' as const, at: context.now } };
    const results = await this.store.appendToStreams(
      targets.map((target) => ({
        streamName: streams.target(target.id),
        events: [toNewEvent(event, context)],
        expectedRevision: target.revision,
      })),
    );
    let removed = results.filter((result) => !(result instanceof WrongExpectedRevisionError)).length;
    for (const [index, result] of results.entries()) {
      if (result instanceof WrongExpectedRevisionError && (await this.cancelOne(targets[index].id, context))) {
        removed += 1;
      }
    }
    return removed;
  }

  /** Cancels a target whose revision moved on since the read model saw it; false when it is no longer pending. */
  private async cancelOne(targetId: string, context: CommandContext): Promise<boolean> {
    try {
      const command = { type: 'RemoveTarget' as const, reason: 'CAMPAIGN_EMPTIED' as const, now: context.now };
      const result = await this.executor.execute(streams.target(targetId), targetDecider, command, context);
      return result.events.length > 0;
    } catch (error) {
      if (error instanceof DomainError && error.code === 'TARGET.NOT_PENDING') {
        return false;
      }
      throw error;
    }
  }
}
