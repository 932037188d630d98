import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@sms/domain';
import type { Response } from 'express';
import { CommandContext } from '../../commands/command-context';
import { ReadModels } from '../../read-models/read-models.service';
import { AddTargetCommand, RemoveTargetCommand } from '../../use-cases/target.commands';
import { AddOutcome } from '../../use-cases/target-writer';
import { toInstant } from '../../use-cases/local-date';
import { Roles } from '../auth/roles';
import { readDefaultCountry } from '../default-country';
import { parseIfMatch } from '../if-match';
import { notFound } from '../not-found';
import { RequestContext } from '../request-context';
import { AddTargetBody, AddTargetQuery, SendHistoryQuery, TargetListQuery } from './target.dto';

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
  list(@Param('campaignId') campaignId: string, @Query() query: TargetListQuery) {
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
}

@ApiTags('send history')
@ApiBearerAuth()
@Roles('maker', 'reporter', 'auditor')
@Controller('campaigns/:campaignId/sends')
export class SendsController {
  constructor(private readonly readModels: ReadModels) {}

  @Get()
  list(@Param('campaignId') campaignId: string, @Query() query: SendHistoryQuery) {
    checkRange(query.from, query.to);
    return this.readModels.sendHistory(campaignId, { ...query, defaultCountry: readDefaultCountry(query.defaultCountry) });
  }
}

/** Rejects an empty or inverted `[from, to)` range. Bounds without an offset are compared as UTC. */
function checkRange(from: string | undefined, to: string | undefined): void {
  if (from === undefined || to === undefined) {
    return;
  }
  if (Date.parse(toInstant('from', from, 'UTC')) >= Date.parse(toInstant('to', to, 'UTC'))) {
    throw DomainError.invalid('REQUEST.INVALID_RANGE', 'from', from, `must be before to ('${to}')`);
  }
}
