import { Module } from '@nestjs/common';
import { ReadModels } from './read-models.service';

@Module({ providers: [ReadModels], exports: [ReadModels] })
export class ReadModelsModule {}
