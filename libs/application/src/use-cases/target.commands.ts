import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { campaignDecider, DomainError, normalisePhoneNumber, streams, TargetLayoutValues } from '@sms/domain';
import { EventStore } from '@sms/event-store';
import { CommandContext } from '../commands/command-context';
import { EVENT_STORE } from '../infrastructure/tokens';
import { loadState } from './load-state';
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
