import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import type { Response } from 'express';
import { CommandContext } from '../../commands/command-context';
import { RegisterSenderCommand } from '../../use-cases/catalog.commands';
import { ReadModels } from '../../read-models/read-models.service';
import { Roles } from '../auth/roles';
import { NotBlank } from '../campaigns/campaign.dto';
import { PageQuery } from '../paging';
import { RequestContext } from '../request-context';
import { notFound } from '../not-found';

export class CreateSenderBody {
  @ApiProperty({ example: 'Customer service' })
  @IsString()
  @Length(1, 100)
  @NotBlank()
  name!: string;

  @ApiProperty({ description: 'Alphanumeric (3-11, one letter at least), short code, or E.164 number', example: 'ACME' })
  @IsString()
  senderId!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 10000, description: 'SMS per second at most under this sender, all campaigns together' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  throughputPerSecond?: number;
}

@ApiTags('senders')
@ApiBearerAuth()
@Roles('maker')
@Controller('senders')
export class SendersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly readModels: ReadModels,
  ) {}

  @Post()
  @HttpCode(201)
  async create(
    @Body() body: CreateSenderBody,
    @RequestContext('maker') context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const sender = await this.commands.execute(new RegisterSenderCommand(body, context));
    response.setHeader('ETag', `"${sender.revision}"`);
    return sender.exists
      ? {
          id: sender.id,
          name: sender.name,
          senderId: sender.senderId,
          kind: sender.kind,
          throughputPerSecond: sender.throughputPerSecond ?? null,
        }
      : undefined;
  }

  @Get()
  list(@Query() query: PageQuery) {
    return this.readModels.listSenders(query.page, query.pageSize);
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    return (await this.readModels.getSender(id)) ?? notFound('SENDER.NOT_FOUND', 'sender', id);
  }
}
