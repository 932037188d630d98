import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
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
  ValidateIf,
  ValidateNested,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { CanonicalTimeZone, IsIanaTimeZone } from '../campaigns/campaign.dto';
import { DEFAULT_COUNTRY, IsDefaultCountry } from '../default-country';
import { PageQuery } from '../paging';

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

/**
 * Layout values are a flat JSON object whose values are strings, finite numbers or null: they fill
 * template placeholders and CSV columns, where an object or an array has no text form.
 */
@ValidatorConstraint({ name: 'layoutValues' })
export class LayoutValuesConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return isJsonObject(value) && firstInvalidEntry(value) === undefined;
  }

  defaultMessage(args: ValidationArguments): string {
    const value: unknown = args.value;
    if (!isJsonObject(value)) {
      return 'must be a JSON object from layout field key to value';
    }
    const [key, invalid] = firstInvalidEntry(value) ?? ['', undefined];
    return `must map each key to a string, a finite number or null, but key '${key}' is ${describeKind(invalid)}`;
  }
}

export class LayoutValuesBody {
  @ApiProperty()
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }], nullable: true },
    example: { firstName: 'Léa', amount: 42.5 },
  })
  // class-transformer 0.5 leaves out a key whose name is a method of every object (toString,
  // valueOf), so the values are kept as the request sent them, for the layout rules to reject.
  @Transform(({ obj }: { obj: { values?: unknown } }) => obj.values)
  @Validate(LayoutValuesConstraint)
  values!: Record<string, string | number | null>;
}

export class AddTargetBody {
  @ApiProperty({ example: '06 12 34 56 78' })
  @IsString()
  @Length(1, 40)
  phoneNumber!: string;

  @ApiPropertyOptional({ description: "ISO-8601; local time in the campaign's time zone when it has no offset" })
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

  @ApiPropertyOptional({ example: 'Europe/Paris', description: 'IANA time zone, any letter case; stored in its canonical spelling' })
  @IsOptional()
  @CanonicalTimeZone()
  @Validate(IsIanaTimeZone)
  timeZone?: string;

  @ApiPropertyOptional({ type: LayoutValuesBody })
  @IsOptional()
  @ValidateNested()
  @Type(() => LayoutValuesBody)
  layout?: LayoutValuesBody;
}

export class AddTargetQuery {
  @ApiPropertyOptional({ description: 'Country used to read a national phone number', default: DEFAULT_COUNTRY })
  @IsOptional()
  @IsDefaultCountry()
  defaultCountry?: string;
}

export class TargetListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: TARGET_STATUSES })
  @IsOptional()
  @IsIn(TARGET_STATUSES)
  status?: string;

  @ApiPropertyOptional({ description: 'Phone number, any format; matched after normalisation to E.164' })
  @IsOptional()
  @IsString()
  phone?: string;

  @ApiPropertyOptional({ description: 'Country used to read a national phone filter', default: DEFAULT_COUNTRY })
  @IsOptional()
  @IsDefaultCountry()
  defaultCountry?: string;
}

export class SendHistoryQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Attempts started at or after this instant (ISO-8601); must be before to' })
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

  @ApiPropertyOptional({ description: 'Country used to read a national phone filter', default: DEFAULT_COUNTRY })
  @IsOptional()
  @IsDefaultCountry()
  defaultCountry?: string;
}

function firstInvalidEntry(values: Record<string, unknown>): [string, unknown] | undefined {
  return Object.entries(values).find(([, value]) => !isLayoutValue(value));
}

function isLayoutValue(value: unknown): boolean {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function describeKind(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  if (typeof value === 'number') return `the number ${value}, which is not finite`;
  return `a ${typeof value}`;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class RescheduleTargetBody {
  @ApiProperty({
    example: '2026-12-07T09:00',
    nullable: true,
    description: "ISO-8601; local time in the campaign's time zone when it has no offset; null sends as soon as the campaign runs",
  })
  @ValidateIf((body: RescheduleTargetBody) => body.startDate !== null)
  @IsISO8601({ strict: true })
  startDate!: string | null;
}

export class CalibrateTargetsBody {
  @ApiProperty({ example: '2026-12-07T08:00', description: "ISO-8601; local time in the campaign's time zone when it has no offset" })
  @IsISO8601({ strict: true })
  from!: string;

  @ApiProperty({ example: '2026-12-11T20:00', description: 'After from, at most 366 days later' })
  @IsISO8601({ strict: true })
  to!: string;
}
