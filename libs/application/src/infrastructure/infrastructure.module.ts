import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppLogger } from '../logging/logger';
import { Infrastructure } from './infrastructure';
import { APP_CONFIG, COMMAND_TRANSPORT, EVENT_STORE, INFRASTRUCTURE, LOGGER, READ_DB, READ_STORE, SECRETS, SUBJECT_KEYS } from './tokens';

/** Exposes the adapters of one process to every module; closes them when Nest shuts down. */
@Global()
@Module({})
export class InfrastructureModule implements OnApplicationShutdown {
  constructor(
    @Inject(INFRASTRUCTURE) private readonly infrastructure: Infrastructure,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  static forRoot(infrastructure: Infrastructure, logger: AppLogger): DynamicModule {
    const providers = [
      { provide: INFRASTRUCTURE, useValue: infrastructure },
      { provide: APP_CONFIG, useValue: infrastructure.config },
      { provide: SECRETS, useValue: infrastructure.secrets },
      { provide: EVENT_STORE, useValue: infrastructure.eventStore },
      { provide: SUBJECT_KEYS, useValue: infrastructure.subjectKeys },
      { provide: READ_DB, useValue: infrastructure.readDb },
      { provide: READ_STORE, useValue: infrastructure.readStore },
      { provide: COMMAND_TRANSPORT, useValue: infrastructure.transport },
      { provide: LOGGER, useValue: logger },
    ];
    return { module: InfrastructureModule, providers, exports: providers.map((provider) => provider.provide) };
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    await this.infrastructure.close();
    this.logger.info({ signal }, 'service stopped; adapters closed');
  }
}
