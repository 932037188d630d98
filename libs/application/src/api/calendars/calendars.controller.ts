import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import {
  CALENDAR_PRESETS,
  calendarDecider,
  CalendarPreset,
  CalendarRules,
  DomainError,
  nextOpenInstant,
  OpeningRange,
  streams,
  Weekday,
} from '@sms/domain';
import { EventStore } from '@sms/event-store';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import type { Response } from 'express';
import { CommandContext } from '../../commands/command-context';
import { EVENT_STORE } from '../../infrastructure/tokens';
import { ReadModels } from '../../read-models/read-models.service';
import { CreateCalendarCommand } from '../../use-cases/catalog.commands';
import { loadState } from '../../use-cases/load-state';
import { toInstant } from '../../use-cases/local-date';
import { Roles } from '../auth/roles';
import { CanonicalTimeZone, NotBlank } from '../campaigns/campaign.dto';
import { notFound } from '../not-found';
import { PageQuery } from '../paging';
import { RequestContext } from '../request-context';

const DAYS: Weekday[] = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
const PRESETS = Object.keys(CALENDAR_PRESETS) as CalendarPreset[];

export class OpeningRangeBody implements OpeningRange {
  @ApiProperty({ enum: DAYS })
  @IsIn(DAYS)
  day!: Weekday;

  @ApiProperty({ example: '08:00' })
  @IsString()
  from!: string;

  @ApiProperty({ example: '20:00', description: 'Excluded; 24:00 means midnight at the end of the day' })
  @IsString()
  to!: string;
}

export class CreateCalendarBody {
  @ApiProperty({ example: 'French promotional hours' })
  @IsString()
  @Length(1, 100)
  @NotBlank()
  name!: string;

  @ApiPropertyOptional({ example: 'Europe/Paris', description: "The preset's zone when absent, else required" })
  @IsOptional()
  @CanonicalTimeZone()
  timeZone?: string;

  @ApiPropertyOptional({ enum: PRESETS, description: 'Opening hours and public holidays of a preset; closedDates still apply' })
  @IsOptional()
  @IsIn(PRESETS)
  preset?: CalendarPreset;

  @ApiPropertyOptional({ type: [OpeningRangeBody] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => OpeningRangeBody)
  openingHours?: OpeningRangeBody[];

  @ApiPropertyOptional({ type: [String], example: ['2026-12-25'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1_000)
  @IsString({ each: true })
  closedDates?: string[];

  @ApiPropertyOptional({ example: 'FR', description: 'Country whose public holidays are closed, moving feasts included' })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'publicHolidays must be an ISO 3166-1 alpha-2 country code such as FR' })
  publicHolidays?: string;
}

export class NextOpenQuery {
  @ApiPropertyOptional({ description: 'ISO-8601; local time in the calendar zone without an offset; now when absent' })
  @IsOptional()
  @IsString()
  after?: string;
}

@ApiTags('calendars')
@ApiBearerAuth()
@Roles('maker')
@Controller('calendars')
export class CalendarsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly readModels: ReadModels,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Post()
  @HttpCode(201)
  async create(
    @Body() body: CreateCalendarBody,
    @RequestContext('maker') context: CommandContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    const calendar = await this.commands.execute(new CreateCalendarCommand({ name: body.name, rules: toRules(body) }, context));
    response.setHeader('ETag', `"${calendar.revision}"`);
    if (!calendar.exists) return undefined;
    const { exists: _, revision: __, ...view } = calendar;
    return view;
  }

  @Get()
  list(@Query() query: PageQuery) {
    return this.readModels.queries.calendars.listCalendars({ page: query.page, pageSize: query.pageSize });
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    return (await this.readModels.queries.calendars.getCalendar(id)) ?? notFound('CALENDAR.NOT_FOUND', 'calendar', id);
  }

  /** `{ at }`: the first open instant at or after `after`, or null when the calendar opens on none of the next 400 days. */
  @Get(':id/next-open')
  async nextOpen(@Param('id') id: string, @Query() query: NextOpenQuery) {
    const calendar = await this.calendarRules(id);
    const after = query.after === undefined ? Date.now() : Date.parse(toInstant('after', query.after, calendar.timeZone));
    const at = nextOpenInstant(calendar, after);
    return { at: at === null ? null : new Date(at).toISOString() };
  }

  /**
   * Returns a calendar's rules from the read model, or from the calendar's stream when the
   * projector has not applied it yet, so that a query right after the creation finds it.
   */
  private async calendarRules(id: string): Promise<CalendarRules> {
    const projected = await this.readModels.queries.calendars.getCalendar(id);
    if (projected !== null && projected !== undefined) {
      return projected;
    }
    const { state } = await loadState(this.store, streams.calendar(id), calendarDecider);
    return state.exists ? state : notFound('CALENDAR.NOT_FOUND', 'calendar', id);
  }
}

function toRules(body: CreateCalendarBody): CalendarRules {
  const closedDates = body.closedDates ?? [];
  if (body.preset !== undefined) {
    const preset =
      body.preset === 'US_RECIPIENT_HOURS'
        ? CALENDAR_PRESETS.US_RECIPIENT_HOURS(body.timeZone ?? 'America/New_York')
        : CALENDAR_PRESETS[body.preset](body.timeZone);
    return {
      ...preset,
      openingHours: body.openingHours ?? preset.openingHours,
      closedDates,
      publicHolidays: body.publicHolidays ?? preset.publicHolidays,
    };
  }
  if (body.timeZone === undefined) {
    throw DomainError.invalid('CALENDAR.INVALID', 'timeZone', undefined, 'is required unless a preset is given');
  }
  if (body.openingHours === undefined) {
    throw DomainError.invalid('CALENDAR.INVALID', 'openingHours', undefined, 'is required unless a preset is given');
  }
  return { timeZone: body.timeZone, openingHours: body.openingHours, closedDates, publicHolidays: body.publicHolidays ?? null };
}
