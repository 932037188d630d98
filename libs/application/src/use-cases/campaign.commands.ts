import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  calendarDecider,
  campaignDecider,
  CampaignSettings,
  CampaignState,
  CampaignStatus,
  DomainError,
  senderDecider,
  streams,
  templateDecider,
  ToggleSource,
} from '@sms/domain';
import { EventStore } from '@sms/event-store';
import { CommandContext } from '../commands/command-context';
import { CommandExecutor } from '../commands/command-executor';
import { EVENT_STORE } from '../infrastructure/tokens';
import { loadState } from './load-state';

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
    await this.assertDependencies(settings);
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

  /** Sender and template are read from their streams, not from a read model that may lag behind. */
  private async assertDependencies(settings: CampaignSettings): Promise<void> {
    const sender = await loadState(this.store, streams.sender(settings.senderId), senderDecider);
    if (!sender.state.exists) {
      throw DomainError.invalid('CAMPAIGN.UNKNOWN_SENDER', 'senderId', settings.senderId, 'is not the id of a sender (POST /senders)');
    }
    if (settings.calendarId !== null) {
      const calendar = await loadState(this.store, streams.calendar(settings.calendarId), calendarDecider);
      if (!calendar.state.exists) {
        throw DomainError.invalid(
          'CAMPAIGN.UNKNOWN_CALENDAR',
          'calendarId',
          settings.calendarId,
          'is not the id of a calendar (POST /calendars)',
        );
      }
    }
    const template = await loadState(this.store, streams.template(settings.templateId), templateDecider);
    if (!template.state.exists) {
      throw DomainError.invalid(
        'CAMPAIGN.UNKNOWN_TEMPLATE',
        'templateId',
        settings.templateId,
        'is not the id of a template (POST /templates)',
      );
    }
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
    try {
      const result = await this.executor.execute(streams.campaign(campaignId), campaignDecider, toggle, context, expectedRevision);
      if (!result.state.exists) {
        throw DomainError.notFound('CAMPAIGN.NOT_FOUND', 'campaign', campaignId);
      }
      return { status: result.state.status, sessionId: result.state.sessionId, revision: result.revision };
    } catch (error) {
      if (error instanceof DomainError && error.code === 'CAMPAIGN.NOT_FOUND') {
        throw DomainError.notFound('CAMPAIGN.NOT_FOUND', 'campaign', campaignId);
      }
      throw error;
    }
  }
}
