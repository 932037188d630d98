import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { DEFAULT_COUNTRY, IsDefaultCountry } from '../default-country';
import { PageQuery } from '../paging';

export class AddOptOutBody {
  @ApiProperty({ example: '06 12 34 56 78', description: 'Any format; normalised to E.164 with defaultCountry' })
  @IsString()
  @Length(1, 40)
  phoneNumber!: string;
}

/** `?defaultCountry=` of the calls that take one phone number. */
export class OptOutNumberQuery {
  @ApiPropertyOptional({ description: 'Country used to read a national phone number', default: DEFAULT_COUNTRY })
  @IsOptional()
  @IsDefaultCountry()
  defaultCountry?: string;
}

export class OptOutListQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'Phone number, any format; matched after normalisation to E.164' })
  @IsOptional()
  @IsString()
  phone?: string;

  @ApiPropertyOptional({ description: 'Country used to read a national phone filter', default: DEFAULT_COUNTRY })
  @IsOptional()
  @IsDefaultCountry()
  defaultCountry?: string;
}
