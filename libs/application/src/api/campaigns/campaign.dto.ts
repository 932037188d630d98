import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { LAYOUT_LIMITS, LayoutFieldType } from '@sms/domain';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { isTimeZone } from '../../use-cases/local-date';
import { PageQuery } from '../paging';

@ValidatorConstraint({ name: 'timeZone' })
export class IsIanaTimeZone implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isTimeZone(value);
  }
  defaultMessage(): string {
    return 'must be an IANA time zone such as Europe/Paris';
  }
}

/**
 * Rewrites a valid time zone in its canonical IANA spelling (`europe/paris` becomes
 * `Europe/Paris`), because Intl accepts any letter case but stored settings are compared and shown
 * as typed. Any other value is left for IsIanaTimeZone to reject.
 */
export const CanonicalTimeZone = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && isTimeZone(value)
      ? new Intl.DateTimeFormat(undefined, { timeZone: value }).resolvedOptions().timeZone
      : value,
  );

/**
 * Rejects a name made only of spaces, which every list would show as blank. An empty string
 * passes, so that it gets only the length rule's violation.
 */
export const NotBlank = () => Matches(/^$|\S/, { message: 'must contain a character other than a space' });

/**
 * A language tag as Intl reads it (`fr`, `fr-FR`, `zh-Hant-TW`): Unicode BCP 47 locale
 * identifiers, on which Intl.getCanonicalLocales throws for any other string.
 */
@ValidatorConstraint({ name: 'languageTag' })
export class IsLanguageTag implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string') {
      return false;
    }
    try {
      Intl.getCanonicalLocales(value);
      return true;
    } catch {
      return false;
    }
  }

  defaultMessage(): string {
    return 'must be a BCP 47 language tag such as fr or fr-FR';
  }
}

/**
 * Drops each tag that repeats an earlier one in any letter case and keeps the first spelling,
 * because tags compare case-insensitively, as the `tags` filter of the campaign list does. Items
 * that are not strings stay for the validators to reject.
 */
const UniqueTagsIgnoringCase = () =>
  Transform(({ value }: { value: unknown }) => (Array.isArray(value) ? uniqueIgnoringCase(value) : value));

function uniqueIgnoringCase(tags: readonly unknown[]): unknown[] {
  const seen = new Set<string>();
  return tags.filter((tag) => {
    if (typeof tag !== 'string') {
      return true;
    }
    const key = tag.toLowerCase();
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}

const FLOW_ID_MAX_LENGTH = 100;

/** A chat flow id: required once the flow is enabled, and a string of 1 to 100 characters when given. */
@ValidatorConstraint({ name: 'flowId' })
class FlowIdConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && value.length >= 1 && value.length <= FLOW_ID_MAX_LENGTH;
  }

  defaultMessage(args: ValidationArguments): string {
    return args.value === undefined || args.value === null
      ? 'is required when enabled is true'
      : `must be a string of 1 to ${FLOW_ID_MAX_LENGTH} characters`;
  }
}

export class ChatFlowBody {
  @ApiProperty()
  @IsBoolean()
  enabled!: boolean;

  @ApiPropertyOptional({ description: 'Required when enabled is true' })
  @ValidateIf((flow: ChatFlowBody) => flow.enabled === true || (flow.flowId !== undefined && flow.flowId !== null))
  @Validate(FlowIdConstraint)
  flowId?: string;
}

export class CreateCampaignBody {
  @ApiProperty({ example: 'Relance impayés décembre' })
  @IsString()
  @Length(1, 200)
  @NotBlank()
  name!: string;

  @ApiProperty({ example: 'REL-2026-12' })
  @IsString()
  @Length(1, 100)
  @NotBlank()
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

  @ApiPropertyOptional({ description: 'ISO-8601, in the future; local time in the campaign time zone when it has no offset' })
  @IsOptional()
  @IsISO8601({ strict: true })
  endDate?: string;

  @ApiPropertyOptional({
    default: 'UTC',
    example: 'Europe/Paris',
    description: 'IANA time zone, any letter case; stored in its canonical spelling',
  })
  @IsOptional()
  @CanonicalTimeZone()
  @Validate(IsIanaTimeZone)
  timeZone?: string;

  @ApiPropertyOptional({ example: 'fr-FR', description: 'BCP 47 language tag' })
  @IsOptional()
  @IsString()
  @Length(2, 35)
  @Validate(IsLanguageTag)
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

  @ApiPropertyOptional({ type: [String], description: 'A tag that repeats an earlier one in any letter case is dropped' })
  @IsOptional()
  @UniqueTagsIgnoringCase()
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

export class CampaignListQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Part of the name, reference or alias; case and accents ignored' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  search?: string;

  @ApiPropertyOptional({ description: 'Comma-separated tags; a campaign with any of them matches, in any letter case' })
  @IsOptional()
  @IsString()
  tags?: string;

  @ApiPropertyOptional({ enum: ['ON', 'OFF'] })
  @IsOptional()
  @IsIn(['ON', 'OFF'])
  status?: 'ON' | 'OFF';
}

/** Any creation field; the fields left out keep their value. */
export class UpdateCampaignBody extends PartialType(CreateCampaignBody) {}

export class TagsBody {
  @ApiProperty({
    type: [String],
    example: ['relance', 'décembre'],
    description: 'A tag that repeats an earlier one in any letter case is dropped',
  })
  @UniqueTagsIgnoringCase()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 50, { each: true })
  tags!: string[];
}

export class ProfileIdsBody {
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  profileIds!: string[];
}

export class LayoutFieldBody {
  @ApiProperty({ example: 'firstName', description: 'Letters, digits, "_", "-" or "."; usable as {{key}} in the template' })
  @IsString()
  @Length(1, 64)
  key!: string;

  @ApiProperty({ example: 'Prénom' })
  @IsString()
  @Length(1, LAYOUT_LIMITS.labelLength)
  label!: string;

  @ApiProperty({ enum: ['string', 'number', 'date'] })
  @IsIn(['string', 'number', 'date'])
  type!: LayoutFieldType;
}

export class TargetLayoutBody {
  @ApiProperty({ example: 'relance' })
  @IsString()
  @Length(1, LAYOUT_LIMITS.nameLength)
  name!: string;

  @ApiProperty({ type: [LayoutFieldBody] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(LAYOUT_LIMITS.fieldsPerLayout)
  @ValidateNested({ each: true })
  @Type(() => LayoutFieldBody)
  fields!: LayoutFieldBody[];
}

export class LayoutsBody {
  @ApiProperty({ type: [TargetLayoutBody], description: 'Replaces every layout of the campaign; an empty list removes them' })
  @IsArray()
  @ArrayMaxSize(LAYOUT_LIMITS.layouts)
  @ValidateNested({ each: true })
  @Type(() => TargetLayoutBody)
  layouts!: TargetLayoutBody[];
}

export class DuplicateCampaignBody {
  @ApiPropertyOptional({ description: 'Defaults to the source name followed by " (copy)"' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  reference?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 100)
  alias?: string;

  @ApiPropertyOptional({ default: false, description: 'Copies every target as a new PENDING one, in the background (see importId)' })
  @IsOptional()
  @IsBoolean()
  withTargets?: boolean;
}

export class AsOfQuery {
  @ApiProperty({ example: '2026-12-07T09:30:00Z', description: "ISO-8601; local time in the campaign's time zone when it has no offset" })
  @IsISO8601({ strict: true })
  at!: string;
}
