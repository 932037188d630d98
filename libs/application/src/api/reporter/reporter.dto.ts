import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, Length, Max, Min } from 'class-validator';

/** Largest page of the Reporter data source. */
export const MAX_ATTEMPT_PAGE_SIZE = 1_000;
export const DEFAULT_ATTEMPT_PAGE_SIZE = 100;

export class AttemptReportQuery {
  @ApiPropertyOptional({ description: 'Attempts of this campaign only' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  campaignId?: string;

  @ApiPropertyOptional({ description: 'Attempts of this session only' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  sessionId?: string;

  @ApiPropertyOptional({
    description:
      "Attempts started at or after this instant (ISO-8601). Without an offset: local time in the campaign's time zone with campaignId, UTC without",
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Attempts started before this instant (ISO-8601), read like from' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page, with the same filters. A stream starts after it too' })
  @IsOptional()
  @IsString()
  cursor?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_ATTEMPT_PAGE_SIZE,
    default: DEFAULT_ATTEMPT_PAGE_SIZE,
    description: 'Rows per JSON page; a stream (NDJSON or CSV) sends every row and ignores it',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ATTEMPT_PAGE_SIZE)
  limit = DEFAULT_ATTEMPT_PAGE_SIZE;
}

export class AttemptCountersQuery {
  @ApiProperty()
  @IsString()
  @Length(1, 200)
  campaignId!: string;

  @ApiPropertyOptional({ description: 'Counts this session only' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  sessionId?: string;
}
