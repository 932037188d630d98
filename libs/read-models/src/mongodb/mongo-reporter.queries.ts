import type { Db, Filter } from 'mongodb';
import type { ReporterQueryPort } from '../read-model-store.port';
import type { AttemptCounters, AttemptReportRequest, AttemptReportRow, CampaignAttemptCounters } from '../reporter/reporter.queries';
import { AttemptStatus, ERASED } from '../targets/target-rows';
import { AttemptDocument, CampaignDocument, COLLECTIONS, toIso } from './mongo-documents';

/** One group of the counters aggregation: the attempts of one session in one status. */
interface CounterGroup {
  _id: { sessionId: string; status: AttemptStatus };
  attempts: number;
  segments: number;
  firstStartedAt: Date;
  lastStartedAt: Date;
}

/** The Reporter data source over MongoDB, with the results and order of the SQL queries. */
export class MongoReporterQueries implements ReporterQueryPort {
  constructor(private readonly db: Db) {}

  private get attempts() {
    return this.db.collection<AttemptDocument>(COLLECTIONS.attempts);
  }

  /**
   * Returns up to `limit` attempts matching the filters, oldest first by (startedAt, attemptId),
   * after `request.after`. With a campaignId the query walks the `attempts_by_campaign` index,
   * without one the `attempts_by_start` index.
   */
  async listAttempts(request: AttemptReportRequest): Promise<AttemptReportRow[]> {
    // `limit(0)` means no limit to MongoDB, where LIMIT 0 returns no row.
    if (request.limit <= 0) {
      return [];
    }
    const documents = await this.attempts.find(reportFilter(request)).sort({ startedAt: 1, _id: 1 }).limit(request.limit).toArray();
    const campaignIds = [...new Set(documents.map((document) => document.campaignId))];
    const campaigns = await this.db
      .collection<CampaignDocument>(COLLECTIONS.campaigns)
      .find({ _id: { $in: campaignIds }, revision: { $ne: null } }, { projection: { name: 1 } })
      .toArray();
    const names = new Map(campaigns.map((campaign) => [campaign._id, campaign.name ?? null]));
    return documents.map((document) => toReportRow(document, names.get(document.campaignId) ?? null));
  }

  /**
   * Counts the campaign's attempts per status and session, with their segments, in one grouped
   * aggregation over the campaign's index range. With `sessionId`, only that session is counted.
   */
  async countAttempts(campaignId: string, sessionId?: string): Promise<CampaignAttemptCounters> {
    const match: Filter<AttemptDocument> = { campaignId };
    if (sessionId !== undefined) {
      match.sessionId = sessionId;
    }
    const groups = await this.attempts
      .aggregate<CounterGroup>([
        { $match: match },
        {
          $group: {
            _id: { sessionId: '$sessionId', status: '$status' },
            attempts: { $sum: 1 },
            // $sum skips null, as SQL sum() does, so an attempt without segments adds nothing.
            segments: { $sum: '$segments' },
            firstStartedAt: { $min: '$startedAt' },
            lastStartedAt: { $max: '$startedAt' },
          },
        },
      ])
      .toArray();

    const sessions = new Map<string, MutableCounters>();
    const total = emptyCounters();
    for (const group of groups) {
      const session = sessions.get(group._id.sessionId) ?? emptyCounters();
      sessions.set(group._id.sessionId, session);
      addGroup(session, group);
      addGroup(total, group);
    }
    const sessionList = [...sessions.entries()]
      .map(([id, counters]) => ({ sessionId: id, ...toCounters(counters) }))
      .sort((a, b) => (a.firstStartedAt ?? '').localeCompare(b.firstStartedAt ?? '') || a.sessionId.localeCompare(b.sessionId));
    return { campaignId, ...toCounters(total), sessions: sessionList };
  }
}

function reportFilter(request: AttemptReportRequest): Filter<AttemptDocument> {
  const filter: Filter<AttemptDocument> = {};
  if (request.campaignId !== undefined) {
    filter.campaignId = request.campaignId;
  }
  if (request.sessionId !== undefined) {
    filter.sessionId = request.sessionId;
  }
  const startedAt: { $gte?: Date; $lt?: Date } = {};
  if (request.from !== undefined) {
    startedAt.$gte = new Date(request.from);
  }
  if (request.to !== undefined) {
    startedAt.$lt = new Date(request.to);
  }
  if (request.after !== undefined) {
    // (startedAt, id) > (after.startedAt, after.attemptId), written so that the index range starts at after.startedAt.
    const afterStart = new Date(request.after.startedAt);
    if (startedAt.$gte === undefined || startedAt.$gte < afterStart) {
      startedAt.$gte = afterStart;
    }
    filter.$or = [{ startedAt: { $gt: afterStart } }, { _id: { $gt: request.after.attemptId } }];
  }
  if (startedAt.$gte !== undefined || startedAt.$lt !== undefined) {
    filter.startedAt = startedAt;
  }
  return filter;
}

type MutableCounters = {
  attempts: number;
  byStatus: Partial<Record<AttemptStatus, number>>;
  segments: number;
  firstStartedAt: Date | null;
  lastStartedAt: Date | null;
};

function emptyCounters(): MutableCounters {
  return { attempts: 0, byStatus: {}, segments: 0, firstStartedAt: null, lastStartedAt: null };
}

function addGroup(counters: MutableCounters, group: CounterGroup): void {
  counters.attempts += group.attempts;
  counters.byStatus[group._id.status] = (counters.byStatus[group._id.status] ?? 0) + group.attempts;
  counters.segments += group.segments;
  if (counters.firstStartedAt === null || group.firstStartedAt < counters.firstStartedAt) {
    counters.firstStartedAt = group.firstStartedAt;
  }
  if (counters.lastStartedAt === null || group.lastStartedAt > counters.lastStartedAt) {
    counters.lastStartedAt = group.lastStartedAt;
  }
}

function toCounters(counters: MutableCounters): AttemptCounters {
  return {
    attempts: counters.attempts,
    byStatus: counters.byStatus,
    segments: counters.segments,
    firstStartedAt: toIso(counters.firstStartedAt),
    lastStartedAt: toIso(counters.lastStartedAt),
  };
}

function toReportRow(document: AttemptDocument, campaignName: string | null): AttemptReportRow {
  return {
    campaignId: document.campaignId,
    campaignName,
    sessionId: document.sessionId,
    targetId: document.targetId,
    attemptId: document._id,
    attemptNumber: document.attemptNumber,
    phoneNumber: document.phoneNumber === ERASED ? null : document.phoneNumber,
    status: document.status,
    startedAt: document.startedAt.toISOString(),
    endedAt: toIso(document.endedAt),
    segments: document.segments,
    encoding: document.encoding,
    providerMessageId: document.providerMessageId,
    errorCode: document.error?.code ?? null,
    errorReason: document.error?.reason ?? null,
  };
}
