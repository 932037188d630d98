import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@sms/domain';
import type { Response } from 'express';
import { CommandContext } from '../../commands/command-context';
import { ReadModels } from '../../read-models/read-models.service';
import { CalibrateTargetsCommand } from '../../use-cases/calibrate-targets.commands';
import {
  AddTargetCommand,
  DeleteTargetCommand,
  DuplicateTargetCommand,
  RemoveTargetCommand,
  RescheduleTargetCommand,
} from '../../use-cases/target.commands';
import { AddOutcome } from '../../use-cases/target-writer';
import { toInstant } from '../../use-cases/local-date';
import { Roles } from '../auth/roles';
import { readDefaultCountry } from '../default-country';
import { parseIfMatch } from '../if-match';
import { notFound } from '../not-found';
import { RequestContext } from '../request-context';
import { AddTargetBody, AddTargetQuery, CalibrateTargetsBody, RescheduleTargetBody, SendHistoryQuery, TargetListQuery } from './target.dto';

@ApiTags('targets')
@ApiBearerAuth()
@Roles('maker')
@Controller('campaigns/:campaignId/targets')
export class TargetsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly readModels: ReadModels,
  ) {}

  /** 201 with the target, or 200 `{ duplicateOf }` when the number is already in the campaign. */
  @Post()
  async add(
    @Param('campaignId') campaignId: string,
    @Body() body: AddTargetBody,
    @Query() query: AddTargetQuery,
    @RequestContext('maker') context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const outcome = await this.commands.execute<AddTargetCommand, AddOutcome>(
      new AddTargetCommand(campaignId, body, readDefaultCountry(query.defaultCountry), context),
    );
    if (!outcome.added) {
      response.status(200);
      return { duplicateOf: outcome.duplicateOf };
    }
    response.status(201);
    return { id: outcome.targetId, status: 'PENDING' };
  }

  @Get()
  async list(@Param('campaignId') campaignId: string, @Query() query: TargetListQuery) {
    if ((await this.readModels.getCampaign(campaignId)) === undefined) {
      notFound('CAMPAIGN.NOT_FOUND', 'campaign', campaignId);
    }
    return this.readModels.listTargets(campaignId, { ...query, defaultCountry: readDefaultCountry(query.defaultCountry) });
  }

  @Get(':targetId')
  async get(@Param('campaignId') campaignId: string, @Param('targetId') targetId: string) {
    return (await this.readModels.getTarget(campaignId, targetId)) ?? notFound('TARGET.NOT_FOUND', 'target', targetId);
  }

  /** Cancels a pending target; 409 once an attempt has started or it ended otherwise. */
  @Post(':targetId/remove')
  @HttpCode(200)
  async remove(
    @Param('campaignId') campaignId: string,
    @Param('targetId') targetId: string,
    @Headers('if-match') ifMatch: string | undefined,
    @RequestContext('maker') context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { revision } = await this.commands.execute<RemoveTargetCommand, { revision: number }>(
      new RemoveTargetCommand(campaignId, targetId, context, parseIfMatch(ifMatch)),
    );
    response.setHeader('ETag', `"${revision}"`);
    return { id: targetId, status: 'CANCELLED' };
  }

  /** Moves a pending target's start date; 409 once an attempt has started. */
  @Post(':targetId/reschedule')
  @HttpCode(200)
  async reschedule(
    @Param('campaignId') campaignId: string,
    @Param('targetId') targetId: string,
    @Body() body: RescheduleTargetBody,
    @Headers('if-match') ifMatch: string | undefined,
    @RequestContext('maker') context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { revision } = await this.commands.execute<RescheduleTargetCommand, { revision: number }>(
      new RescheduleTargetCommand(campaignId, targetId, body.startDate, context, parseIfMatch(ifMatch)),
    );
    response.setHeader('ETag', `"${revision}"`);
    return { id: targetId, status: 'PENDING' };
  }

  /** A new PENDING target with the same number, start date, priority, time zone and layout values. */
  @Post(':targetId/duplicate')
  @HttpCode(201)
  async duplicate(
    @Param('campaignId') campaignId: string,
    @Param('targetId') targetId: string,
    @RequestContext('maker') context: CommandContext,
  ) {
    const { targetId: id } = await this.commands.execute<DuplicateTargetCommand, { targetId: string }>(
      new DuplicateTargetCommand(campaignId, targetId, context),
    );
    return { id, status: 'PENDING', duplicateOf: targetId };
  }

  /**
   * Erases the target's number and layout values from the read models and, by deleting its key,
   * from its events; its attempts stay in the history and statistics. 409 while an attempt is in
   * progress.
   */
  @Delete(':targetId')
  @HttpCode(204)
  async delete(
    @Param('campaignId') campaignId: string,
    @Param('targetId') targetId: string,
    @Headers('if-match') ifMatch: string | undefined,
    @RequestContext('maker') context: CommandContext,
  ) {
    await this.commands.execute(new DeleteTargetCommand(campaignId, targetId, context, parseIfMatch(ifMatch)));
  }

  /** Spreads the pending targets evenly over the calendar's open time between from and to, in dispatch order. */
  @Post('calibrate')
  @HttpCode(200)
  calibrate(@Param('campaignId') campaignId: string, @Body() body: CalibrateTargetsBody, @RequestContext('maker') context: CommandContext) {
    return this.commands.execute<CalibrateTargetsCommand, { rescheduled: number }>(
      new CalibrateTargetsCommand(campaignId, body.from, body.to, context),
    );
  }
}

@ApiTags('send history')
@ApiBearerAuth()
@Roles('maker', 'reporter', 'auditor')
@Controller('campaigns/:campaignId/sends')
export class SendsController {
  constructor(private readonly readModels: ReadModels) {}

  /**
   * Lists the campaign's attempts newest first, those started in `[from, to)` when given. A bound
   * without an offset is local time in the campaign's time zone, as every date of the API.
   */
  @Get()
  async list(@Param('campaignId') campaignId: string, @Query() query: SendHistoryQuery) {
    const campaign = (await this.readModels.getCampaign(campaignId)) ?? notFound('CAMPAIGN.NOT_FOUND', 'campaign', campaignId);
    const from = query.from === undefined ? undefined : toInstant('from', query.from, campaign.timeZone);
    const to = query.to === undefined ? undefined : toInstant('to', query.to, campaign.timeZone);
    checkRange(query, from, to);
    return this.readModels.sendHistory(campaignId, { ...query, from, to, defaultCountry: readDefaultCountry(query.defaultCountry) });
  }
}

/** Rejects an empty or inverted `[from, to)` range, given the bounds as read (`query`) and as instants. */
function checkRange(query: { from?: string; to?: string }, from: string | undefined, to: string | undefined): void {
  if (from === undefined || to === undefined) {
    return;
  }
  if (Date.parse(from) >= Date.parse(to)) {
    throw DomainError.invalid('REQUEST.INVALID_RANGE', 'from', query.from, `must be before to ('${query.to}')`);
  }
}
