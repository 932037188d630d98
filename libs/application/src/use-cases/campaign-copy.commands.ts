import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { campaignDecider, CampaignSettings, streams } from '@sms/domain';
import { EventStore } from '@sms/event-store';
import { CommandContext } from '../commands/command-context';
import { CommandExecutor } from '../commands/command-executor';
import { EVENT_STORE } from '../infrastructure/tokens';
import { requireCampaign } from './target.commands';
import { TargetCopier } from './target-copier';
const NAME_MAX_LENGTH = 200;
const COPY_SUFFIX = ' (copy)';

export interface CampaignCopyOverrides {
  readonly name?: string;
  readonly reference?: string;
  readonly alias?: string;
}

export class DuplicateCampaignCommand {
  constructor(
    readonly sourceId: string,
    readonly overrides: CampaignCopyOverrides,
    readonly withTargets: boolean,
    readonly context: CommandContext,
    /** The source campaign's revision the caller saw (If-Match). */
    readonly expectedRevision?: number,
  ) {}
}

export interface DuplicateCampaignResult {
  readonly id: string;
  readonly revision: number;
  /** The import that copies the targets in the background, when they are copied. */
  readonly importId: string | null;
}

/**
 * Creates an OFF copy of a campaign: its settings, target layouts and profiles, under a new name
 * unless one is given. An end date already past is dropped, since it would expire every target.
 * With targets, the copy's targets are added in the background as an import of source `campaign`.
 */
@CommandHandler(DuplicateCampaignCommand)
export class DuplicateCampaignHandler implements ICommandHandler<DuplicateCampaignCommand, DuplicateCampaignResult> {
  constructor(
    private readonly executor: CommandExecutor,
    private readonly copier: TargetCopier,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({
    sourceId,
    overrides,
    withTargets,
    context,
    expectedRevision,
  }: DuplicateCampaignCommand): Promise<DuplicateCampaignResult> {
    const source = await requireCampaign(this.store, sourceId, expectedRevision);
    const id = randomUUID();
    const settings = copiedSettings(source.settings, overrides, context.now);
    const command = {
      type: 'CreateCampaign' as const,
      id,
      settings,
      copiedFrom: sourceId,
      layouts: source.layouts,
      profileIds: source.profileIds,
    };
    const result = await this.executor.execute(streams.campaign(id), campaignDecider, command, context, 'no_stream');
    const importId = withTargets ? await this.copier.start(sourceId, id, context) : null;
    return { id, revision: result.revision, importId };
  }
}

function copiedSettings(settings: CampaignSettings, overrides: CampaignCopyOverrides, now: string): CampaignSettings {
  const name = overrides.name ?? `${settings.name.slice(0, NAME_MAX_LENGTH - COPY_SUFFIX.length)}${COPY_SUFFIX}`;
  const endDate = settings.endDate !== null && Date.parse(settings.endDate) > Date.parse(now) ? settings.endDate : null;
  return {
    ...settings,
    name,
    reference: overrides.reference ?? settings.reference,
    alias: overrides.alias ?? settings.alias,
    endDate,
    tags: [...settings.tags],
  };
}
