import { assertNever, CampaignEvent, CampaignSettings, idFromStreamName, STREAM_PREFIXES } from '@sms/domain';
import type { RecordedEvent } from '@sms/event-store';
import { BSONRegExp, type ClientSession, type Db, type Filter } from 'mongodb';
import type { ActiveCampaign, CampaignDetails, CampaignListRequest, CampaignSummary } from '../campaigns/campaigns.queries';
import { EMPTY_TARGET_COUNTS, TargetCounts } from '../campaigns/target-counts';
import type { CampaignQueryPort } from '../read-model-store.port';
import { Page, PageRequest, resolvePage } from '../shared/paging';
import { asDomainEvent } from '../shared/recorded-domain-event';
import { foldForSearch } from '../shared/search-text';
import { CampaignDocument, COLLECTIONS, escapeRegExp, ProfileDocument, toIso } from './mongo-documents';
import { MongoProjection } from './mongo-projection';
import { writeIfNewer } from './mongo-writes';

const CAMPAIGN_EVENT_TYPES: ReadonlySet<string> = new Set<CampaignEvent['type']>([
  'CampaignCreated',
  'StatusToggled',
  'CampaignSettingsChanged',
  'CampaignDeleted',
  'CampaignProfilesAssigned',
  'TargetLayoutsDefined',
  'CampaignEmptied',
]);

/**
 * The settings, status and session fields of the campaigns collection. Each write filters on a
 * stored revision below the event's, so a replayed event matches nothing.
 */
export class MongoCampaignsProjection implements MongoProjection {
  readonly name = 'campaigns';
  readonly filter = { streamPrefixes: [STREAM_PREFIXES.campaign] };

  /** Removes the settings so that a replay writes them again. The counts, which the targets projection owns, stay. */
  async reset(db: Db): Promise<void> {
    await db.collection<CampaignDocument>(COLLECTIONS.campaigns).updateMany(
      {},
      {
        $set: { revision: null },
        $unset: {
          name: '',
          reference: '',
          alias: '',
          status: '',
          sessionId: '',
          settings: '',
          endDate: '',
          tags: '',
          searchText: '',
          createdAt: '',
          profileIds: '',
          layouts: '',
          copiedFrom: '',
        },
      },
    );
  }

  async project(events: readonly RecordedEvent[], db: Db, session: ClientSession): Promise<void> {
    const campaigns = db.collection<CampaignDocument>(COLLECTIONS.campaigns);
    for (const recorded of events) {
      const id = idFromStreamName(recorded.streamName);
      const revision = recorded.revision;
      const older: Filter<CampaignDocument> = { _id: id, revision: { $lt: revision } };
      const event = asDomainEvent<CampaignEvent>(recorded, CAMPAIGN_EVENT_TYPES);
      if (event === null) {
        await campaigns.updateOne(older, { $set: { revision } }, { session });
        continue;
      }
      switch (event.type) {
        case 'CampaignCreated': {
          const { id: _id, copiedFrom, ...settings } = event.data;
          void _id;
          // The targets projection may have created the document first, with its counts only.
          await writeIfNewer<CampaignDocument>(
            db,
            COLLECTIONS.campaigns,
            id,
            revision,
            {
              set: {
                ...settingsFields(settings),
                status: 'OFF',
                sessionId: null,
                createdAt: new Date(event.metadata.decidedAt),
                copiedFrom: copiedFrom ?? null,
                profileIds: [],
                layouts: [],
              },
            },
            session,
          );
          break;
        }
        case 'StatusToggled':
          await campaigns.updateOne(older, { $set: { revision, status: event.data.status, sessionId: event.data.sessionId } }, { session });
          break;
        case 'CampaignSettingsChanged':
          await campaigns.updateOne(older, { $set: { revision, ...settingsFields(event.data.settings) } }, { session });
          break;
        case 'CampaignDeleted':
          await campaigns.deleteOne({ _id: id }, { session });
          break;
        case 'CampaignProfilesAssigned':
          await campaigns.updateOne(older, { $set: { revision, profileIds: event.data.profileIds } }, { session });
          break;
        case 'TargetLayoutsDefined':
          await campaigns.updateOne(older, { $set: { revision, layouts: event.data.layouts } }, { session });
          break;
        case 'CampaignEmptied':
          await campaigns.updateOne(older, { $set: { revision } }, { session });
          break;
        default:
          assertNever(event);
      }
    }
  }
}

/**
 * Matches one tag in any letter case, as the SQL filter's lower() does. PCRE's `\z` ends the
 * match at the end of the string, where `$` would also match before a final line feed.
 */
function tagPattern(tag: string): BSONRegExp {
  return new BSONRegExp(`^${escapeRegExp(tag)}\\z`, 'i');
}

function settingsFields(settings: CampaignSettings): Partial<CampaignDocument> {
  return {
    name: settings.name,
    reference: settings.reference,
    alias: settings.alias,
    settings,
    endDate: settings.endDate === null ? null : new Date(settings.endDate),
    tags: settings.tags,
    searchText: foldForSearch([settings.name, settings.reference, settings.alias ?? ''].join('\n')),
  };
}

/**
 * Order of the Banner list: by `searchText` (the folded name, then reference and alias after a
 * newline), then id. MongoDB compares strings by their UTF-8 bytes, as the SQL store's "C"
 * collation does.
 */
const BANNER_ORDER = { searchText: 1, _id: 1 } as const;

/** The campaign queries over MongoDB, with the results and order of the SQL ones. */
export class MongoCampaignQueries implements CampaignQueryPort {
  constructor(private readonly db: Db) {}

  private get campaigns() {
    return this.db.collection<CampaignDocument>(COLLECTIONS.campaigns);
  }

  async getCampaign(id: string): Promise<CampaignDetails | null> {
    const document = await this.campaigns.findOne({ _id: id, revision: { $ne: null } });
    if (document === null || document.settings === undefined) {
      return null;
    }
    return {
      id: document._id,
      ...document.settings,
      status: document.status ?? 'OFF',
      sessionId: document.sessionId ?? null,
      profileIds: document.profileIds ?? [],
      layouts: document.layouts ?? [],
      copiedFrom: document.copiedFrom ?? null,
      counts: countsOf(document),
      revision: document.revision ?? 0,
      createdAt: toIso(document.createdAt) ?? '',
    };
  }

  /** Lists the campaigns matching every given filter, newest first. */
  async listCampaigns(request: CampaignListRequest = {}): Promise<Page<CampaignSummary>> {
    const { page, pageSize, offset } = resolvePage(request);
    const filter: Filter<CampaignDocument> = { revision: { $ne: null } };
    const search = request.search === undefined ? '' : foldForSearch(request.search.trim());
    if (search !== '') {
      filter.searchText = { $regex: escapeRegExp(search) };
    }
    if (request.tags !== undefined && request.tags.length > 0) {
      filter.tags = { $in: request.tags.map(tagPattern) };
    }
    if (request.status !== undefined) {
      filter.status = request.status;
    }
    const [documents, total] = await Promise.all([
      this.campaigns.find(filter).sort({ createdAt: -1, _id: 1 }).skip(offset).limit(pageSize).toArray(),
      this.campaigns.countDocuments(filter),
    ]);
    return { items: documents.map(toSummary), total, page, pageSize };
  }

  /**
   * Lists, for the Banner, the campaigns assigned to one of `profileIds` whose profile allows
   * "manage campaign", ordered by name in any letter case and with or without accents, then id.
   */
  async listBannerCampaigns(profileIds: readonly string[]): Promise<CampaignSummary[]> {
    const filter = await this.bannerFilter(profileIds);
    if (filter === undefined) {
      return [];
    }
    const documents = await this.campaigns.find(filter).sort(BANNER_ORDER).toArray();
    return documents.map(toSummary);
  }

  /** Lists one page of the Banner campaigns of `profileIds`, in the order of listBannerCampaigns. */
  async listBannerCampaignPage(profileIds: readonly string[], request: PageRequest = {}): Promise<Page<CampaignSummary>> {
    const { page, pageSize, offset } = resolvePage(request);
    const filter = await this.bannerFilter(profileIds);
    if (filter === undefined) {
      return { items: [], total: 0, page, pageSize };
    }
    const [documents, total] = await Promise.all([
      this.campaigns.find(filter).sort(BANNER_ORDER).skip(offset).limit(pageSize).toArray(),
      this.campaigns.countDocuments(filter),
    ]);
    return { items: documents.map(toSummary), total, page, pageSize };
  }

  async listActiveCampaigns(): Promise<ActiveCampaign[]> {
    const documents = await this.campaigns
      .find({ status: 'ON', revision: { $ne: null } })
      .sort({ _id: 1 })
      .toArray();
    return documents.flatMap((document) =>
      document.settings === undefined || typeof document.sessionId !== 'string'
        ? []
        : [{ id: document._id, sessionId: document.sessionId, settings: document.settings }],
    );
  }

  async listEndedWithPendingTargets(now: Date | string): Promise<Array<{ id: string; endDate: string }>> {
    const documents = await this.campaigns
      .find({ revision: { $ne: null }, 'counts.pending': { $gt: 0 }, endDate: { $ne: null, $lte: new Date(now) } })
      .sort({ _id: 1 })
      .toArray();
    return documents.map((document) => ({ id: document._id, endDate: document.settings?.endDate ?? toIso(document.endDate) ?? '' }));
  }

  /** Builds the filter of the campaigns assigned to a profile of `profileIds` that allows "manage campaign", or undefined when none does. */
  private async bannerFilter(profileIds: readonly string[]): Promise<Filter<CampaignDocument> | undefined> {
    if (profileIds.length === 0) {
      return undefined;
    }
    const managing = await this.db
      .collection<ProfileDocument>(COLLECTIONS.profiles)
      .distinct('_id', { _id: { $in: [...profileIds] }, manageCampaign: true });
    return managing.length === 0 ? undefined : { revision: { $ne: null }, profileIds: { $in: managing } };
  }
}

export function countsOf(document: Pick<CampaignDocument, 'counts'> | null): TargetCounts {
  return { ...EMPTY_TARGET_COUNTS, ...(document?.counts ?? {}) };
}

function toSummary(document: CampaignDocument): CampaignSummary {
  return {
    id: document._id,
    name: document.name ?? '',
    reference: document.reference ?? '',
    alias: document.alias ?? null,
    status: document.status ?? 'OFF',
    tags: document.tags ?? [],
    counts: countsOf(document),
  };
}
