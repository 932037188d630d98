import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@sms/domain';
import type { Response } from 'express';
import { CommandContext } from '../../commands/command-context';
import { ReadModels } from '../../read-models/read-models.service';
import { ToggleCampaignStatusCommand } from '../../use-cases/campaign.commands';
import { Caller, CurrentCaller, Roles } from '../auth/roles';
import { ToggleStatusBody } from '../campaigns/campaign.dto';
import { parseIfMatch } from '../if-match';
import { notFound } from '../not-found';
import { PageQuery } from '../paging';
import { RequestContext } from '../request-context';

/**
 * The Banner, the advisors' desktop: an advisor lists and switches only the campaigns assigned to
 * one of their profiles that allows "manage campaign". Maker and Banner share one status, since
 * both toggle the same campaign stream.
 */
@ApiTags('banner')
@ApiBearerAuth()
@Roles('advisor')
@Controller('banner/campaigns')
export class BannerController {
  constructor(
    private readonly commands: CommandBus,
    private readonly readModels: ReadModels,
  ) {}

  @Get()
  @ApiOkResponse({
    description:
      'A page `{ items, total, page, pageSize }` of the campaigns assigned to a profile of the caller that allows "manage campaign", ordered by name',
  })
  list(@Query() query: PageQuery, @CurrentCaller() caller: Caller) {
    return this.readModels.queries.campaigns.listBannerCampaignPage(caller.profileIds, { page: query.page, pageSize: query.pageSize });
  }

  @Post(':id/status')
  @HttpCode(200)
  async toggle(
    @Param('id') id: string,
    @Body() body: ToggleStatusBody,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentCaller() caller: Caller,
    @RequestContext('advisor') context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const expectedRevision = parseIfMatch(ifMatch);
    const allowed = await this.readModels.queries.campaigns.listBannerCampaigns(caller.profileIds);
    if (!allowed.some((campaign) => campaign.id === id)) {
      if ((await this.readModels.getCampaign(id)) === undefined) {
        notFound('CAMPAIGN.NOT_FOUND', 'campaign', id);
      }
      throw new DomainError(
        'BANNER.NOT_ALLOWED',
        'FORBIDDEN',
        `campaign '${id}' is not assigned to a profile of yours that allows managing campaigns`,
      );
    }
    const result = await this.commands.execute<ToggleCampaignStatusCommand, { status: string; sessionId: string | null; revision: number }>(
      new ToggleCampaignStatusCommand(id, body.status, body.carryOnSession ?? true, 'BANNER', context, expectedRevision),
    );
    response.setHeader('ETag', `"${result.revision}"`);
    return { status: result.status, sessionId: result.sessionId };
  }
}
