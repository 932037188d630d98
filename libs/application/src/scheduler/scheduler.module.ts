import { Module } from '@nestjs/common';
import { ReadModelsModule } from '../read-models/read-models.module';
import { DispatchScheduler } from './dispatch-scheduler';

@Module({ imports: [ReadModelsModule], providers: [DispatchScheduler], exports: [DispatchScheduler] })
export class SchedulerModule {}
