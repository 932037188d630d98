import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { DomainError, FieldViolation, ProfileState } from '@sms/domain';
import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';
import type { Response } from 'express';
import { CommandContext } from '../../commands/command-context';
import { ReadModels } from '../../read-models/read-models.service';
import { ChangeProfileCommand, CreateProfileCommand } from '../../use-cases/catalog.commands';
import { Roles } from '../auth/roles';
import { NotBlank } from '../campaigns/campaign.dto';
import { parseIfMatch } from '../if-match';
import { notFound } from '../not-found';
import { PageQuery } from '../paging';
import { RequestContext } from '../request-context';

export class CreateProfileBody {
  @ApiProperty({ example: 'Recouvrement' })
  @IsString()
  @Length(1, 100)
  @NotBlank()
  name!: string;

  @ApiProperty({ description: 'Whether advisors of this profile may switch its campaigns from the Banner' })
  @IsBoolean()
  manageCampaign!: boolean;
}

/** Fields left out keep their value. Null is rejected, because neither field can be cleared. */
export class ChangeProfileBody {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @NotBlank()
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  manageCampaign?: boolean;
}

@ApiTags('profiles')
@ApiBearerAuth()
@Roles('maker')
@Controller('profiles')
export class ProfilesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly readModels: ReadModels,
  ) {}

  @Post()
  @HttpCode(201)
  async create(
    @Body() body: CreateProfileBody,
    @RequestContext('maker') context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const profile = await this.commands.execute<CreateProfileCommand, ProfileState & { revision: number }>(
      new CreateProfileCommand(body, context),
    );
    response.setHeader('ETag', `"${profile.revision}"`);
    return viewOf(profile);
  }

  @Patch(':id')
  async change(
    @Param('id') id: string,
    @Body() body: ChangeProfileBody,
    @Headers('if-match') ifMatch: string | undefined,
    @RequestContext('maker') context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    rejectNullFields(body);
    const profile = await this.commands.execute<ChangeProfileCommand, ProfileState & { revision: number }>(
      new ChangeProfileCommand(id, body, context, parseIfMatch(ifMatch)),
    );
    response.setHeader('ETag', `"${profile.revision}"`);
    return viewOf(profile);
  }

  @Get()
  list(@Query() query: PageQuery) {
    return this.readModels.queries.profiles.listProfiles({ page: query.page, pageSize: query.pageSize });
  }

  /** Returns the profile with its revision, which the ETag carries for `If-Match` on PATCH. */
  @Get(':id')
  async get(@Param('id') id: string) {
    return (await this.readModels.queries.profiles.getProfile(id)) ?? notFound('PROFILE.NOT_FOUND', 'profile', id);
  }
}

/**
 * Rejects null in any field. IsOptional lets null through, and the command would then keep the
 * old value without a word.
 */
function rejectNullFields(body: ChangeProfileBody): void {
  const rule = 'must not be null: leave the field out to keep its value';
  const details: FieldViolation[] = Object.entries(body)
    .filter(([, value]) => value === null)
    .map(([field]) => ({ field, value: null, rule }));
  if (details.length > 0) {
    const message = details.map((detail) => `${detail.field} null ${rule}`).join('; ');
    throw new DomainError('REQUEST.INVALID', 'INVALID', message, details);
  }
}

function viewOf(profile: ProfileState) {
  return profile.exists ? { id: profile.id, name: profile.name, manageCampaign: profile.manageCampaign } : undefined;
}
