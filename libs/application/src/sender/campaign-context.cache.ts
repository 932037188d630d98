import { Injectable } from '@nestjs/common';
import { ReadModels } from '../read-models/read-models.service';

/** The campaign settings a sender uses to send one of its messages. */
export interface SendingContext {
  /** Originator shown on the phone. */
  readonly senderId: string;
  readonly templateBody: string;
  readonly maxAttempts: number;
  readonly retryDelaySeconds: number;
}

const TIME_TO_LIVE_MS = 5_000;

/** Caches sending contexts for a few seconds: thousands of sends per second share a handful of campaigns. */
@Injectable()
export class CampaignContextCache {
  private readonly entries = new Map<string, { context: Promise<SendingContext>; expiresAt: number }>();

  constructor(private readonly readModels: ReadModels) {}

  get(campaignId: string): Promise<SendingContext> {
    const now = Date.now();
    const entry = this.entries.get(campaignId);
    if (entry !== undefined && entry.expiresAt > now) {
      return entry.context;
    }
    const context = this.load(campaignId);
    this.entries.set(campaignId, { context, expiresAt: now + TIME_TO_LIVE_MS });
    context.catch(() => this.entries.delete(campaignId));
    return context;
  }

  private async load(campaignId: string): Promise<SendingContext> {
    const campaign = await this.readModels.getCampaign(campaignId);
    if (campaign === undefined) {
      throw new Error(`campaign '${campaignId}' is not in the read model yet`);
    }
    const [sender, template] = await Promise.all([
      this.readModels.getSender(campaign.senderId),
      this.readModels.getTemplate(campaign.templateId),
    ]);
    if (sender === undefined || template === undefined) {
      throw new Error(`sender or template of campaign '${campaignId}' is not in the read model yet`);
    }
    return {
      senderId: sender.senderId,
      templateBody: template.body,
      maxAttempts: campaign.maxAttempts,
      retryDelaySeconds: campaign.retryDelaySeconds,
    };
  }
}
