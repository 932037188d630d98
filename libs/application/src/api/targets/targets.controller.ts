import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { DomainError, isCountryCode } from '@sms/domain';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  Validate,
  ValidateNested,
} from 'class-validator';
import type { Response } from 'express';
import { CommandContext } from '../../commands/command-context';
import { ReadModels } from '../../read-models/read-models.service';
import { AddTargetCommand } from '../../use-cases/target.commands';
import { AddOutcome } from '../../use-cases/target-writer';
import { Roles } from '../auth/roles';
import { IsIanaTimeZone } from '../campaigns/campaign.dto';
import { notFound } from '../not-found';
import { RequestContext } from '../request-context';

const TARGET_STATUSES = [
  'PENDING',
  'IN_PROGRESS',
  'SENT',
  'DELIVERED',
  'UNDELIVERED',
  'FAILED',
  'UNKNOWN',
  'CANCELLED',
  'EXPIRED',
  'OPTED_OUT',
];

export class LayoutValuesBody {
  @ApiProperty()
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  @IsObject()
  values!: Record<string, string | number | null>;
}

export class AddTargetBody {
  @ApiProperty({ example: '06 12 34 56 78' })
  @IsString()
  @Length(1, 40)
  phoneNumber!: string;

  @ApiPropertyOptional({ description: 'ISO-8601; local time in the campaign (or target) time zone when it has no offset' })
  @IsOptional()
  @IsString()
  startDate?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 10, default: 5 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  priority?: number;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  insertIfDuplicate?: boolean;

  @ApiPropertyOptional({ example: 'Europe/Paris' })
  @IsOptional()
  @Validate(IsIanaTimeZone)
  timeZone?: string;

  @ApiPropertyOptional({ type: LayoutValuesBody })
  @IsOptional()
  @ValidateNested()
  @Type(() => LayoutValuesBody)
  layout?: LayoutValuesBody;
}

export class TargetListQuery {
  @ApiPropertyOptional({ enum: TARGET_STATUSES })
  @IsOptional()
  @IsIn(TARGET_STATUSES)
  status?: string;

  @ApiPropertyOptional({ description: 'Phone number, any format; matched after normalisation to E.164' })
  @IsOptional()
  @IsString()
  phone?: string;

  @ApiPropertyOptional({ description: 'Country used to read a national phone filter', default: 'FR' })
  @IsOptional()
  @IsString()
  defaultCountry?: string;

  @ApiPropertyOptional({ default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page = 1;

  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  pageSize = 50;
}

export class SendHistoryQuery {
  @ApiPropertyOptional({ description: 'Attempts started at or after this instant (ISO-8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Attempts started before this instant (ISO-8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ description: 'Phone number, any format; matched after normalisation to E.164' })
  @IsOptional()
  @IsString()
  phone?: string;

  @ApiPropertyOptional({ description: 'Country used to read a national phone filter', default: 'FR' })
  @IsOptional()
  @IsString()
  defaultCountry?: string;

  @ApiPropertyOptional({ default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page = 1;

  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  pageSize = 50;
}

export function readDefaultCountry(value: string | undefined): string {
  const country = (value ?? 'FR').toUpperCase();
  if (!isCountryCode(country)) {
    throw DomainError.invalid('REQUEST.INVALID_COUNTRY', 'defaultCountry', value, 'must be an ISO 3166-1 alpha-2 country code such as FR');
  }
  return country;
}

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
    @Query('defaultCountry') defaultCountry: string | undefined,
    @RequestContext('maker') context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const outcome = await this.commands.execute<AddTargetCommand, AddOutcome>(
      new AddTargetCommand(campaignId, body, readDefaultCountry(defaultCountry), context),
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
    return this.readModels.listTargets(campaignId, query);
  }

  @Get(':targetId')
  async get(@Param('campaignId') campaignId: string, @Param('targetId') targetId: string) {
    return (await this.readModels.getTarget(campaignId, targetId)) ?? notFound('TARGET.NOT_FOUND', 'target', targetId);
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
    return this.readModels.sendHistory(campaignId, query);
  }
}
