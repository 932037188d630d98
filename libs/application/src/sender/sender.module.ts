import { DynamicModule, Module } from '@nestjs/common';
import { SmsGateway } from '@sms/sms-gateway';
import { EventStore } from '@sms/event-store';
import { BatchingAppender } from '../commands/batching-appender';
import { CommandExecutor } from '../commands/command-executor';
import { EVENT_STORE } from '../infrastructure/tokens';
import { RecentSubmissions } from './recent-submissions';
import { ReadModelsModule } from '../read-models/read-models.module';
import { CampaignContextCache } from './campaign-context.cache';
import { DeliveryReceiptHandler } from './delivery-receipt.handler';
import { SendSmsWorker } from './send-sms.worker';
import { SenderMetrics } from './sender.metrics';
import { SMS_GATEWAY } from './sender.tokens';
import { OptOutList } from '../use-cases/opt-out.commands';
import { ChatFlowPublisher } from './chat-flow.publisher';
import { OptOutCheck } from './opt-out-check';
import { ReplyHandler } from './reply.handler';
import { ThroughputSlots } from '../throughput/throughput-slots';

/** Consumes send commands and talks to the SMSC; the gateway is bound before the module starts. */
@Module({})
export class SenderModule {
  static forGateway(gateway: SmsGateway): DynamicModule {
    return {
      module: SenderModule,
      imports: [ReadModelsModule],
      providers: [
        { provide: SMS_GATEWAY, useValue: gateway },
        { provide: BatchingAppender, inject: [EVENT_STORE], useFactory: (store: EventStore) => new BatchingAppender(store) },
        { provide: RecentSubmissions, useValue: new RecentSubmissions() },
        CommandExecutor,
        CampaignContextCache,
        DeliveryReceiptHandler,
        SendSmsWorker,
        ThroughputSlots,
        SenderMetrics,
        OptOutCheck,
        OptOutList,
        ReplyHandler,
        ChatFlowPublisher,
      ],
      exports: [DeliveryReceiptHandler],
    };
  }
}
