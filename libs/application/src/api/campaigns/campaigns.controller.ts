import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CampaignSettings, CampaignState, DomainError, streams } from '@sms/domain';
import { EventStore } from '@sms/event-store';
import type { Response } from 'express';
import { CommandContext } from '../../commands/command-context';
import { EVENT_STORE } from '../../infrastructure/tokens';
import { ReadModels } from '../../read-models/read-models.service';
import { CampaignAsOf } from '../../use-cases/campaign-as-of';
import { DuplicateCampaignCommand, DuplicateCampaignResult } from '../../use-cases/campaign-copy.commands';
import { EmptyCampaignCommand } from '../../use-cases/campaign-empty.commands';
import {
  AssignCampaignProfilesCommand,
  ChangeCampaignSettingsCommand,
  CreateCampaignCommand,
  DefineTargetLayoutsCommand,
  DeleteCampaignCommand,
  readEndDate,
  ToggleCampaignStatusCommand,
} from '../../use-cases/campaign.commands';
import { toInstant } from '../../use-cases/local-date';
import { Roles } from '../auth/roles';
import { notFound } from '../not-found';
import { parseIfMatch } from '../if-match';
import { PageQuery } from '../paging';
import { RequestContext } from '../request-context';
import {
  AsOfQuery,
  CampaignListQuery,
  CreateCampaignBody,
  DuplicateCampaignBody,
  LayoutsBody,
  ProfileIdsBody,
  TagsBody,
  ToggleStatusBody,
  UpdateCampaignBody,
} from './campaign.dto';

@ApiTags('campaigns')
@ApiBearerAuth()
@Roles('maker')
@Controller('campaigns')
export class CampaignsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly readModels: ReadModels,
    private readonly asOf: CampaignAsOf,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Post()
  @HttpCode(201)
  async create(
    @Body() body: CreateCampaignBody,
    @RequestContext('maker') context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { state, revision } = await this.commands.execute<CreateCampaignCommand, { state: CampaignState; revision: number }>(
      new CreateCampaignCommand(toSettings(body, context.now), context),
    );
    response.setHeader('ETag', `"${revision}"`);
    return state.exists ? { id: state.id, status: state.status, sessionId: state.sessionId, ...state.settings } : undefined;
  }

  @Get()
  list(@Query() query: CampaignListQuery) {
    const tags = query.tags
      ?.split(',')
      .map((tag) => tag.trim())
      .filter((tag) => tag !== '');
    return this.readModels.listCampaigns({ search: query.search, tags, status: query.status, page: query.page, pageSize: query.pageSize });
  }

  @Get(':id')
  async get(@Param('id') id: string, @Res({ passthrough: true }) response: Response) {
    const campaign = (await this.readModels.getCampaign(id)) ?? notFound('CAMPAIGN.NOT_FOUND', 'campaign', id);
    response.setHeader('ETag', `"${campaign.revision}"`);
    return campaign;
  }

  /**
   * Changes the settings given; `If-Match` makes it fail with 412 if the campaign changed since it
   * was read. A local `endDate` is read in the time zone that the campaign's event stream records.
   */
  @Patch(':id')
  async update(
    @Param('id') id: string,
    @Body() body: UpdateCampaignBody,
    @Headers('if-match') ifMatch: string | undefined,
    @RequestContext('maker') context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const endDate = typeof body.endDate === 'string' ? body.endDate : undefined;
    return this.changeSettings(id, toSettingChanges(body), ifMatch, context, response, endDate);
  }

  @Put(':id/tags')
  async setTags(
    @Param('id') id: string,
    @Body() body: TagsBody,
    @Headers('if-match') ifMatch: string | undefined,
    @RequestContext('maker') context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    return this.changeSettings(id, { tags: uniqueTags(body.tags) }, ifMatch, context, response);
  }

  /** Replaces the profiles the campaign is assigned to; each must exist. */
  @Put(':id/profiles')
  async assignProfiles(
    @Param('id') id: string,
    @Body() body: ProfileIdsBody,
    @Headers('if-match') ifMatch: string | undefined,
    @RequestContext('maker') context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { state, revision } = await this.commands.execute<AssignCampaignProfilesCommand, { state: CampaignState; revision: number }>(
      new AssignCampaignProfilesCommand(id, body.profileIds, context, parseIfMatch(ifMatch)),
    );
    response.setHeader('ETag', `"${revision}"`);
    return state.exists ? { id: state.id, profileIds: state.profileIds } : undefined;
  }

  /** Replaces the campaign's target layouts. 400 when a layout lacks a placeholder of the campaign's template. */
  @Put(':id/layouts')
  async defineLayouts(
    @Param('id') id: string,
    @Body() body: LayoutsBody,
    @Headers('if-match') ifMatch: string | undefined,
    @RequestContext('maker') context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const layouts = body.layouts.map((layout) => ({
      name: layout.name,
      fields: layout.fields.map(({ key, label, type }) => ({ key, label, type })),
    }));
    const { state, revision } = await this.commands.execute<DefineTargetLayoutsCommand, { state: CampaignState; revision: number }>(
      new DefineTargetLayoutsCommand(id, layouts, context, parseIfMatch(ifMatch)),
    );
    response.setHeader('ETag', `"${revision}"`);
    return state.exists ? { id: state.id, layouts: state.layouts } : undefined;
  }

  /** An OFF copy of the campaign; with targets, they are copied in the background by the import `importId`. */
  @Post(':id/duplicate')
  @HttpCode(201)
  async duplicate(
    @Param('id') id: string,
    @Body() body: DuplicateCampaignBody,
    @Headers('if-match') ifMatch: string | undefined,
    @RequestContext('maker') context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const overrides = { name: body.name, reference: body.reference, alias: body.alias };
    const result = await this.commands.execute<DuplicateCampaignCommand, DuplicateCampaignResult>(
      new DuplicateCampaignCommand(id, overrides, body.withTargets ?? false, context, parseIfMatch(ifMatch)),
    );
    response.setHeader('ETag', `"${result.revision}"`);
    return result.importId === null ? { id: result.id } : { id: result.id, importId: result.importId };
  }

  /** Cancels every pending target; `removed` counts them. */
  @Post(':id/empty')
  @HttpCode(200)
  empty(@Param('id') id: string, @Headers('if-match') ifMatch: string | undefined, @RequestContext('maker') context: CommandContext) {
    return this.commands.execute<EmptyCampaignCommand, { removed: number }>(new EmptyCampaignCommand(id, context, parseIfMatch(ifMatch)));
  }

  /** Settings, status and counts as they stood at `at`, rebuilt from the events. */
  @Get(':id/as-of')
  @Roles('maker', 'auditor')
  async stateAsOf(@Param('id') id: string, @Query() query: AsOfQuery) {
    const timeZone = (await this.readModels.getCampaign(id))?.timeZone ?? 'UTC';
    return this.asOf.stateAt(id, new Date(toInstant('at', query.at, timeZone)));
  }

  /** Deletes the campaign for good; its history stays readable. 409 while it is ON. */
  @Delete(':id')
  @HttpCode(204)
  async remove(
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @RequestContext('maker') context: CommandContext,
  ) {
    await this.commands.execute(new DeleteCampaignCommand(id, context, parseIfMatch(ifMatch)));
  }

  private async changeSettings(
    id: string,
    changes: Partial<CampaignSettings>,
    ifMatch: string | undefined,
    context: CommandContext,
    response: Response,
    endDate?: string,
  ) {
    const { state, revision } = await this.commands.execute<ChangeCampaignSettingsCommand, { state: CampaignState; revision: number }>(
      new ChangeCampaignSettingsCommand(id, changes, context, parseIfMatch(ifMatch), endDate),
    );
    response.setHeader('ETag', `"${revision}"`);
    return state.exists ? { id: state.id, status: state.status, sessionId: state.sessionId, ...state.settings } : undefined;
  }

  /** Lists every event of the campaign's stream with its actor, oldest first. */
  @Get(':id/history')
  @Roles('maker', 'auditor')
  async history(@Param('id') id: string, @Query() query: PageQuery) {
    const events = await this.store.readStream(streams.campaign(id));
    if (events.length === 0) {
      notFound('CAMPAIGN.NOT_FOUND', 'campaign', id);
    }
    const offset = (query.page - 1) * query.pageSize;
    const items = events.slice(offset, offset + query.pageSize).map((event) => ({
      position: event.position.prepare,
      revision: event.revision,
      type: event.type,
      at: event.metadata.decidedAt,
      actor: event.metadata.actor,
      data: event.data,
    }));
    return { items, total: events.length, page: query.page, pageSize: query.pageSize };
  }

  /** Returns the sender, template, calendar and profiles a campaign uses, as the read models show them. */
  @Get(':id/dependencies')
  async dependencies(@Param('id') id: string) {
    const campaign = (await this.readModels.getCampaign(id)) ?? notFound('CAMPAIGN.NOT_FOUND', 'campaign', id);
    const [sender, template, calendar, profiles] = await Promise.all([
      this.readModels.getSender(campaign.senderId),
      this.readModels.getTemplate(campaign.templateId),
      campaign.calendarId === null ? null : this.readModels.queries.calendars.getCalendar(campaign.calendarId),
      Promise.all(campaign.profileIds.map((profileId) => this.readModels.queries.profiles.getProfile(profileId))),
    ]);
    return {
      sender: sender ?? null,
      template: template ?? null,
      calendar: calendar ?? null,
      profiles: profiles.filter((profile) => profile !== null),
    };
  }

  @Post(':id/status')
  @HttpCode(200)
  async toggle(
    @Param('id') id: string,
    @Body() body: ToggleStatusBody,
    @Headers('if-match') ifMatch: string | undefined,
    @RequestContext('maker') context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const command = new ToggleCampaignStatusCommand(id, body.status, body.carryOnSession ?? true, 'MAKER', context, parseIfMatch(ifMatch));
    const result = await this.commands.execute<ToggleCampaignStatusCommand, { status: string; sessionId: string | null; revision: number }>(
      command,
    );
    response.setHeader('ETag', `"${result.revision}"`);
    return { status: result.status, sessionId: result.sessionId };
  }
}

/** `now` is the request time, against which `endDate` must lie in the future. */
function toSettings(body: CreateCampaignBody, now: string): CampaignSettings {
  const timeZone = body.timeZone ?? 'UTC';
  const endDate = body.endDate === undefined ? null : readEndDate(body.endDate, timeZone, now);
  return {
    name: body.name,
    reference: body.reference,
    alias: body.alias ?? null,
    senderId: body.senderId,
    templateId: body.templateId,
    calendarId: body.calendarId ?? null,
    endDate,
    timeZone,
    language: body.language ?? null,
    refreshSeconds: body.refreshSeconds ?? 60,
    chatFlow: { enabled: body.chatFlow?.enabled ?? false, flowId: body.chatFlow?.flowId ?? null },
    throughputPerSecond: body.throughputPerSecond ?? null,
    maxAttempts: body.maxAttempts ?? 1,
    retryDelaySeconds: body.retryDelaySeconds ?? 300,
    tags: uniqueTags(body.tags ?? []),
  };
}

/** Keeps the first of tags given twice, in their order. */
function uniqueTags(tags: readonly string[]): string[] {
  return [...new Set(tags)];
}

/** Settings a PATCH may clear with null; every other setting must keep a value. */
const CLEARABLE: ReadonlySet<string> = new Set(['alias', 'calendarId', 'endDate', 'language', 'throughputPerSecond']);

/**
 * Converts the settings a PATCH body gives as creation does. Null clears a clearable setting and
 * is rejected for the others. A new end date is left out, because the command handler reads it
 * in the campaign's time zone.
 */
function toSettingChanges(body: UpdateCampaignBody): Partial<CampaignSettings> {
  const changes: Partial<CampaignSettings> = {};
  const { chatFlow, endDate, ...plain } = body;
  for (const [key, value] of Object.entries(body)) {
    if (value === null && !CLEARABLE.has(key)) {
      throw DomainError.invalid('REQUEST.INVALID', key, null, `must not be null; only ${[...CLEARABLE].join(', ')} can be cleared`);
    }
  }
  for (const [key, value] of Object.entries(plain)) {
    if (value !== undefined) Object.assign(changes, { [key]: value });
  }
  if (changes.tags !== undefined) {
    changes.tags = uniqueTags(changes.tags);
  }
  if (chatFlow !== undefined && chatFlow !== null) {
    changes.chatFlow = { enabled: chatFlow.enabled, flowId: chatFlow.flowId ?? null };
  }
  if (endDate === null) {
    changes.endDate = null;
  }
  return changes;
}
