import { CalendarEvent, idFromStreamName, ProfileEvent, SenderEvent, STREAM_PREFIXES, TemplateEvent } from '@sms/domain';
import type { RecordedEvent } from '@sms/event-store';
import type { ClientSession, Collection, Db, Document, WithId } from 'mongodb';
import type { CalendarView } from '../calendars/calendars.queries';
import type { ProfileView } from '../profiles/profiles.queries';
import type { CalendarQueryPort, ProfileQueryPort, SenderQueryPort, TemplateQueryPort } from '../read-model-store.port';
import type { SenderView } from '../senders/senders.queries';
import { Page, PageRequest, resolvePage } from '../shared/paging';
import { asDomainEvent } from '../shared/recorded-domain-event';
import type { TemplateView } from '../templates/templates.queries';
import { CalendarDocument, COLLECTIONS, ProfileDocument, SenderDocument, TemplateDocument } from './mongo-documents';
import { MongoProjection } from './mongo-projection';
import { writeIfNewer } from './mongo-writes';

/*
 * The senders, templates, calendars and profiles views: one document per stream, listed by name
 * for the Maker's pickers. Names sort without a collation, by code point, which is the order of
 * PostgreSQL under the C and C.UTF-8 collations that the SQL store's databases use.
 */

const SENDER_EVENT_TYPES: ReadonlySet<string> = new Set<SenderEvent['type']>(['SenderRegistered']);
const TEMPLATE_EVENT_TYPES: ReadonlySet<string> = new Set<TemplateEvent['type']>(['TemplateCreated']);
const CALENDAR_EVENT_TYPES: ReadonlySet<string> = new Set<CalendarEvent['type']>(['CalendarCreated']);
const PROFILE_EVENT_TYPES: ReadonlySet<string> = new Set<ProfileEvent['type']>(['ProfileCreated', 'ProfileChanged']);

export class MongoSendersProjection implements MongoProjection {
  readonly name = 'senders';
  readonly filter = { streamPrefixes: [STREAM_PREFIXES.sender] };

  async project(events: readonly RecordedEvent[], db: Db, session: ClientSession): Promise<void> {
    for (const recorded of events) {
      const event = asDomainEvent<SenderEvent>(recorded, SENDER_EVENT_TYPES);
      if (event === null) {
        continue;
      }
      const { id, name, senderId, kind, throughputPerSecond = null } = event.data;
      await writeIfNewer<SenderDocument>(
        db,
        COLLECTIONS.senders,
        id,
        event.revision,
        { set: { name, senderId, kind, throughputPerSecond }, setOnInsert: { registeredAt: new Date(event.metadata.decidedAt) } },
        session,
      );
    }
  }

  async reset(db: Db): Promise<void> {
    await db.collection<SenderDocument>(COLLECTIONS.senders).deleteMany({});
  }
}

export class MongoTemplatesProjection implements MongoProjection {
  readonly name = 'templates';
  readonly filter = { streamPrefixes: [STREAM_PREFIXES.template] };

  async project(events: readonly RecordedEvent[], db: Db, session: ClientSession): Promise<void> {
    for (const recorded of events) {
      const event = asDomainEvent<TemplateEvent>(recorded, TEMPLATE_EVENT_TYPES);
      if (event === null) {
        continue;
      }
      const { id, name, body, language, placeholders, encoding, characters, segments } = event.data;
      await writeIfNewer<TemplateDocument>(
        db,
        COLLECTIONS.templates,
        id,
        event.revision,
        {
          set: { name, body, language, placeholders, encoding, characters, segments },
          setOnInsert: { createdAt: new Date(event.metadata.decidedAt) },
        },
        session,
      );
    }
  }

  async reset(db: Db): Promise<void> {
    await db.collection<TemplateDocument>(COLLECTIONS.templates).deleteMany({});
  }
}

export class MongoCalendarsProjection implements MongoProjection {
  readonly name = 'calendars';
  readonly filter = { streamPrefixes: [STREAM_PREFIXES.calendar] };

  async project(events: readonly RecordedEvent[], db: Db, session: ClientSession): Promise<void> {
    for (const recorded of events) {
      const event = asDomainEvent<CalendarEvent>(recorded, CALENDAR_EVENT_TYPES);
      if (event === null) {
        continue;
      }
      const { id, name, timeZone, openingHours, closedDates, publicHolidays } = event.data;
      await writeIfNewer<CalendarDocument>(
        db,
        COLLECTIONS.calendars,
        id,
        event.revision,
        {
          set: { name, rules: { timeZone, openingHours, closedDates, publicHolidays } },
          setOnInsert: { createdAt: new Date(event.metadata.decidedAt) },
        },
        session,
      );
    }
  }

  async reset(db: Db): Promise<void> {
    await db.collection<CalendarDocument>(COLLECTIONS.calendars).deleteMany({});
  }
}

export class MongoProfilesProjection implements MongoProjection {
  readonly name = 'profiles';
  readonly filter = { streamPrefixes: [STREAM_PREFIXES.profile] };

  async project(events: readonly RecordedEvent[], db: Db, session: ClientSession): Promise<void> {
    for (const recorded of events) {
      const event = asDomainEvent<ProfileEvent>(recorded, PROFILE_EVENT_TYPES);
      if (event === null) {
        continue;
      }
      const { name, manageCampaign } = event.data;
      await writeIfNewer<ProfileDocument>(
        db,
        COLLECTIONS.profiles,
        idFromStreamName(event.streamName),
        event.revision,
        { set: { name, manageCampaign } },
        session,
      );
    }
  }

  async reset(db: Db): Promise<void> {
    await db.collection<ProfileDocument>(COLLECTIONS.profiles).deleteMany({});
  }
}

export class MongoSenderQueries implements SenderQueryPort {
  constructor(private readonly db: Db) {}

  private get senders() {
    return this.db.collection<SenderDocument>(COLLECTIONS.senders);
  }

  async getSender(id: string): Promise<SenderView | null> {
    const document = await this.senders.findOne({ _id: id });
    return document === null ? null : toSenderView(document);
  }

  /** Lists senders ordered by name, then id. */
  listSenders(request: PageRequest = {}): Promise<Page<SenderView>> {
    return listByName(this.senders, request, toSenderView);
  }
}

export class MongoTemplateQueries implements TemplateQueryPort {
  constructor(private readonly db: Db) {}

  private get templates() {
    return this.db.collection<TemplateDocument>(COLLECTIONS.templates);
  }

  async getTemplate(id: string): Promise<TemplateView | null> {
    const document = await this.templates.findOne({ _id: id });
    return document === null ? null : toTemplateView(document);
  }

  /** Lists templates ordered by name, then id. */
  listTemplates(request: PageRequest = {}): Promise<Page<TemplateView>> {
    return listByName(this.templates, request, toTemplateView);
  }
}

export class MongoCalendarQueries implements CalendarQueryPort {
  constructor(private readonly db: Db) {}

  private get calendars() {
    return this.db.collection<CalendarDocument>(COLLECTIONS.calendars);
  }

  async getCalendar(id: string): Promise<CalendarView | null> {
    const document = await this.calendars.findOne({ _id: id });
    return document === null ? null : toCalendarView(document);
  }

  /** Lists calendars ordered by name, then id. */
  listCalendars(request: PageRequest = {}): Promise<Page<CalendarView>> {
    return listByName(this.calendars, request, toCalendarView);
  }
}

export class MongoProfileQueries implements ProfileQueryPort {
  constructor(private readonly db: Db) {}

  private get profiles() {
    return this.db.collection<ProfileDocument>(COLLECTIONS.profiles);
  }

  async getProfile(id: string): Promise<ProfileView | null> {
    const document = await this.profiles.findOne({ _id: id });
    return document === null ? null : toProfileView(document);
  }

  /** Lists profiles ordered by name, then id. */
  listProfiles(request: PageRequest = {}): Promise<Page<ProfileView>> {
    return listByName(this.profiles, request, toProfileView);
  }
}

/** Returns one page of a collection ordered by name, then id, with the number of documents it holds. */
async function listByName<Stored extends Document, View>(
  collection: Collection<Stored>,
  request: PageRequest,
  toView: (document: WithId<Stored>) => View,
): Promise<Page<View>> {
  const { page, pageSize, offset } = resolvePage(request);
  const [documents, total] = await Promise.all([
    collection.find().sort({ name: 1, _id: 1 }).skip(offset).limit(pageSize).toArray(),
    collection.countDocuments(),
  ]);
  return { items: documents.map(toView), total, page, pageSize };
}

function toSenderView(document: SenderDocument): SenderView {
  return {
    id: document._id,
    name: document.name,
    senderId: document.senderId,
    kind: document.kind,
    throughputPerSecond: document.throughputPerSecond,
    revision: document.revision,
    registeredAt: document.registeredAt.toISOString(),
  };
}

function toTemplateView(document: TemplateDocument): TemplateView {
  return {
    id: document._id,
    name: document.name,
    body: document.body,
    language: document.language,
    placeholders: document.placeholders,
    encoding: document.encoding,
    characters: document.characters,
    segments: document.segments,
    revision: document.revision,
    createdAt: document.createdAt.toISOString(),
  };
}

function toCalendarView(document: CalendarDocument): CalendarView {
  return {
    id: document._id,
    name: document.name,
    ...document.rules,
    revision: document.revision,
    createdAt: document.createdAt.toISOString(),
  };
}

function toProfileView(document: ProfileDocument): ProfileView {
  return { id: document._id, name: document.name, manageCampaign: document.manageCampaign, revision: document.revision };
}
