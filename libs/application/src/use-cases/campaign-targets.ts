import { Inject, Injectable } from '@nestjs/common';
import { DomainError, streams, TargetCommand, targetDecider } from '@sms/domain';
import { EventStore } from '@sms/event-store';
import { CommandContext } from '../commands/command-context';
import { CommandExecutor } from '../commands/command-executor';
import { EVENT_STORE } from '../infrastructure/tokens';
import { loadState, withStreamId } from './load-state';

/**
 * Runs a target command after checking that the target belongs to the campaign, so that a
 * campaign's URL never reaches another campaign's target.
 */
@Injectable()
export class CampaignTargets {
  constructor(
    private readonly executor: CommandExecutor,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute(campaignId: string, targetId: string, command: TargetCommand, context: CommandContext, expectedRevision?: number) {
    // A target never changes campaign, so this check cannot be outdated by the time of the append.
    const { state } = await loadState(this.store, streams.target(targetId), targetDecider);
    if (!state.exists || state.campaignId !== campaignId) {
      throw DomainError.notFound('TARGET.NOT_FOUND', 'target', targetId);
    }
    const result = await withStreamId('TARGET.NOT_FOUND', 'target', targetId, () =>
      this.executor.execute(streams.target(targetId), targetDecider, command, context, expectedRevision),
    );
    return { state: result.state, revision: result.revision };
  }
}
