import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { calendarRulesOf, CalendarRules, DomainError, normalisePhoneNumber, TargetStatus } from '@sms/domain';
import { comparePositions, GlobalPosition } from '@sms/event-store';
import { CampaignListRequest, DueTarget as DueTargetRow, ReadModelQueryPort, ReadModelStore, ZoneFilter } from '@sms/read-models';
import { READ_SCHEMA } from '../infrastructure/infrastructure';
import { READ_STORE } from '../infrastructure/tokens';
import { limitsOf, ThroughputLimit } from '../throughput/throughput-slots';

/** The settings of a campaign that is ON that the scheduler uses. */
export interface RunningCampaign {
  readonly id: string;
  readonly sessionId: string;
  readonly refreshSeconds: number;
  readonly endDate: string | null;
  readonly throughputPerSecond: number | null;
  readonly calendarId: string | null;
  readonly senderId: string;
  /** The sender's own cap, shared by every campaign that sends under it; null for none. */
  readonly senderThroughputPerSecond: number | null;
}

export type DueTarget = DueTargetRow;

/** Name of the projection whose checkpoint the scheduler waits for after a claim. */
export const TARGETS_PROJECTION = `${READ_SCHEMA}.targets`;

/**
 * The read side as the application uses it: the read-model queries, plus the input rules of the
 * REST filters (a phone filter is normalised like the numbers it is compared with).
 */
@Injectable()
export class ReadModels implements OnModuleInit {
  readonly queries: ReadModelQueryPort;

  constructor(@Inject(READ_STORE) private readonly store: ReadModelStore) {
    this.queries = store.queries;
  }

  /**
   * Creates the read-model tables or collections when missing, so a process that only reads
   * (api, scheduler, sender) can start before the projector.
   */
  async onModuleInit(): Promise<void> {
    await this.store.setUp();
  }

  async getSender(id: string) {
    return (await this.queries.senders.getSender(id)) ?? undefined;
  }

  listSenders(page: number, pageSize: number) {
    return this.queries.senders.listSenders({ page, pageSize });
  }

  async getTemplate(id: string) {
    return (await this.queries.templates.getTemplate(id)) ?? undefined;
  }

  listTemplates(page: number, pageSize: number) {
    return this.queries.templates.listTemplates({ page, pageSize });
  }

  async getCampaign(id: string) {
    return (await this.queries.campaigns.getCampaign(id)) ?? undefined;
  }

  listCampaigns(request: CampaignListRequest) {
    return this.queries.campaigns.listCampaigns(request);
  }

  async listRunningCampaigns(): Promise<RunningCampaign[]> {
    const campaigns = await this.queries.campaigns.listActiveCampaigns();
    const senderIds = [...new Set(campaigns.map(({ settings }) => settings.senderId))];
    const senders = new Map(await Promise.all(senderIds.map(async (id) => [id, await this.queries.senders.getSender(id)] as const)));
    return campaigns.map(({ id, sessionId, settings }) => ({
      id,
      sessionId,
      refreshSeconds: settings.refreshSeconds,
      endDate: settings.endDate,
      throughputPerSecond: settings.throughputPerSecond,
      calendarId: settings.calendarId,
      senderId: settings.senderId,
      senderThroughputPerSecond: senders.get(settings.senderId)?.throughputPerSecond ?? null,
    }));
  }

  /** The throughput caps of a campaign and of its sender, as the read models show them; none for an unknown campaign. */
  async throughputLimits(campaignId: string): Promise<ThroughputLimit[]> {
    const campaign = await this.queries.campaigns.getCampaign(campaignId);
    if (campaign === null) return [];
    const sender = await this.queries.senders.getSender(campaign.senderId);
    return limitsOf(
      { id: campaign.id, throughputPerSecond: campaign.throughputPerSecond },
      { id: campaign.senderId, throughputPerSecond: sender?.throughputPerSecond ?? null },
    );
  }

  listTargets(campaignId: string, query: { status?: string; phone?: string; defaultCountry?: string; page: number; pageSize: number }) {
    return this.queries.targets.listTargets(campaignId, {
      status: query.status as TargetStatus | undefined,
      phone: query.phone === undefined ? undefined : normaliseFilter(query.phone, query.defaultCountry),
      page: query.page,
      pageSize: query.pageSize,
    });
  }

  async getTarget(campaignId: string, targetId: string) {
    return (await this.queries.targets.getTarget(campaignId, targetId)) ?? undefined;
  }

  sendHistory(
    campaignId: string,
    query: { from?: string; to?: string; phone?: string; defaultCountry?: string; page: number; pageSize: number },
  ) {
    return this.queries.targets.listSends(campaignId, {
      from: query.from,
      to: query.to,
      phone: query.phone === undefined ? undefined : normaliseFilter(query.phone, query.defaultCountry),
      page: query.page,
      pageSize: query.pageSize,
    });
  }

  /** Returns the rules of a calendar, or undefined while the read model does not have it yet. */
  async calendarRules(calendarId: string): Promise<CalendarRules | undefined> {
    const calendar = await this.queries.calendars.getCalendar(calendarId);
    return calendar === null ? undefined : calendarRulesOf(calendar);
  }

  /** Counts the attempts of the campaign claimed and without a provider response yet, as the read model last saw them. */
  async countInFlight(campaignId: string): Promise<number> {
    const counts = await this.queries.targets.countTargetsByStatus(campaignId);
    return counts.inProgress;
  }

  dueTargets(campaignId: string, now: string, limit: number, zones?: ZoneFilter): Promise<DueTarget[]> {
    return this.queries.targets.findDueTargets(campaignId, now, limit, zones);
  }

  listOptOuts(query: { phone?: string; defaultCountry?: string; page: number; pageSize: number }) {
    return this.queries.optOuts.listOptOuts({
      phone: query.phone === undefined ? undefined : normaliseFilter(query.phone, query.defaultCountry),
      page: query.page,
      pageSize: query.pageSize,
    });
  }

  /** Returns which of the E.164 numbers are on the do-not-contact list, in one query. */
  optedOutNumbers(phoneNumbers: readonly string[]): Promise<Set<string>> {
    return this.queries.optOuts.findOptedOut(phoneNumbers);
  }

  /** Finds the latest message to a number that the provider accepted; undefined when none was. */
  async replyOrigin(phoneNumber: string) {
    return (await this.queries.replyOrigins.findReplyOrigin(phoneNumber)) ?? undefined;
  }

  async getImport(id: string) {
    return (await this.queries.imports.getImport(id)) ?? undefined;
  }

  /**
   * Waits until the targets projection has applied `position`, polling its checkpoint (the
   * projector may run in another process). Gives up silently after `timeoutMs`: callers only
   * use it to avoid needless conflicts, never for correctness.
   */
  async waitForTargets(position: GlobalPosition, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const checkpoint = await this.store.targetsCheckpoint();
      if (checkpoint !== undefined && comparePositions(checkpoint, position) >= 0) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

function normaliseFilter(phone: string, defaultCountry = 'FR'): string {
  const result = normalisePhoneNumber(phone, defaultCountry);
  if (!result.ok) {
    throw DomainError.invalid('REQUEST.INVALID_PHONE_FILTER', 'phone', phone, result.rule);
  }
  return result.e164;
}
