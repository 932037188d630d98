import { idFromStreamName, OPT_OUT_STREAM_PREFIX, OptOutEvent, OptOutSource } from '@sms/domain';
import type { RecordedEvent } from '@sms/event-store';
import type { ClientSession, Db, Filter } from 'mongodb';
import type { OptOutListRequest, OptOutView } from '../opt-outs/opt-outs.queries';
import type { ReplyOrigin } from '../opt-outs/reply-origins.queries';
import type { OptOutQueryPort, ReplyOriginQueryPort } from '../read-model-store.port';
import { Page, resolvePage } from '../shared/paging';
import { asDomainEvent } from '../shared/recorded-domain-event';
import { ERASED } from '../targets/target-rows';
import { AttemptDocument, CampaignDocument, COLLECTIONS, OptOutDocument } from './mongo-documents';
import { MongoProjection } from './mongo-projection';
import { writeIfNewer } from './mongo-writes';

const OPT_OUT_EVENT_TYPES: ReadonlySet<string> = new Set<OptOutEvent['type']>(['OptedOut', 'OptedIn', 'OptOutErased']);

/**
 * The opt_outs collection: one document per number that was ever on the do-not-contact list,
 * keyed by the keyed hash of the number that names its stream. An opt-in clears `optedOut`
 * instead of deleting the document, so the document keeps the revision that makes a replayed
 * event a no-op, and an erased number keeps its key, by which it stays blocked.
 */
export class MongoOptOutsProjection implements MongoProjection {
  readonly name = 'opt_outs';
  readonly filter = { streamPrefixes: [OPT_OUT_STREAM_PREFIX] };

  async project(events: readonly RecordedEvent[], db: Db, session: ClientSession): Promise<void> {
    for (const recorded of events) {
      const event = asDomainEvent<OptOutEvent>(recorded, OPT_OUT_EVENT_TYPES);
      if (event === null) {
        continue;
      }
      const numberKey = idFromStreamName(event.streamName);
      if (event.type === 'OptOutErased') {
        await db
          .collection<OptOutDocument>(COLLECTIONS.optOuts)
          .updateOne(
            { _id: numberKey, revision: { $lt: event.revision } },
            { $set: { phoneNumber: ERASED, revision: event.revision } },
            { session },
          );
        continue;
      }
      const optedOut = event.type === 'OptedOut';
      const { phoneNumber, source, keyword, at } = event.data;
      await writeIfNewer<OptOutDocument>(
        db,
        COLLECTIONS.optOuts,
        numberKey,
        event.revision,
        {
          set: {
            phoneNumber,
            optedOut,
            since: optedOut ? new Date(at) : null,
            source: optedOut ? source : null,
            keyword: optedOut ? keyword : null,
            campaignId: event.type === 'OptedOut' ? event.data.campaignId : null,
          },
        },
        session,
      );
    }
  }

  async reset(db: Db): Promise<void> {
    await db.collection<OptOutDocument>(COLLECTIONS.optOuts).deleteMany({});
  }
}

export interface MongoOptOutQueryOptions {
  /**
   * Returns the key that names a number's opt-out stream (its keyed hash). With it, numbers are
   * looked up by that key, so a number whose personal data was erased is still found. Without it,
   * they are looked up in clear and an erased number is not found.
   */
  readonly numberKey?: (e164: string) => string;
}

/** The do-not-contact list over MongoDB, with the results and order of the SQL queries. */
export class MongoOptOutQueries implements OptOutQueryPort {
  private readonly numberKey: ((e164: string) => string) | undefined;

  constructor(
    private readonly db: Db,
    options: MongoOptOutQueryOptions = {},
  ) {
    this.numberKey = options.numberKey;
  }

  private get optOuts() {
    return this.db.collection<OptOutDocument>(COLLECTIONS.optOuts);
  }

  /** Lists the numbers on the list, newest opt-out first, then by key. */
  async listOptOuts(request: OptOutListRequest = {}): Promise<Page<OptOutView>> {
    const { page, pageSize, offset } = resolvePage(request);
    const filter: Filter<OptOutDocument> = { optedOut: true };
    if (request.phone !== undefined && this.numberKey !== undefined) {
      filter._id = this.numberKey(request.phone);
    } else if (request.phone !== undefined) {
      filter.phoneNumber = request.phone;
    }
    const [documents, total] = await Promise.all([
      this.optOuts.find(filter).sort({ since: -1, _id: 1 }).skip(offset).limit(pageSize).toArray(),
      this.optOuts.countDocuments(filter),
    ]);
    return { items: documents.filter(isOnList).map(toOptOutView), total, page, pageSize };
  }

  /** Returns which of `phoneNumbers` (E.164) are on the list, in one query. */
  async findOptedOut(phoneNumbers: readonly string[]): Promise<Set<string>> {
    if (phoneNumbers.length === 0) {
      return new Set();
    }
    const numbers = [...new Set(phoneNumbers)];
    const numberKey = this.numberKey;
    if (numberKey === undefined) {
      const found = await this.optOuts.distinct('phoneNumber', { optedOut: true, phoneNumber: { $in: numbers } });
      return new Set(found);
    }

    const numbersByKey = new Map(numbers.map((number) => [numberKey(number), number]));
    const keys = await this.optOuts.distinct('_id', { optedOut: true, _id: { $in: [...numbersByKey.keys()] } });
    return new Set(keys.flatMap((key) => numbersByKey.get(key) ?? []));
  }
}

/** The reply lookup over MongoDB: the attempts collection of the targets view, with the campaign's chat flow. */
export class MongoReplyOriginQueries implements ReplyOriginQueryPort {
  constructor(private readonly db: Db) {}

  /**
   * Finds the attempt started last among those the provider accepted for `phoneNumber` (E.164),
   * with its campaign's chat flow settings. Returns null when nothing was ever sent to the number.
   */
  async findReplyOrigin(phoneNumber: string): Promise<ReplyOrigin | null> {
    const attempt = await this.db
      .collection<AttemptDocument>(COLLECTIONS.attempts)
      .findOne({ phoneNumber, providerMessageId: { $ne: null } }, { sort: { startedAt: -1 } });
    if (attempt === null) {
      return null;
    }
    const campaign = await this.db.collection<CampaignDocument>(COLLECTIONS.campaigns).findOne({ _id: attempt.campaignId });
    return {
      attemptId: attempt._id,
      targetId: attempt.targetId,
      campaignId: attempt.campaignId,
      sessionId: attempt.sessionId,
      chatFlow: campaign?.settings?.chatFlow ?? null,
    };
  }
}

/** A document of a number on the list: the projection sets `since` and `source` on every opt-out. */
type ListedOptOut = OptOutDocument & { since: Date; source: OptOutSource };

function isOnList(document: OptOutDocument): document is ListedOptOut {
  return document.optedOut && document.since !== null && document.source !== null;
}

function toOptOutView(document: ListedOptOut): OptOutView {
  return {
    phoneNumber: document.phoneNumber === ERASED ? null : document.phoneNumber,
    since: document.since.toISOString(),
    source: document.source,
    keyword: document.keyword,
    campaignId: document.campaignId,
  };
}
