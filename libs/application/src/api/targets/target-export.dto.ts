import { ApiPropertyOptional } from '@nestjs/swagger';
import type { TargetStatus } from '@sms/domain';
import { TARGET_STATUSES } from '@sms/read-models';
import { IsIn, IsOptional } from 'class-validator';

export class TargetExportQuery {
  @ApiPropertyOptional({ enum: TARGET_STATUSES, description: 'Exports only the targets in this status; every target when absent' })
  @IsOptional()
  @IsIn(TARGET_STATUSES)
  status?: TargetStatus;
}
