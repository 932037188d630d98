import { Inject, Injectable } from '@nestjs/common';
import { campaignDecider, CampaignEvent, DomainError, evolveTarget, streams, TargetEvent, TargetState, TargetStatus } from '@sms/domain';
import { EventStore, RecordedEvent } from '@sms/event-store';
import { countStatuses } from '@sms/read-models';
import { EVENT_STORE } from '../infrastructure/tokens';
import { ReadModels } from '../read-models/read-models.service';

/** Target streams read per round trip when the counts are rebuilt. */
const TARGETS_PER_READ = 500;

/**
 * A campaign as it stood at an instant, rebuilt from its events and its targets' events. An
 * event belongs to the past of `at` when it was decided at or before `at`: the instant that the
 * history shows as `at` too.
 */
@Injectable()
export class CampaignAsOf {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModels: ReadModels,
  ) {}

  async stateAt(campaignId: string, at: Date) {
    const events = (await this.store.readStream(streams.campaign(campaignId))).filter((event) => decidedBy(event, at));
    const state = events.reduce(
      (current, event) => campaignDecider.evolve(current, event as unknown as CampaignEvent),
      campaignDecider.initialState(),
    );
    if (!state.exists) {
      // Only a deletion ends a campaign, so the last event at or before `at` is the CampaignDeleted.
      const reason =
        events.length === 0
          ? `did not exist yet at ${at.toISOString()}`
          : `was deleted at ${events[events.length - 1].metadata.decidedAt}, so it did not exist at ${at.toISOString()}`;
      throw new DomainError('CAMPAIGN.NOT_FOUND_AT', 'NOT_FOUND', `campaign '${campaignId}' ${reason}`);
    }
    return {
      id: state.id,
      at: at.toISOString(),
      revision: events[events.length - 1].revision,
      ...state.settings,
      status: state.status,
      sessionId: state.sessionId,
      profileIds: state.profileIds,
      layouts: state.layouts,
      counts: countStatuses(await this.targetStatusesAt(campaignId, at)),
    };
  }

  /**
   * Status at `at` of every target that existed then. The read model lists the campaign's targets;
   * their streams are folded up to `at`, so a target added later counts nowhere.
   */
  private async targetStatusesAt(campaignId: string, at: Date): Promise<TargetStatus[]> {
    const statuses: TargetStatus[] = [];
    let afterId: string | undefined;
    for (;;) {
      const targets = await this.readModels.queries.targets.scanTargets(campaignId, { afterId, limit: TARGETS_PER_READ });
      if (targets.length === 0) {
        return statuses;
      }
      afterId = targets[targets.length - 1].id;
      const events = await this.store.readStreams(targets.map((target) => streams.target(target.id)));
      const states = new Map<string, TargetState>();
      for (const event of events) {
        if (decidedBy(event, at)) {
          const current = states.get(event.streamName) ?? { exists: false };
          states.set(event.streamName, evolveTarget(current, event as unknown as TargetEvent));
        }
      }
      for (const state of states.values()) {
        if (state.exists) statuses.push(state.status);
      }
    }
  }
}

function decidedBy(event: RecordedEvent, at: Date): boolean {
  return Date.parse(event.metadata.decidedAt) <= at.getTime();
}
