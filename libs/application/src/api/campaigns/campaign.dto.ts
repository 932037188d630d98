import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  Validate,
  ValidateNested,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { isTimeZone } from '../../use-cases/local-date';

@ValidatorConstraint({ name: 'timeZone' })
export class IsIanaTimeZone implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isTimeZone(value);
  }
  defaultMessage(): string {
    return 'must be an IANA time zone such as Europe/Paris';
  }
}

export class ChatFlowBody {
  @ApiProperty()
  @IsBoolean()
  enabled!: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  flowId?: string;
}

export class CreateCampaignBody {
  @ApiProperty({ example: 'Relance impayés décembre' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ example: 'REL-2026-12' })
  @IsString()
  @Length(1, 100)
  reference!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  alias?: string;

  @ApiProperty({ description: 'Id of a sender (POST /senders)' })
  @IsString()
  senderId!: string;

  @ApiProperty({ description: 'Id of a template (POST /templates)' })
  @IsString()
  templateId!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  calendarId?: string;

  @ApiPropertyOptional({ description: 'ISO-8601; local time in the campaign time zone when it has no offset' })
  @IsOptional()
  @IsISO8601({ strict: true })
  endDate?: string;

  @ApiPropertyOptional({ default: 'UTC', example: 'Europe/Paris' })
  @IsOptional()
  @Validate(IsIanaTimeZone)
  timeZone?: string;

  @ApiPropertyOptional({ example: 'fr' })
  @IsOptional()
  @IsString()
  @Length(2, 35)
  language?: string;

  @ApiPropertyOptional({ default: 60, minimum: 1, maximum: 86400, description: 'How often the campaign looks for due targets, in seconds' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86_400)
  refreshSeconds?: number;

  @ApiPropertyOptional({ type: ChatFlowBody })
  @IsOptional()
  @ValidateNested()
  @Type(() => ChatFlowBody)
  chatFlow?: ChatFlowBody;

  @ApiPropertyOptional({ minimum: 1, maximum: 10000, description: 'SMS per second at most' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  throughputPerSecond?: number;

  @ApiPropertyOptional({ default: 1, minimum: 1, maximum: 10 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  maxAttempts?: number;

  @ApiPropertyOptional({ default: 300, minimum: 0, maximum: 604800 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(604_800)
  retryDelaySeconds?: number;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 50, { each: true })
  tags?: string[];
}

export class ToggleStatusBody {
  @ApiProperty({ enum: ['ON', 'OFF'] })
  @IsIn(['ON', 'OFF'])
  status!: 'ON' | 'OFF';

  @ApiPropertyOptional({ default: true, description: 'false opens a new session when switching ON' })
  @IsOptional()
  @IsBoolean()
  carryOnSession?: boolean;
}

export class CampaignListQuery {
  @ApiPropertyOptional({ description: 'Part of the name, reference or alias; case and accents ignored' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  search?: string;

  @ApiPropertyOptional({ description: 'Comma-separated tags; a campaign with any of them matches' })
  @IsOptional()
  @IsString()
  tags?: string;

  @ApiPropertyOptional({ enum: ['ON', 'OFF'] })
  @IsOptional()
  @IsIn(['ON', 'OFF'])
  status?: 'ON' | 'OFF';

  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  pageSize = 50;
}
