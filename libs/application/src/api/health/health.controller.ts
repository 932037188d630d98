import { Controller, Get, Header, HttpException, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ReadModelStore } from '@sms/read-models';
import { register } from 'prom-client';
import { READ_STORE } from '../../infrastructure/tokens';
import { Public, Roles } from '../auth/roles';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(@Inject(READ_STORE) private readonly readStore: ReadModelStore) {}

  /** Returns `{ status: "ok" }` once the read-model database responds, else 503 naming the database that does not. */
  @Public()
  @Get('health')
  async health() {
    try {
      await this.readStore.ping();
      return { status: 'ok' };
    } catch (error) {
      throw new HttpException(
        { statusCode: 503, code: 'HEALTH.DOWN', message: `database ${this.readStore.label} did not respond: ${(error as Error).message}` },
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
