import { Module } from '@nestjs/common';
import { AttemptFeedService } from './attempt-feed.service';
import { ProjectorService } from './projector.service';

@Module({ providers: [ProjectorService, AttemptFeedService], exports: [ProjectorService] })
export class ProjectorModule {}
