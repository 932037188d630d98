import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { GlobalPosition } from '@sms/event-store';
import { LOGGER } from '../infrastructure/tokens';
import { AppLogger } from '../logging/logger';
import { READ_MODEL_PROJECTOR, ReadModelProjector } from './read-model-projector';

/** Runs every read-model projection, each from its own checkpoint in the read store. */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(READ_MODEL_PROJECTOR) readonly runner: ReadModelProjector,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
    this.logger.info({ projections: this.runner.status().map((status) => status.name) }, 'projector started');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
    this.logger.info('projector stopped');
  }

  /** Resolves once every projection has applied `position`: read-your-writes for tests and tools. */
  waitFor(position: GlobalPosition, timeoutMs?: number): Promise<void> {
    return this.runner.waitFor(position, timeoutMs);
  }
}
