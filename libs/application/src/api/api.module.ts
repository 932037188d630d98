import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { MulterModule } from '@nestjs/platform-express';
import { AppConfig } from '../config/app-config';
import { importSpoolDirectory } from '../infrastructure/infrastructure';
import { APP_CONFIG } from '../infrastructure/tokens';
import { CommandExecutor } from '../commands/command-executor';
import { ReadModelsModule } from '../read-models/read-models.module';
import {
  AssignCampaignProfilesHandler,
  ChangeCampaignSettingsHandler,
  CreateCampaignHandler,
  DefineTargetLayoutsHandler,
  DeleteCampaignHandler,
  ToggleCampaignStatusHandler,
} from '../use-cases/campaign.commands';
import { CampaignAsOf } from '../use-cases/campaign-as-of';
import { DuplicateCampaignHandler } from '../use-cases/campaign-copy.commands';
import { TargetCopier } from '../use-cases/target-copier';
import { EmptyCampaignHandler } from '../use-cases/campaign-empty.commands';
import {
  ChangeProfileHandler,
  CreateCalendarHandler,
  CreateProfileHandler,
  CreateTemplateHandler,
  RegisterSenderHandler,
} from '../use-cases/catalog.commands';
import { CalendarsController } from './calendars/calendars.controller';
import { ProfilesController } from './profiles/profiles.controller';
import { BannerController } from './banner/banner.controller';
import { CalibrateTargetsHandler } from '../use-cases/calibrate-targets.commands';
import { CampaignTargets } from '../use-cases/campaign-targets';
import {
  AddTargetHandler,
  DeleteTargetHandler,
  DuplicateTargetHandler,
  RemoveTargetHandler,
  RescheduleTargetHandler,
} from '../use-cases/target.commands';
import { TargetWriter } from '../use-cases/target-writer';
import { AuthGuard } from './auth/auth.guard';
import { CampaignsController } from './campaigns/campaigns.controller';
import { ContentTypeInterceptor } from './errors/content-type.interceptor';
import { UndeclaredInputInterceptor } from './errors/undeclared-input.interceptor';
import { RevisionEtagInterceptor } from './revision-etag.interceptor';
import { HttpErrorFilter } from './errors/http-error.filter';
import { SafeInputPipe } from './errors/safe-input.pipe';
import { createValidationPipe } from './errors/validation';
import { HealthController } from './health/health.controller';
import { ImportsController, MAX_IMPORT_FILE_BYTES } from './imports/imports.controller';
import { ImportRunner } from './imports/import-runner';
import { SendersController } from './senders/senders.controller';
import { SendsController, TargetsController } from './targets/targets.controller';
import { TargetExportController } from './targets/target-export.controller';
import { TemplatesController } from './templates/templates.controller';
import { OptOutsController } from './opt-outs/opt-outs.controller';
import { AddOptOutHandler, OptOutList, RemoveOptOutHandler } from '../use-cases/opt-out.commands';
import { ReporterController, ReporterReadModel } from './reporter/reporter.controller';
import { ErasuresController } from './erasures/erasures.controller';
import { EraseNumberHandler } from './erasures/number-erasure';

/** The REST API: Maker, Banner and Reporter endpoints, behind bearer-token auth. */
@Module({
  imports: [
    CqrsModule.forRoot(),
    ReadModelsModule,
    // Multipart uploads are written to the spool folder as they arrive, never held in memory.
    MulterModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ dest: importSpoolDirectory(config), limits: { fileSize: MAX_IMPORT_FILE_BYTES, files: 1 } }),
    }),
  ],
  controllers: [
    HealthController,
    SendersController,
    TemplatesController,
    CalendarsController,
    ProfilesController,
    BannerController,
    CampaignsController,
    TargetExportController,
    TargetsController,
    SendsController,
    ImportsController,
    OptOutsController,
    ReporterController,
    ErasuresController,
  ],
  providers: [
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_FILTER, useClass: HttpErrorFilter },
    { provide: APP_INTERCEPTOR, useClass: ContentTypeInterceptor },
    { provide: APP_INTERCEPTOR, useClass: UndeclaredInputInterceptor },
    { provide: APP_INTERCEPTOR, useClass: RevisionEtagInterceptor },
    // Global pipes run in the order they are listed here: SafeInputPipe must see the input first.
    { provide: APP_PIPE, useClass: SafeInputPipe },
    { provide: APP_PIPE, useFactory: createValidationPipe },
    CommandExecutor,
    TargetWriter,
    ImportRunner,
    RegisterSenderHandler,
    CreateTemplateHandler,
    CreateCalendarHandler,
    CreateProfileHandler,
    ChangeProfileHandler,
    AssignCampaignProfilesHandler,
    CreateCampaignHandler,
    ToggleCampaignStatusHandler,
    ChangeCampaignSettingsHandler,
    DeleteCampaignHandler,
    DefineTargetLayoutsHandler,
    DuplicateCampaignHandler,
    TargetCopier,
    EmptyCampaignHandler,
    CampaignAsOf,
    CampaignTargets,
    AddTargetHandler,
    RemoveTargetHandler,
    RescheduleTargetHandler,
    DeleteTargetHandler,
    DuplicateTargetHandler,
    CalibrateTargetsHandler,
    OptOutList,
    AddOptOutHandler,
    RemoveOptOutHandler,
    ReporterReadModel,
    EraseNumberHandler,
  ],
})
export class ApiModule {}
