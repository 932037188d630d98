import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  BUILT_IN_PLACEHOLDERS,
  calendarDecider,
  campaignDecider,
  profileDecider,
  CampaignEvent,
  CampaignSettings,
  CampaignState,
  CampaignStatus,
  ChangeCampaignSettings,
  Decider,
  DomainError,
  senderDecider,
  streams,
  TargetLayout,
  templateDecider,
  TemplateState,
  ToggleSource,
} from '@sms/domain';
import { EventStore, WrongExpectedRevisionError } from '@sms/event-store';
import { CommandContext } from '../commands/command-context';
import { CommandExecutor } from '../commands/command-executor';
import { EVENT_STORE } from '../infrastructure/tokens';
import { ReadModels } from '../read-models/read-models.service';
import { loadState, withStreamId } from './load-state';
import { toInstant } from './local-date';
import { countPendingTargetsWithoutValues } from './target-value-gaps';

export class CreateCampaignCommand {
  constructor(
    readonly settings: CampaignSettings,
    readonly context: CommandContext,
  ) {}
}

@CommandHandler(CreateCampaignCommand)
export class CreateCampaignHandler implements ICommandHandler<CreateCampaignCommand, { state: CampaignState; revision: number }> {
  constructor(
    private readonly executor: CommandExecutor,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ settings, context }: CreateCampaignCommand) {
    await assertDependencies(this.store, settings);
    const id = randomUUID();
    const result = await this.executor.execute(
      streams.campaign(id),
      campaignDecider,
      { type: 'CreateCampaign', id, settings },
      context,
      'no_stream',
    );
    return { state: result.state, revision: result.revision };
  }
}

export class ToggleCampaignStatusCommand {
  constructor(
    readonly campaignId: string,
    readonly status: CampaignStatus,
    readonly carryOnSession: boolean,
    readonly source: ToggleSource,
    readonly context: CommandContext,
    readonly expectedRevision?: number,
  ) {}
}

@CommandHandler(ToggleCampaignStatusCommand)
export class ToggleCampaignStatusHandler implements ICommandHandler<
  ToggleCampaignStatusCommand,
  { status: CampaignStatus; sessionId: string | null; revision: number }
> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute(command: ToggleCampaignStatusCommand) {
    const { campaignId, status, carryOnSession, source, context, expectedRevision } = command;
    const toggle = { type: 'ToggleStatus' as const, status, carryOnSession, newSessionId: randomUUID(), source };
    const result = await withStreamId('CAMPAIGN.NOT_FOUND', 'campaign', campaignId, () =>
      this.executor.execute(streams.campaign(campaignId), campaignDecider, toggle, context, expectedRevision),
    );
    if (!result.state.exists) {
      throw DomainError.notFound('CAMPAIGN.NOT_FOUND', 'campaign', campaignId);
    }
    return { status: result.state.status, sessionId: result.state.sessionId, revision: result.revision };
  }
}

/**
 * Checks that the sender, template and calendar named exist, reading their streams rather than a
 * read model that may lag behind.
 */
async function assertDependencies(
  store: EventStore,
  settings: Partial<Pick<CampaignSettings, 'senderId' | 'templateId' | 'calendarId'>>,
): Promise<void> {
  if (settings.senderId !== undefined && !(await loadState(store, streams.sender(settings.senderId), senderDecider)).state.exists) {
    throw DomainError.invalid('CAMPAIGN.UNKNOWN_SENDER', 'senderId', settings.senderId, 'is not the id of a sender (POST /senders)');
  }
  if (settings.templateId !== undefined && !(await loadState(store, streams.template(settings.templateId), templateDecider)).state.exists) {
    throw DomainError.invalid(
      'CAMPAIGN.UNKNOWN_TEMPLATE',
      'templateId',
      settings.templateId,
      'is not the id of a template (POST /templates)',
    );
  }
  const calendarId = settings.calendarId ?? null;
  if (calendarId !== null && !(await loadState(store, streams.calendar(calendarId), calendarDecider)).state.exists) {
    throw DomainError.invalid('CAMPAIGN.UNKNOWN_CALENDAR', 'calendarId', calendarId, 'is not the id of a calendar (POST /calendars)');
  }
}

export class ChangeCampaignSettingsCommand {
  constructor(
    readonly campaignId: string,
    readonly changes: Partial<CampaignSettings>,
    readonly context: CommandContext,
    readonly expectedRevision?: number,
    /**
     * A new end date as the request gave it, ISO-8601 with or without an offset. A local one is
     * read in the time zone that `changes` sets, else in the campaign's own.
     */
    readonly endDate?: string,
  ) {}
}

@CommandHandler(ChangeCampaignSettingsCommand)
export class ChangeCampaignSettingsHandler implements ICommandHandler<
  ChangeCampaignSettingsCommand,
  { state: CampaignState; revision: number }
> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly readModels: ReadModels,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ campaignId, changes, context, expectedRevision, endDate }: ChangeCampaignSettingsCommand) {
    const campaign = await requireCampaign(this.store, campaignId, expectedRevision);
    await assertDependencies(this.store, changes);
    const templateChanges = changes.templateId !== undefined && changes.templateId !== campaign.settings.templateId;
    const templatePlaceholders = changes.templateId === undefined ? undefined : await placeholdersOf(this.store, changes.templateId);
    const unfilledPlaceholders =
      templateChanges && templatePlaceholders !== undefined
        ? await this.countUnfilled(campaignId, campaign.settings.templateId, templatePlaceholders)
        : undefined;
    const command = { type: 'ChangeCampaignSettings' as const, changes, templatePlaceholders, unfilledPlaceholders };
    const decider = endDate === undefined ? campaignDecider : withEndDateInCampaignZone(endDate, context.now);
    const result = await withStreamId('CAMPAIGN.NOT_FOUND', 'campaign', campaignId, () =>
      this.executor.execute(streams.campaign(campaignId), decider, command, context, expectedRevision),
    );
    return { state: result.state, revision: result.revision };
  }

  /**
   * Counts the pending targets without a value for each placeholder that the new template adds to
   * the current one. Targets were checked against the current template's placeholders when added,
   * so a new template with no other placeholder needs no scan.
   */
  private async countUnfilled(campaignId: string, currentTemplateId: string, placeholders: readonly string[]) {
    const current = await placeholdersOf(this.store, currentTemplateId);
    const added = placeholders.filter((key) => !current.includes(key) && !BUILT_IN_PLACEHOLDERS.includes(key));
    return countPendingTargetsWithoutValues(this.readModels, campaignId, added);
  }
}

/**
 * Wraps the campaign decider so that it reads `endDate` in the time zone of the state it decides
 * on. A campaign that the read models do not show yet thus takes a local end date, and a retry
 * after a concurrent change reads the zone again. A campaign that does not exist still gets the
 * decider's NOT_FOUND.
 */
function withEndDateInCampaignZone(endDate: string, now: string): Decider<CampaignState, ChangeCampaignSettings, CampaignEvent> {
  return {
    initialState: campaignDecider.initialState,
    evolve: campaignDecider.evolve,
    decide: (command, state) => {
      if (!state.exists) {
        return campaignDecider.decide(command, state);
      }
      const timeZone = command.changes.timeZone ?? state.settings.timeZone;
      const changes = { ...command.changes, endDate: readEndDate(endDate, timeZone, now) };
      return campaignDecider.decide({ ...command, changes }, state);
    },
  };
}

/** Reads an end date in `timeZone` when it has no offset, and rejects one that is not after `now`. */
export function readEndDate(value: string, timeZone: string, now: string): string {
  const instant = toInstant('endDate', value, timeZone);
  if (Date.parse(instant) <= Date.parse(now)) {
    throw DomainError.invalid('CAMPAIGN.END_DATE_IN_PAST', 'endDate', value, 'must be in the future');
  }
  return instant;
}

export class DeleteCampaignCommand {
  constructor(
    readonly campaignId: string,
    readonly context: CommandContext,
    readonly expectedRevision?: number,
  ) {}
}

@CommandHandler(DeleteCampaignCommand)
export class DeleteCampaignHandler implements ICommandHandler<DeleteCampaignCommand, void> {
  constructor(private readonly executor: CommandExecutor) {}

  async execute({ campaignId, context, expectedRevision }: DeleteCampaignCommand): Promise<void> {
    await withStreamId('CAMPAIGN.NOT_FOUND', 'campaign', campaignId, () =>
      this.executor.execute(streams.campaign(campaignId), campaignDecider, { type: 'DeleteCampaign' }, context, expectedRevision),
    );
  }
}

export class AssignCampaignProfilesCommand {
  constructor(
    readonly campaignId: string,
    readonly profileIds: string[],
    readonly context: CommandContext,
    readonly expectedRevision?: number,
  ) {}
}

@CommandHandler(AssignCampaignProfilesCommand)
export class AssignCampaignProfilesHandler implements ICommandHandler<
  AssignCampaignProfilesCommand,
  { state: CampaignState; revision: number }
> {
  constructor(
    private readonly executor: CommandExecutor,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ campaignId, profileIds, context, expectedRevision }: AssignCampaignProfilesCommand) {
    await requireCampaign(this.store, campaignId, expectedRevision);
    for (const [index, profileId] of profileIds.entries()) {
      if (!(await loadState(this.store, streams.profile(profileId), profileDecider)).state.exists) {
        throw DomainError.invalid(
          'CAMPAIGN.UNKNOWN_PROFILE',
          `profileIds[${index}]`,
          profileId,
          'is not the id of a profile (POST /profiles)',
        );
      }
    }
    const command = { type: 'AssignCampaignProfiles' as const, profileIds };
    const result = await withStreamId('CAMPAIGN.NOT_FOUND', 'campaign', campaignId, () =>
      this.executor.execute(streams.campaign(campaignId), campaignDecider, command, context, expectedRevision),
    );
    return { state: result.state, revision: result.revision };
  }
}

export class DefineTargetLayoutsCommand {
  constructor(
    readonly campaignId: string,
    readonly layouts: TargetLayout[],
    readonly context: CommandContext,
    readonly expectedRevision?: number,
  ) {}
}

/** Replaces a campaign's target layouts; each must define every placeholder of the campaign's template. */
@CommandHandler(DefineTargetLayoutsCommand)
export class DefineTargetLayoutsHandler implements ICommandHandler<DefineTargetLayoutsCommand, { state: CampaignState; revision: number }> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly readModels: ReadModels,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ campaignId, layouts, context, expectedRevision }: DefineTargetLayoutsCommand) {
    const state = await requireCampaign(this.store, campaignId, expectedRevision);
    const inUse = (await this.readModels.queries.targets.pendingLayoutNames(campaignId)).filter(
      (name) => state.layouts.some((layout) => layout.name === name) && !layouts.some((layout) => layout.name === name),
    );
    if (inUse.length > 0) {
      throw DomainError.conflict(
        'CAMPAIGN.LAYOUT_IN_USE',
        `layouts ${inUse.map((name) => `'${name}'`).join(', ')} are used by pending targets of campaign '${campaignId}': keep them, or remove or empty those targets first`,
      );
    }
    const templatePlaceholders = await placeholdersOf(this.store, state.settings.templateId);
    const command = { type: 'DefineTargetLayouts' as const, layouts, templatePlaceholders };
    const result = await withStreamId('CAMPAIGN.NOT_FOUND', 'campaign', campaignId, () =>
      this.executor.execute(streams.campaign(campaignId), campaignDecider, command, context, expectedRevision),
    );
    return { state: result.state, revision: result.revision };
  }
}

/** Placeholders of a template, read from its stream; none when it does not exist. */
export async function placeholdersOf(store: EventStore, templateId: string): Promise<string[]> {
  return (await loadTemplate(store, templateId))?.placeholders ?? [];
}

/** Loads a template from its stream, or returns undefined when it does not exist. */
export async function loadTemplate(store: EventStore, templateId: string): Promise<Extract<TemplateState, { exists: true }> | undefined> {
  const { state } = await loadState(store, streams.template(templateId), templateDecider);
  return state.exists ? state : undefined;
}

/**
 * Loads the campaign from its stream. Throws a 404 error when it does not exist, then a revision
 * mismatch (412) when `expectedRevision` is given and the stream moved on. Handlers that look up
 * other streams or read models call it first, so that a stale `If-Match` fails with 412 before
 * any of those lookups or a rule of the decider can fail with 400 or 409.
 */
export async function requireCampaign(store: EventStore, campaignId: string, expectedRevision?: number) {
  const { state, revision } = await loadState(store, streams.campaign(campaignId), campaignDecider);
  if (!state.exists) {
    throw DomainError.notFound('CAMPAIGN.NOT_FOUND', 'campaign', campaignId);
  }
  if (expectedRevision !== undefined && expectedRevision !== revision) {
    throw new WrongExpectedRevisionError(streams.campaign(campaignId), expectedRevision, revision);
  }
  return state;
}
