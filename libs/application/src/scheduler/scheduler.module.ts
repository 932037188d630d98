import { Module } from '@nestjs/common';
import { ReadModelsModule } from '../read-models/read-models.module';
import { ThroughputSlots } from '../throughput/throughput-slots';
import { DispatchScheduler } from './dispatch-scheduler';

@Module({ imports: [ReadModelsModule], providers: [DispatchScheduler, ThroughputSlots], exports: [DispatchScheduler] })
export class SchedulerModule {}
