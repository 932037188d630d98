import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  assertNoViolations,
  DomainError,
  layoutValueViolations,
  messageLengthCheck,
  missingValueViolations,
  normalisePhoneNumber,
  streams,
  TargetAdded,
  TargetLayoutValues,
  TargetState,
} from '@sms/domain';
import { EventStore, SubjectKeys } from '@sms/event-store';
import { CommandContext } from '../commands/command-context';
import { EVENT_STORE, SUBJECT_KEYS } from '../infrastructure/tokens';
import { CampaignTargets } from './campaign-targets';
import { loadTemplate, requireCampaign } from './campaign.commands';
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
    if (input.layout !== undefined) {
      assertNoViolations('TARGET.INVALID_LAYOUT', layoutValueViolations(campaign.layouts, input.layout));
    }
    const template = await loadTemplate(this.store, campaign.settings.templateId);
    assertNoViolations(
      'TARGET.MISSING_VALUES',
      missingValueViolations(template?.placeholders ?? [], input.layout, campaign.settings.templateId),
    );
    if (template !== undefined && input.layout !== undefined) {
      assertNoViolations('TARGET.MESSAGE_TOO_LONG', messageLengthCheck(template)(input.layout.values, phone.e164));
    }
    const [outcome] = await this.writer.addMany(
      [
        {
          campaignId,
          phoneNumber: phone.e164,
          startDate: input.startDate === undefined ? null : toInstant('startDate', input.startDate, campaign.settings.timeZone),
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

// Re-exported for the import runner and the copy and empty commands, which import it from here.
export { requireCampaign };

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
  constructor(private readonly targets: CampaignTargets) {}

  execute({ campaignId, targetId, context, expectedRevision }: RemoveTargetCommand) {
    const command = { type: 'RemoveTarget' as const, reason: 'REMOVED' as const, now: context.now };
    return this.targets.execute(campaignId, targetId, command, context, expectedRevision);
  }
}

export class RescheduleTargetCommand {
  constructor(
    readonly campaignId: string,
    readonly targetId: string,
    /** ISO-8601; a local date-time is read in the campaign's time zone. Null sends as soon as the campaign runs. */
    readonly startDate: string | null,
    readonly context: CommandContext,
    readonly expectedRevision?: number,
  ) {}
}

/** Moves a pending target's start date; 409 once an attempt has started. */
@CommandHandler(RescheduleTargetCommand)
export class RescheduleTargetHandler implements ICommandHandler<RescheduleTargetCommand, { state: TargetState; revision: number }> {
  constructor(
    private readonly targets: CampaignTargets,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ campaignId, targetId, startDate, context, expectedRevision }: RescheduleTargetCommand) {
    const campaign = await requireCampaign(this.store, campaignId);
    const instant = startDate === null ? null : toInstant('startDate', startDate, campaign.settings.timeZone);
    return this.targets.execute(campaignId, targetId, { type: 'RescheduleTarget', startDate: instant }, context, expectedRevision);
  }
}

export class DeleteTargetCommand {
  constructor(
    readonly campaignId: string,
    readonly targetId: string,
    readonly context: CommandContext,
    readonly expectedRevision?: number,
  ) {}
}

/**
 * Erases a target's personal data, cancelling it if it is pending; 409 while an attempt is in
 * progress. TargetDeleted blanks the read models; deleting the target's key then makes its number
 * and layout values unreadable in the events. The key goes only once TargetDeleted is stored, and
 * a repeated delete deletes it again, so a crash in between is repaired by deleting once more.
 */
@CommandHandler(DeleteTargetCommand)
export class DeleteTargetHandler implements ICommandHandler<DeleteTargetCommand, { state: TargetState; revision: number }> {
  constructor(
    private readonly targets: CampaignTargets,
    @Inject(SUBJECT_KEYS) private readonly keys: SubjectKeys,
  ) {}

  async execute({ campaignId, targetId, context, expectedRevision }: DeleteTargetCommand) {
    const result = await this.targets.execute(campaignId, targetId, { type: 'DeleteTarget', now: context.now }, context, expectedRevision);
    await this.keys.erase([streams.target(targetId)]);
    return result;
  }
}

export class DuplicateTargetCommand {
  constructor(
    readonly campaignId: string,
    readonly targetId: string,
    readonly context: CommandContext,
  ) {}
}

/** Adds a new PENDING target with the number, start date, priority, time zone and layout values of another. */
@CommandHandler(DuplicateTargetCommand)
export class DuplicateTargetHandler implements ICommandHandler<DuplicateTargetCommand, { targetId: string }> {
  constructor(
    private readonly writer: TargetWriter,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ campaignId, targetId, context }: DuplicateTargetCommand): Promise<{ targetId: string }> {
    const events = await this.store.readStream(streams.target(targetId));
    const added = events.find((event) => event.type === 'TargetAdded')?.data as TargetAdded['data'] | undefined;
    if (added === undefined || added.campaignId !== campaignId) {
      throw DomainError.notFound('TARGET.NOT_FOUND', 'target', targetId);
    }
    if (events.some((event) => event.type === 'TargetDeleted')) {
      throw DomainError.conflict('TARGET.ERASED', `target '${targetId}' was deleted and its number erased: there is nothing to duplicate`);
    }
    const { targetId: _, importId: __, ...copy } = added;
    const [outcome] = await this.writer.addMany([{ ...copy, importId: null, insertIfDuplicate: true }], context);
    if (!outcome.added) {
      throw new Error(`a duplicate target got an id already in use: ${outcome.duplicateOf}`);
    }
    return { targetId: outcome.targetId };
  }
}
