import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiCreatedResponse, ApiNoContentResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CommandContext } from '../../commands/command-context';
import { ReadModels } from '../../read-models/read-models.service';
import { AddOptOutCommand, OptOutEntry, RemoveOptOutCommand } from '../../use-cases/opt-out.commands';
import { Roles } from '../auth/roles';
import { readDefaultCountry } from '../default-country';
import { RequestContext } from '../request-context';
import { AddOptOutBody, OptOutListQuery, OptOutNumberQuery } from './opt-out.dto';

/**
 * The do-not-contact list. Replies STOP, ARRET and the other opt-out keywords add the sender's
 * number, START removes it; nothing is sent to a number on the list.
 */
@ApiTags('opt-outs')
@ApiBearerAuth()
@Roles('maker')
@Controller('opt-outs')
export class OptOutsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly readModels: ReadModels,
  ) {}

  /** Numbers on the list, newest opt-out first; `phone` narrows it to one number. */
  @Get()
  list(@Query() query: OptOutListQuery) {
    return this.readModels.listOptOuts({ ...query, defaultCountry: readDefaultCountry(query.defaultCountry) });
  }

  @Post()
  @ApiCreatedResponse({ description: 'The number was added' })
  @ApiOkResponse({ description: 'The number was already on the list; it keeps its first opt-out date and source' })
  async add(
    @Body() body: AddOptOutBody,
    @Query() query: OptOutNumberQuery,
    @RequestContext('maker') context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OptOutEntry> {
    const { added, entry } = await this.commands.execute<AddOptOutCommand, { added: boolean; entry: OptOutEntry }>(
      new AddOptOutCommand(body.phoneNumber, readDefaultCountry(query.defaultCountry), context),
    );
    response.status(added ? 201 : 200);
    return entry;
  }

  @Delete(':phoneNumber')
  @HttpCode(204)
  @ApiParam({ name: 'phoneNumber', description: 'Any format, URL-encoded (`%2B33612345678`); normalised to E.164 with defaultCountry' })
  @ApiNoContentResponse({ description: 'The number was removed from the list' })
  async remove(
    @Param('phoneNumber') phoneNumber: string,
    @Query() query: OptOutNumberQuery,
    @RequestContext('maker') context: CommandContext,
  ): Promise<void> {
    await this.commands.execute(new RemoveOptOutCommand(phoneNumber, readDefaultCountry(query.defaultCountry), context));
  }
}
