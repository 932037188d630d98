import { Controller, Get, Header, HttpException, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { SqlClient } from '@sms/platform';
import { register } from 'prom-client';
import { READ_DB } from '../../infrastructure/tokens';
import { Public, Roles } from '../auth/roles';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(@Inject(READ_DB) private readonly database: SqlClient) {}

  /** Returns `{ status: "ok" }` once the database responds, else 503 naming the database that does not. */
  @Public()
  @Get('health')
  async health() {
    try {
      await this.database.query('select 1');
      return { status: 'ok' };
    } catch (error) {
      throw new HttpException(
        { statusCode: 503, code: 'HEALTH.DOWN', message: `database ${this.database.label} did not respond: ${(error as Error).message}` },
        503,
      );
    }
  }

  @Roles('maker', 'auditor', 'reporter')
  @Get('metrics')
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
