import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * Highest page number served: at the largest page size, an offset of 500 million rows. Without a
 * cap, `page=1e20` reaches the database as an offset it rejects.
 */
export const MAX_PAGE = 1_000_000;
export const MAX_PAGE_SIZE = 500;

/** `?page=&pageSize=` of every list. List queries with filters extend it. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE, { message: `$property must be at most ${MAX_PAGE}` })
  page = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  pageSize = 50;
}

export interface Page<Item> {
  readonly items: Item[];
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
}
