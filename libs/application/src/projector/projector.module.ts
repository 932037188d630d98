import { Module } from '@nestjs/common';
import { APP_CONFIG, EVENT_STORE, LOGGER, READ_DB, READ_STORE } from '../infrastructure/tokens';
import { AttemptFeedService } from './attempt-feed.service';
import { ProjectorService } from './projector.service';
import { createReadModelProjector, READ_MODEL_PROJECTOR } from './read-model-projector';

@Module({
  providers: [
    { provide: READ_MODEL_PROJECTOR, useFactory: createReadModelProjector, inject: [APP_CONFIG, EVENT_STORE, READ_DB, READ_STORE, LOGGER] },
    ProjectorService,
    AttemptFeedService,
  ],
  exports: [ProjectorService],
})
export class ProjectorModule {}
