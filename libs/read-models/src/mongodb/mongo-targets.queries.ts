import { DomainError } from '@sms/domain';
import type { Db, Filter } from 'mongodb';
import { TargetCounts } from '../campaigns/target-counts';
import type { TargetQueryPort } from '../read-model-store.port';
import { Page, resolvePage } from '../shared/paging';
import { ERASED } from '../targets/target-rows';
import type {
  AttemptReference,
  AttemptView,
  DueTarget,
  ReceiptTarget,
  SendHistoryItem,
  SendHistoryRequest,
  StaleClaim,
  TargetDetails,
  TargetListRequest,
  TargetRecord,
  TargetScanRequest,
  TargetSummary,
  ZoneFilter,
} from '../targets/targets.queries';
import { countsOf } from './mongo-campaigns';
import { AttemptDocument, CampaignDocument, COLLECTIONS, COUNT_FIELDS, TargetDocument, toIso } from './mongo-documents';

/** The target, attempt and send-history queries over MongoDB, with the results and order of the SQL ones. */
export class MongoTargetQueries implements TargetQueryPort {
  constructor(private readonly db: Db) {}

  private get targets() {
    return this.db.collection<TargetDocument>(COLLECTIONS.targets);
  }

  private get attempts() {
    return this.db.collection<AttemptDocument>(COLLECTIONS.attempts);
  }

  /**
   * Returns up to `limit` PENDING targets due at `now`, by priority (highest first), then start
   * date (none first), then id: one range of the `due` index.
   */
  async findDueTargets(campaignId: string, now: Date | string, limit: number, zones?: ZoneFilter): Promise<DueTarget[]> {
    if (!Number.isInteger(limit) || limit < 0) {
      throw DomainError.invalid('QUERY.INVALID_LIMIT', 'limit', limit, 'must be an integer of 0 or more');
    }
    if (limit === 0) {
      return [];
    }
    const filter: Filter<TargetDocument> = { campaignId, status: 'PENDING', dueAt: { $lte: new Date(now) } };
    if (zones !== undefined) {
      const zoneFilter: Filter<TargetDocument>[] = [{ timeZone: { $in: [...zones.zones] } }];
      if (zones.withoutZone) {
        zoneFilter.push({ timeZone: null });
      }
      filter.$or = zoneFilter;
    }
    const documents = await this.targets.find(filter).sort({ priority: -1, dueAt: 1, _id: 1 }).limit(limit).toArray();
    return documents.map((document) => ({
      id: document._id,
      revision: document.revision,
      phoneNumber: document.phoneNumber,
      layout: document.layout,
      startDate: toIso(document.startDate),
      priority: document.priority,
      attempts: document.attempts,
    }));
  }

  async listTargets(campaignId: string, request: TargetListRequest = {}): Promise<Page<TargetSummary>> {
    const { page, pageSize, offset } = resolvePage(request);
    const filter: Filter<TargetDocument> = { campaignId };
    if (request.status !== undefined) {
      filter.status = request.status;
    }
    if (request.phone !== undefined) {
      filter.phoneNumber = request.phone;
    }
    const [documents, total] = await Promise.all([
      this.targets.find(filter).sort({ priority: -1, dueAt: 1, _id: 1 }).skip(offset).limit(pageSize).toArray(),
      this.countTargets(campaignId, request, filter),
    ]);
    const items = documents.map((document) => ({
      id: document._id,
      phoneNumber: phoneOrNull(document.phoneNumber),
      startDate: toIso(document.startDate),
      priority: document.priority,
      status: document.status,
      attempts: document.attempts,
      lastAttemptAt: toIso(document.lastAttemptAt),
    }));
    return { items, total, page, pageSize };
  }

  async scanTargets(campaignId: string, request: TargetScanRequest): Promise<TargetRecord[]> {
    const filter: Filter<TargetDocument> = { campaignId };
    if (request.afterId !== undefined) {
      filter._id = { $gt: request.afterId };
    }
    if (request.status !== undefined) {
      filter.status = request.status;
    }
    const documents = await this.targets.find(filter).sort({ _id: 1 }).limit(request.limit).toArray();
    return documents.map((document) => ({
      id: document._id,
      revision: document.revision,
      phoneNumber: phoneOrNull(document.phoneNumber),
      startDate: toIso(document.startDate),
      priority: document.priority,
      status: document.status,
      timeZone: document.timeZone,
      layout: document.layout,
    }));
  }

  async pendingTimeZones(campaignId: string): Promise<string[]> {
    const zones = await this.targets.distinct('timeZone', { campaignId, status: 'PENDING', timeZone: { $ne: null } });
    return zones.filter((zone): zone is string => typeof zone === 'string').sort();
  }

  async findStaleClaims(claimedBefore: Date | string, limit: number): Promise<StaleClaim[]> {
    const documents = await this.targets
      .find({ status: 'IN_PROGRESS', lastAttemptAt: { $lt: new Date(claimedBefore) } })
      .sort({ lastAttemptAt: 1, _id: 1 })
      .limit(limit)
      .toArray();
    return documents.map((document) => ({
      id: document._id,
      campaignId: document.campaignId,
      phoneNumber: document.phoneNumber,
      layout: document.layout,
      claimedAt: toIso(document.lastAttemptAt) ?? '',
    }));
  }

  async pendingLayoutNames(campaignId: string): Promise<string[]> {
    const names = await this.targets.distinct('layout.name', { campaignId, status: 'PENDING', layout: { $ne: null } });
    return names.filter((name): name is string => typeof name === 'string').sort();
  }

  async getTarget(campaignId: string, targetId: string): Promise<TargetDetails | null> {
    const target = await this.targets.findOne({ _id: targetId, campaignId });
    if (target === null) {
      return null;
    }
    const attempts = await this.attempts.find({ targetId }).sort({ attemptNumber: 1 }).toArray();
    return {
      id: target._id,
      campaignId: target.campaignId,
      phoneNumber: phoneOrNull(target.phoneNumber),
      startDate: toIso(target.startDate),
      priority: target.priority,
      status: target.status,
      timeZone: target.timeZone,
      layout: target.layout,
      importId: target.importId,
      revision: target.revision,
      lastAttemptAt: toIso(target.lastAttemptAt),
      attempts: attempts.map(toAttemptView),
    };
  }

  /** Lists the campaign's attempts, newest first (by start time, then attempt id). */
  async listSends(campaignId: string, request: SendHistoryRequest = {}): Promise<Page<SendHistoryItem>> {
    const { page, pageSize, offset } = resolvePage(request);
    const filter: Filter<AttemptDocument> = { campaignId };
    const startedAt: { $gte?: Date; $lt?: Date } = {};
    if (request.from !== undefined) {
      startedAt.$gte = new Date(request.from);
    }
    if (request.to !== undefined) {
      startedAt.$lt = new Date(request.to);
    }
    if (startedAt.$gte !== undefined || startedAt.$lt !== undefined) {
      filter.startedAt = startedAt;
    }
    if (request.phone !== undefined) {
      // Goes through the targets' phone index, because a number has few targets and a campaign many attempts.
      const targetIds = await this.targets.distinct('_id', { campaignId, phoneNumber: request.phone });
      filter.targetId = { $in: targetIds };
    }
    const [documents, total] = await Promise.all([
      this.attempts.find(filter).sort({ startedAt: -1, _id: -1 }).skip(offset).limit(pageSize).toArray(),
      this.attempts.countDocuments(filter),
    ]);
    const items = documents.map((document) => ({
      attemptId: document._id,
      targetId: document.targetId,
      status: document.status,
      phoneNumber: phoneOrNull(document.phoneNumber),
      startDate: document.startedAt.toISOString(),
      endDate: toIso(document.endedAt),
      sessionId: document.sessionId,
    }));
    return { items, total, page, pageSize };
  }

  /** Finds the latest attempt of each provider message id, with its target's status and revision. */
  async findReceiptTargets(providerMessageIds: readonly string[]): Promise<ReceiptTarget[]> {
    if (providerMessageIds.length === 0) {
      return [];
    }
    const attempts = await this.attempts
      .find({ providerMessageId: { $in: [...providerMessageIds] } })
      .sort({ providerMessageId: 1, startedAt: -1 })
      .toArray();
    const latest = new Map<string, AttemptDocument>();
    for (const attempt of attempts) {
      if (attempt.providerMessageId !== null && !latest.has(attempt.providerMessageId)) {
        latest.set(attempt.providerMessageId, attempt);
      }
    }
    const targetIds = [...new Set([...latest.values()].map((attempt) => attempt.targetId))];
    const targets = new Map((await this.targets.find({ _id: { $in: targetIds } }).toArray()).map((target) => [target._id, target]));
    return [...latest].flatMap(([providerMessageId, attempt]) => {
      const target = targets.get(attempt.targetId);
      return target === undefined
        ? []
        : [
            {
              providerMessageId,
              attemptId: attempt._id,
              targetId: attempt.targetId,
              campaignId: attempt.campaignId,
              sessionId: attempt.sessionId,
              attemptNumber: attempt.attemptNumber,
              attemptStatus: attempt.status,
              targetStatus: target.status,
              targetRevision: target.revision,
            },
          ];
    });
  }

  async findAttemptByProviderMessageId(providerMessageId: string): Promise<AttemptReference | null> {
    const attempt = await this.attempts.findOne({ providerMessageId }, { sort: { startedAt: -1 } });
    return attempt === null ? null : { attemptId: attempt._id, targetId: attempt.targetId, campaignId: attempt.campaignId };
  }

  async countTargetsByStatus(campaignId: string): Promise<TargetCounts> {
    return countsOf(await this.db.collection<CampaignDocument>(COLLECTIONS.campaigns).findOne({ _id: campaignId }));
  }

  /** Reads the total from the campaign's counts unless a phone filter applies, as the SQL store does. */
  private async countTargets(campaignId: string, request: TargetListRequest, filter: Filter<TargetDocument>): Promise<number> {
    if (request.phone !== undefined) {
      return this.targets.countDocuments(filter);
    }
    const counts = await this.countTargetsByStatus(campaignId);
    if (request.status !== undefined) {
      return counts[COUNT_FIELDS[request.status]];
    }
    return Object.values(counts).reduce((sum, count) => sum + count, 0);
  }
}

function toAttemptView(document: AttemptDocument): AttemptView {
  return {
    id: document._id,
    attemptNumber: document.attemptNumber,
    status: document.status,
    sessionId: document.sessionId,
    startedAt: document.startedAt.toISOString(),
    endedAt: toIso(document.endedAt),
    providerMessageId: document.providerMessageId,
    error: document.error,
    encoding: document.encoding,
    segments: document.segments,
  };
}

function phoneOrNull(stored: string): string | null {
  return stored === ERASED ? null : stored;
}
