import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { IsDefaultCountry } from '../default-country';

export const IMPORT_SOURCES = ['database', 'crm', 'payment'] as const;
export type ConnectorSource = (typeof IMPORT_SOURCES)[number];

/** At most this many mapping entries, which is far more than a target has fields. */
const MAX_MAPPING_ENTRIES = 200;

/** A mapping is a flat JSON object from source column (or item path) to target field or layout key, all non-empty strings. */
@ValidatorConstraint({ name: 'mapping' })
class MappingConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return false;
    }
    const entries = Object.entries(value);
    return (
      entries.length <= MAX_MAPPING_ENTRIES &&
      entries.every(([key, target]) => key.trim() !== '' && typeof target === 'string' && target.trim() !== '' && target.length <= 100)
    );
  }

  defaultMessage(): string {
    return `must be a JSON object of at most ${MAX_MAPPING_ENTRIES} entries from source column to target field or layout key, such as {"telephone":"phoneNumber"}`;
  }
}

/** Fields shared by the sources whose rows are mapped like CSV columns. */
class MappedImportBody {
  @ApiPropertyOptional({ description: 'ISO 3166-1 alpha-2 country of national numbers; default FR' })
  @IsOptional()
  @IsDefaultCountry()
  defaultCountry?: string;

  @ApiPropertyOptional({ description: 'date-fns pattern of text dates, such as dd/MM/yyyy HH:mm; default ISO-8601' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  dateFormat?: string;

  @ApiPropertyOptional({ description: 'value for rows without an insertIfDuplicate column; default false' })
  @IsOptional()
  @IsBoolean()
  insertIfDuplicate?: boolean;
}

export class DatabaseImportBody extends MappedImportBody {
  @ApiProperty({ enum: ['database'] })
  @IsIn(['database'])
  source!: 'database';

  @ApiProperty({ description: 'name of a connection in IMPORT_DATABASES' })
  @IsString()
  @Length(1, 64)
  connection!: string;

  @ApiProperty({ description: 'one SELECT statement; it runs in a read-only transaction' })
  @IsString()
  @Length(1, 100_000)
  query!: string;

  @ApiPropertyOptional({ description: 'result column to target field or layout key; other columns keep their name' })
  @IsOptional()
  @Validate(MappingConstraint)
  mapping?: Record<string, string>;
}

export class CrmPagingBody {
  @ApiProperty({ enum: ['page', 'cursor'] })
  @IsIn(['page', 'cursor'])
  type!: 'page' | 'cursor';

  @ApiPropertyOptional({ description: 'page: query parameter of the page number; default page' })
  @ValidateIf((paging: CrmPagingBody) => paging.type === 'page' && paging.pageParam !== undefined)
  @IsString()
  @Length(1, 100)
  pageParam?: string;

  @ApiPropertyOptional({ description: 'page: number of the first page; default 1' })
  @ValidateIf((paging: CrmPagingBody) => paging.type === 'page' && paging.firstPage !== undefined)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  firstPage?: number;

  @ApiPropertyOptional({ description: 'page: query parameter of the page size' })
  @ValidateIf((paging: CrmPagingBody) => paging.type === 'page' && (paging.sizeParam !== undefined || paging.size !== undefined))
  @IsString()
  @Length(1, 100)
  sizeParam?: string;

  @ApiPropertyOptional({ description: 'page: items per page, sent in sizeParam' })
  @ValidateIf((paging: CrmPagingBody) => paging.type === 'page' && (paging.sizeParam !== undefined || paging.size !== undefined))
  @IsInt()
  @Min(1)
  @Max(10_000)
  size?: number;

  @ApiPropertyOptional({ description: 'cursor: query parameter of the cursor; default cursor' })
  @ValidateIf((paging: CrmPagingBody) => paging.type === 'cursor' && paging.cursorParam !== undefined)
  @IsString()
  @Length(1, 100)
  cursorParam?: string;

  @ApiPropertyOptional({ description: 'cursor: dot-separated path of the next cursor in the page body, such as meta.next' })
  @ValidateIf((paging: CrmPagingBody) => paging.type === 'cursor')
  @IsString()
  @Length(1, 200)
  nextCursorPath?: string;
}

export class CrmImportBody extends MappedImportBody {
  @ApiProperty({ enum: ['crm'] })
  @IsIn(['crm'])
  source!: 'crm';

  @ApiProperty({ description: 'http or https URL of the list; its host must be in IMPORT_CRM_ALLOWED_HOSTS' })
  @IsString()
  @Length(1, 2_000)
  url!: string;

  @ApiPropertyOptional({ description: 'bearer token; never stored or logged. Give this or credential, not both' })
  @IsOptional()
  @IsString()
  @Length(1, 4_096)
  token?: string;

  @ApiPropertyOptional({ description: 'name of a token in IMPORT_CRM_CREDENTIALS' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  credential?: string;

  @ApiPropertyOptional({
    description: 'dot-separated path of the items array in each page, such as data.contacts; default the body itself',
  })
  @IsOptional()
  @IsString()
  @Length(0, 200)
  itemsPath?: string;

  @ApiProperty({ type: CrmPagingBody })
  @ValidateNested()
  @Type(() => CrmPagingBody)
  paging!: CrmPagingBody;

  @ApiProperty({ description: 'item path to target field or layout key, such as {"phone":"phoneNumber","profile.firstName":"firstName"}' })
  @Validate(MappingConstraint)
  mapping!: Record<string, string>;
}

export class PaymentImportBody {
  @ApiProperty({ enum: ['payment'] })
  @IsIn(['payment'])
  source!: 'payment';

  @ApiPropertyOptional({ description: 'subject under IMPORT_PAYMENT_SUBJECT_PREFIX; default <prefix>.<campaignId>' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, {
    message: 'must be dot-separated tokens of letters, digits, - and _, without wildcards',
  })
  @Length(1, 200)
  subject?: string;

  @ApiPropertyOptional({ description: 'the import ends when no message arrives for this many seconds; default 5' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3_600)
  idleSeconds?: number;

  @ApiPropertyOptional({ description: 'the import ends after this many messages; default 100000' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  maxMessages?: number;

  @ApiPropertyOptional({ description: 'ISO 3166-1 alpha-2 country of national numbers; default FR' })
  @IsOptional()
  @IsDefaultCountry()
  defaultCountry?: string;
}

export type ConnectorImportBody = DatabaseImportBody | CrmImportBody | PaymentImportBody;

export const BODY_CLASS_BY_SOURCE = {
  database: DatabaseImportBody,
  crm: CrmImportBody,
  payment: PaymentImportBody,
} as const;
