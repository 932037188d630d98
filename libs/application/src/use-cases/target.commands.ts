import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  assertNoViolations,
  campaignDecider,
  DomainError,
  layoutValueViolations,
  normalisePhoneNumber,
  streams,
  targetDecider,
  TargetLayoutValues,
  TargetState,
} from '@sms/domain';
import { EventStore } from '@sms/event-store';
import { CommandContext } from '../commands/command-context';
import { CommandExecutor } from '../commands/command-executor';
import { EVENT_STORE } from '../infrastructure/tokens';
import { loadState, withStreamId } from './load-state';
import { toInstant } from './local-date';
import { AddOutcome, TargetWriter } from './target-writer';

export interface AddTargetInput {
  readonly phoneNumber: string;
  readonly startDate?: string;
  readonly priority?: number;
  readonly insertIfDuplicate?: boolean;
  readonly timeZone?: string;
  readonly layout?: TargetLayoutValues;
}

export class AddTargetCommand {
  constructor(
    readonly campaignId: string,
    readonly input: AddTargetInput,
    readonly defaultCountry: string,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(AddTargetCommand)
export class AddTargetHandler implements ICommandHandler<AddTargetCommand, AddOutcome> {
  constructor(
    private readonly writer: TargetWriter,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ campaignId, input, defaultCountry, context }: AddTargetCommand): Promise<AddOutcome> {
    const campaign = await requireCampaign(this.store, campaignId);
    if (input.layout !== undefined) {
      assertNoViolations('TARGET.INVALID_LAYOUT', layoutValueViolations(campaign.layouts, input.layout));
    }
    const phone = normalisePhoneNumber(input.phoneNumber, defaultCountry);
    if (!phone.ok) {
      throw DomainError.invalid('TARGET.INVALID_PHONE_NUMBER', 'phoneNumber', input.phoneNumber, phone.rule);
    }
    const timeZone = input.timeZone ?? campaign.settings.timeZone;
    const [outcome] = await this.writer.addMany(
      [
        {
          campaignId,
          phoneNumber: phone.e164,
          startDate: input.startDate === undefined ? null : toInstant('startDate', input.startDate, timeZone),
          priority: input.priority ?? 5,
          timeZone: input.timeZone ?? null,
          layout: input.layout ?? null,
          importId: null,
          insertIfDuplicate: input.insertIfDuplicate ?? false,
        },
      ],
      context,
    );
    return outcome;
  }
}

/** Loads the campaign from its stream; throws a 404 error when it does not exist. */
export async function requireCampaign(store: EventStore, campaignId: string) {
  const { state } = await loadState(store, streams.campaign(campaignId), campaignDecider);
  if (!state.exists) {
    throw DomainError.notFound('CAMPAIGN.NOT_FOUND', 'campaign', campaignId);
  }
  return state;
}

export class RemoveTargetCommand {
  constructor(
    readonly campaignId: string,
    readonly targetId: string,
    readonly context: CommandContext,
    readonly expectedRevision?: number,
  ) {}
}

/** Cancels one pending target of a campaign; 409 once an attempt has started. */
@CommandHandler(RemoveTargetCommand)
export class RemoveTargetHandler implements ICommandHandler<RemoveTargetCommand, { state: TargetState; revision: number }> {
  constructor(
    private readonly executor: CommandExecutor,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ campaignId, targetId, context, expectedRevision }: RemoveTargetCommand) {
    // A target never changes campaign, so this check cannot be outdated by the time of the append.
    const { state } = await loadState(this.store, streams.target(targetId), targetDecider);
    if (!state.exists || state.campaignId !== campaignId) {
      throw DomainError.notFound('TARGET.NOT_FOUND', 'target', targetId);
    }
    const command = { type: 'RemoveTarget' as const, reason: 'REMOVED' as const, now: context.now };
    const result = await withStreamId('TARGET.NOT_FOUND', 'target', targetId, () =>
      this.executor.execute(streams.target(targetId), targetDecider, command, context, expectedRevision),
    );
    return { state: result.state, revision: result.revision };
  }
}
