import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { DEFAULT_COUNTRY, IsDefaultCountry } from '../default-country';

export class EraseNumberBody {
  @ApiProperty({ example: '06 12 34 56 78', description: 'Any format; normalised to E.164 with defaultCountry' })
  @IsString()
  @Length(1, 40)
  phoneNumber!: string;

  @ApiPropertyOptional({ description: 'Country used to read a national phone number', default: DEFAULT_COUNTRY })
  @IsOptional()
  @IsDefaultCountry()
  defaultCountry?: string;
}

export class NumberErasureResponse {
  @ApiProperty({ description: 'Targets of the number, in any campaign, whose personal data this call erased' })
  targets!: number;

  @ApiProperty({ description: 'Opt-out entries of the number whose personal data this call erased (0 or 1)' })
  optOuts!: number;
}
