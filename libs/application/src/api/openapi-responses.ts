import type { ReferenceObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import type {
  AttemptError,
  CalendarRules,
  CalendarCreated,
  CampaignEvent,
  CampaignSettings,
  ChatFlowSettings,
  ImportRowError,
  ImportSource,
  ImportStatus,
  LayoutField,
  LayoutFieldType,
  OpeningRange,
  OptOutSource,
  SenderIdKind,
  SmsEncoding,
  TargetLayout,
  TargetLayoutValues,
  TemplateCreated,
  ToggleSource,
  Weekday,
} from '@sms/domain';
import {
  TARGET_STATUSES,
  type AttemptReportRow,
  type AttemptStatus,
  type AttemptView,
  type CalendarView,
  type CampaignAttemptCounters,
  type CampaignDetails,
  type CampaignSummary,
  type ImportView,
  type OptOutView,
  type ProfileView,
  type SendHistoryItem,
  type SenderView,
  type SessionCounters,
  type TargetCounts,
  type TargetDetails,
  type TargetSummary,
  type TemplateView,
} from '@sms/read-models';
import type { CampaignAsOf } from '../use-cases/campaign-as-of';
import type { OptOutEntry } from '../use-cases/opt-out.commands';
import type { CalendarsController } from './calendars/calendars.controller';
import type { CampaignsController } from './campaigns/campaigns.controller';
import type { HealthController } from './health/health.controller';
import type { ImportsController } from './imports/imports.controller';
import type { ProfilesController } from './profiles/profiles.controller';
import type { SendersController } from './senders/senders.controller';
import type { TargetsController } from './targets/targets.controller';
import type { TemplatesController } from './templates/templates.controller';

type Schema = SchemaObject | ReferenceObject;

/** The body a controller method or service method resolves to, without the `undefined` of a state that does not exist. */
type BodyOf<Owner, Method extends keyof Owner> = Owner[Method] extends (...args: never[]) => infer Result
  ? NonNullable<Awaited<Result>>
  : never;

/** One property schema per field of `View`: the compiler rejects a missing or an unknown field. */
type PropertiesOf<View> = { readonly [Field in keyof View]-?: Schema };

/** Fields that `View` declares optional (`field?:`), which an object schema leaves out of `required`. */
type OptionalFieldOf<View> = { [Field in keyof View]-?: Partial<Pick<View, Field>> extends Pick<View, Field> ? Field : never }[keyof View];

const STRING: SchemaObject = { type: 'string' };
const BOOLEAN: SchemaObject = { type: 'boolean' };
const NUMBER: SchemaObject = { type: 'number' };
const COUNT: SchemaObject = { type: 'integer', minimum: 0 };
/** An ISO-8601 instant in UTC, as `Date.prototype.toISOString` writes it. */
const INSTANT: SchemaObject = { type: 'string', format: 'date-time', example: '2026-12-07T08:00:00.000Z' };
const REVISION: SchemaObject = { type: 'integer', minimum: 0, description: 'Stream revision, the value of the ETag and of If-Match' };
const TIME_ZONE: SchemaObject = { type: 'string', example: 'Europe/Paris', description: 'IANA time zone' };
const PHONE_NUMBER: SchemaObject = { type: 'string', example: '+33612345678', description: 'E.164' };
/** A phone number that is null once its personal data was erased. */
const ERASABLE_PHONE_NUMBER: SchemaObject = { ...PHONE_NUMBER, nullable: true, description: 'E.164, or null once the number was erased' };

const CAMPAIGN_STATUS = enumOf<CampaignDetails['status']>({ ON: true, OFF: true });
const TARGET_STATUS: SchemaObject = { type: 'string', enum: [...TARGET_STATUSES] };
const ATTEMPT_STATUS = enumOf<AttemptStatus>({
  IN_PROGRESS: true,
  SENT: true,
  FAILED: true,
  UNKNOWN: true,
  DELIVERED: true,
  UNDELIVERED: true,
  EXPIRED: true,
  REJECTED: true,
});
const SMS_ENCODING = enumOf<SmsEncoding>({ 'GSM-7': true, 'UCS-2': true });

const CAMPAIGN_SETTINGS: PropertiesOf<CampaignSettings> = {
  name: STRING,
  reference: STRING,
  alias: nullable(STRING),
  senderId: { type: 'string', description: 'Id of the sender resource' },
  templateId: STRING,
  calendarId: nullable(STRING),
  endDate: nullable({ ...INSTANT, description: 'Instant after which nothing is sent' }),
  timeZone: { ...TIME_ZONE, description: 'IANA time zone in which local dates of the campaign are read' },
  language: nullable(STRING),
  refreshSeconds: { type: 'integer', description: 'Seconds between two looks for due targets' },
  chatFlow: ref('ChatFlowSettings'),
  throughputPerSecond: nullable({ type: 'integer', description: 'Max SMS per second, or null for no cap' }),
  maxAttempts: { type: 'integer' },
  retryDelaySeconds: { type: 'integer' },
  tags: arrayOf(STRING),
};

const CALENDAR_RULES: PropertiesOf<CalendarRules> = {
  timeZone: TIME_ZONE,
  openingHours: arrayOf(ref('OpeningRange')),
  closedDates: arrayOf({ type: 'string', format: 'date', example: '2026-12-25' }),
  publicHolidays: nullable({ type: 'string', example: 'FR', description: 'ISO 3166-1 country whose public holidays are closed' }),
};

/** The `data` of each event type a campaign's history lists, as the event store records it. */
const HISTORY_EVENT_DATA: { readonly [Type in CampaignEvent['type']]: SchemaObject } = {
  CampaignCreated: objectOf<EventData<'CampaignCreated'>>(
    { id: STRING, copiedFrom: { type: 'string', description: 'The campaign this one duplicates' }, ...CAMPAIGN_SETTINGS },
    { optional: ['copiedFrom'] },
  ),
  StatusToggled: objectOf<EventData<'StatusToggled'>>({
    status: CAMPAIGN_STATUS,
    sessionId: STRING,
    newSession: BOOLEAN,
    source: enumOf<ToggleSource>({ MAKER: true, BANNER: true }),
  }),
  CampaignSettingsChanged: objectOf<EventData<'CampaignSettingsChanged'>>({
    changed: arrayOf({ type: 'string', enum: Object.keys(CAMPAIGN_SETTINGS) }),
    settings: ref('CampaignSettings'),
  }),
  CampaignDeleted: objectOf<EventData<'CampaignDeleted'>>({ id: STRING }),
  CampaignProfilesAssigned: objectOf<EventData<'CampaignProfilesAssigned'>>({ profileIds: arrayOf(STRING) }),
  TargetLayoutsDefined: objectOf<EventData<'TargetLayoutsDefined'>>({ layouts: arrayOf(ref('TargetLayout')) }),
  CampaignEmptied: objectOf<EventData<'CampaignEmptied'>>({ removed: COUNT }),
};

type EventData<Type extends CampaignEvent['type']> = Extract<CampaignEvent, { type: Type }>['data'];
type HistoryItem = BodyOf<CampaignsController, 'history'>['items'][number];

/**
 * Schemas of the response bodies, added to `components.schemas`. A name ending in `View` is a read
 * model's view, which GET returns. The same name without `View` is the body that a write returns,
 * without the fields that only the read model has, such as `revision`.
 */
export const RESPONSE_SCHEMAS: Readonly<Record<string, SchemaObject>> = {
  TargetCounts: objectOf<TargetCounts>(
    {
      pending: COUNT,
      inProgress: COUNT,
      sent: COUNT,
      delivered: COUNT,
      undelivered: COUNT,
      failed: COUNT,
      unknown: COUNT,
      cancelled: COUNT,
      expired: COUNT,
      optedOut: COUNT,
    },
    { description: "Number of the campaign's targets in each status" },
  ),
  ChatFlowSettings: objectOf<ChatFlowSettings>({ enabled: BOOLEAN, flowId: nullable(STRING) }),
  LayoutField: objectOf<LayoutField>({
    key: STRING,
    label: STRING,
    type: enumOf<LayoutFieldType>({ string: true, number: true, date: true }),
  }),
  TargetLayout: objectOf<TargetLayout>({ name: STRING, fields: arrayOf(ref('LayoutField')) }),
  CampaignSettings: objectOf<CampaignSettings>(CAMPAIGN_SETTINGS),
  Campaign: objectOf<BodyOf<CampaignsController, 'create'>>(
    { id: STRING, status: CAMPAIGN_STATUS, sessionId: nullable(STRING), ...CAMPAIGN_SETTINGS },
    { description: 'The campaign after the call, as its event stream records it: status, current session and settings' },
  ),
  CampaignDetails: objectOf<CampaignDetails>(
    {
      id: STRING,
      ...CAMPAIGN_SETTINGS,
      status: CAMPAIGN_STATUS,
      sessionId: nullable({ type: 'string', description: 'Current session; null until the campaign is first switched ON' }),
      profileIds: arrayOf(STRING),
      layouts: arrayOf(ref('TargetLayout')),
      copiedFrom: nullable({ type: 'string', description: 'The campaign this one was duplicated from' }),
      counts: ref('TargetCounts'),
      revision: REVISION,
      createdAt: INSTANT,
    },
    { description: 'The campaign as the read model shows it' },
  ),
  CampaignSummary: objectOf<CampaignSummary>({
    id: STRING,
    name: STRING,
    reference: STRING,
    alias: nullable(STRING),
    status: CAMPAIGN_STATUS,
    tags: arrayOf(STRING),
    counts: ref('TargetCounts'),
  }),
  CampaignAsOf: objectOf<BodyOf<CampaignAsOf, 'stateAt'>>(
    {
      id: STRING,
      at: { ...INSTANT, description: 'The instant the state is rebuilt for' },
      revision: { ...REVISION, description: 'Revision of the last campaign event decided at or before `at`' },
      ...CAMPAIGN_SETTINGS,
      status: CAMPAIGN_STATUS,
      sessionId: nullable(STRING),
      profileIds: arrayOf(STRING),
      layouts: arrayOf(ref('TargetLayout')),
      counts: ref('TargetCounts'),
    },
    { description: 'The campaign as it stood at an instant, rebuilt from its events and those of its targets' },
  ),
  Actor: objectOf<HistoryItem['actor']>({
    id: { type: 'string', example: 'user:alice', description: '`user:<sub>` or `service:<name>`' },
    role: { type: 'string', example: 'maker' },
  }),
  CampaignHistoryEvent: {
    description: "One event of the campaign's stream: `type` names the event and decides the schema of `data`",
    oneOf: Object.entries(HISTORY_EVENT_DATA).map(([type, data]) => historyItemOf(type, data)),
  },
  CampaignDependencies: objectOf<BodyOf<CampaignsController, 'dependencies'>>(
    {
      sender: nullable(ref('SenderView')),
      template: nullable(ref('TemplateView')),
      calendar: nullable(ref('CalendarView')),
      profiles: arrayOf(ref('ProfileView')),
    },
    { description: 'What the campaign uses, as the read models show it; null for a resource they do not show' },
  ),
  ToggleStatusResult: objectOf<BodyOf<CampaignsController, 'toggle'>>({
    status: CAMPAIGN_STATUS,
    sessionId: nullable({ type: 'string', description: 'Current session; null while the campaign was never ON' }),
  }),
  Sender: objectOf<BodyOf<SendersController, 'create'>>(senderProperties()),
  SenderView: objectOf<SenderView>({ ...senderProperties(), revision: REVISION, registeredAt: INSTANT }),
  Template: objectOf<TemplateCreated['data']>(templateProperties()),
  TemplateView: objectOf<TemplateView>({ ...templateProperties(), revision: REVISION, createdAt: INSTANT }),
  OpeningRange: objectOf<OpeningRange>({
    day: enumOf<Weekday>({ MON: true, TUE: true, WED: true, THU: true, FRI: true, SAT: true, SUN: true }),
    from: { type: 'string', example: '08:00', description: 'Local time, included' },
    to: { type: 'string', example: '20:00', description: 'Local time, excluded; 24:00 is the end of the day' },
  }),
  Calendar: objectOf<CalendarCreated['data']>({ id: STRING, name: STRING, ...CALENDAR_RULES }),
  CalendarView: objectOf<CalendarView>({ id: STRING, name: STRING, ...CALENDAR_RULES, revision: REVISION, createdAt: INSTANT }),
  Profile: objectOf<BodyOf<ProfilesController, 'create'>>({ id: STRING, name: STRING, manageCampaign: BOOLEAN }),
  ProfileView: objectOf<ProfileView>({ id: STRING, name: STRING, manageCampaign: BOOLEAN, revision: REVISION }),
  TargetLayoutValues: objectOf<TargetLayoutValues>({
    name: { type: 'string', description: 'Name of one of the layouts of the campaign, or free when it has none' },
    values: { type: 'object', additionalProperties: nullable({ oneOf: [STRING, NUMBER] }) },
  }),
  TargetSummary: objectOf<TargetSummary>({
    id: STRING,
    phoneNumber: ERASABLE_PHONE_NUMBER,
    startDate: nullable({ ...INSTANT, description: 'Earliest instant to send; null for as soon as the campaign runs' }),
    priority: { type: 'integer', minimum: 1, maximum: 10 },
    status: TARGET_STATUS,
    attempts: { ...COUNT, description: 'Attempts started' },
    lastAttemptAt: nullable(INSTANT),
  }),
  AttemptError: objectOf<AttemptError>({ code: STRING, reason: STRING, transient: BOOLEAN }),
  AttemptView: objectOf<AttemptView>({
    id: STRING,
    attemptNumber: { type: 'integer', minimum: 1 },
    status: ATTEMPT_STATUS,
    sessionId: STRING,
    startedAt: INSTANT,
    endedAt: nullable({ ...INSTANT, description: 'Null while in progress, or SENT without a delivery receipt' }),
    providerMessageId: nullable(STRING),
    error: nullable(ref('AttemptError')),
    encoding: nullable(SMS_ENCODING),
    segments: nullable({ type: 'integer', minimum: 1 }),
  }),
  TargetDetails: objectOf<TargetDetails>({
    id: STRING,
    campaignId: STRING,
    phoneNumber: ERASABLE_PHONE_NUMBER,
    startDate: nullable(INSTANT),
    priority: { type: 'integer', minimum: 1, maximum: 10 },
    status: TARGET_STATUS,
    timeZone: nullable({ ...TIME_ZONE, description: "The target's own time zone, in which its calendar hours are read" }),
    layout: nullable(ref('TargetLayoutValues')),
    importId: nullable({ type: 'string', description: 'The import that added the target' }),
    revision: REVISION,
    lastAttemptAt: nullable(INSTANT),
    attempts: { ...arrayOf(ref('AttemptView')), description: 'Oldest first' },
  }),
  SendHistoryItem: objectOf<SendHistoryItem>({
    attemptId: STRING,
    targetId: STRING,
    status: ATTEMPT_STATUS,
    phoneNumber: ERASABLE_PHONE_NUMBER,
    startDate: { ...INSTANT, description: 'Start of the attempt' },
    endDate: nullable({ ...INSTANT, description: 'Instant its outcome became final' }),
    sessionId: STRING,
  }),
  ImportRowError: objectOf<ImportRowError>({ line: { type: 'integer', minimum: 1 }, value: STRING, reason: STRING }),
  ImportView: objectOf<ImportView>({
    id: STRING,
    campaignId: STRING,
    source: enumOf<ImportSource>({ csv: true, database: true, crm: true, payment: true, campaign: true }),
    status: enumOf<ImportStatus>({ RUNNING: true, DONE: true, FAILED: true }),
    processed: { ...COUNT, description: 'Rows read so far' },
    imported: COUNT,
    duplicates: COUNT,
    rejected: COUNT,
    errors: { ...arrayOf(ref('ImportRowError')), description: 'The first rejected rows, in file order' },
    errorsTruncated: { type: 'boolean', description: 'True when more rows were rejected than errors lists' },
    reason: nullable({ type: 'string', description: 'Why the import failed; null unless FAILED' }),
    startedAt: INSTANT,
    endedAt: nullable({ ...INSTANT, description: 'Null while RUNNING' }),
    revision: REVISION,
  }),
  OptOut: objectOf<OptOutEntry>(optOutProperties(PHONE_NUMBER)),
  OptOutView: objectOf<OptOutView>(optOutProperties(ERASABLE_PHONE_NUMBER)),
  AttemptReportRow: objectOf<AttemptReportRow>({
    campaignId: STRING,
    campaignName: nullable({ type: 'string', description: 'Null once the campaign is deleted' }),
    sessionId: STRING,
    targetId: STRING,
    attemptId: STRING,
    attemptNumber: { type: 'integer', minimum: 1 },
    phoneNumber: ERASABLE_PHONE_NUMBER,
    status: ATTEMPT_STATUS,
    startedAt: INSTANT,
    endedAt: nullable(INSTANT),
    segments: nullable({ type: 'integer', minimum: 1 }),
    encoding: nullable(SMS_ENCODING),
    providerMessageId: nullable(STRING),
    errorCode: nullable(STRING),
    errorReason: nullable(STRING),
  }),
  AttemptReportPage: objectOf({
    items: { ...arrayOf(ref('AttemptReportRow')), description: 'Oldest first by startedAt, then attemptId' },
    nextCursor: nullable({ type: 'string', description: 'The cursor parameter of the next page; null on the last page' }),
  }),
  AttemptCountsByStatus: {
    type: 'object',
    description: 'Attempts in each status; a status without attempts is absent',
    properties: Object.fromEntries((ATTEMPT_STATUS.enum as string[]).map((status) => [status, COUNT])),
  },
  SessionAttemptCounters: objectOf<SessionCounters>({ sessionId: STRING, ...attemptCounterProperties() }),
  CampaignAttemptCounters: objectOf<CampaignAttemptCounters>({
    campaignId: STRING,
    ...attemptCounterProperties(),
    sessions: { ...arrayOf(ref('SessionAttemptCounters')), description: 'Oldest session first' },
  }),
  ...pagesOf([
    'SenderView',
    'TemplateView',
    'CalendarView',
    'ProfileView',
    'CampaignSummary',
    'CampaignHistoryEvent',
    'TargetSummary',
    'SendHistoryItem',
    'OptOutView',
  ]),
};

/**
 * Success responses of the operations, keyed `METHOD /path` with the path as the OpenAPI document
 * writes it. Operations whose route decorators already give their success body a schema (the CSV
 * export and import template, `POST /erasures`) are not listed.
 */
export const SUCCESS_RESPONSES: Readonly<Record<string, Readonly<Record<string, ResponseObject>>>> = {
  'GET /health': {
    200: json('Every adapter responds', objectOf<BodyOf<HealthController, 'health'>>({ status: { type: 'string', enum: ['ok'] } })),
  },
  'GET /metrics': {
    200: {
      description: 'The process metrics',
      content: { 'text/plain': { schema: { type: 'string', description: 'Prometheus text exposition format 0.0.4' } } },
    },
  },

  'POST /senders': { 201: json('The sender is registered', ref('Sender')) },
  'GET /senders': { 200: json('Senders ordered by name', pageRef('SenderView')) },
  'GET /senders/{id}': { 200: json('The sender', ref('SenderView')) },
  'POST /templates': { 201: json('The template, measured in its SMS encoding', ref('Template')) },
  'GET /templates': { 200: json('Templates ordered by name', pageRef('TemplateView')) },
  'GET /templates/{id}': { 200: json('The template', ref('TemplateView')) },
  'POST /templates/{id}/preview': {
    200: json(
      'The text as the recipient reads it, never HTML-escaped',
      objectOf<BodyOf<TemplatesController, 'preview'>>({
        text: STRING,
        encoding: SMS_ENCODING,
        characters: { ...COUNT, description: 'Septets for GSM-7, UTF-16 code units for UCS-2' },
        segments: { type: 'integer', minimum: 1 },
      }),
    ),
  },
  'POST /calendars': { 201: json('The calendar is created', ref('Calendar')) },
  'GET /calendars': { 200: json('Calendars ordered by name', pageRef('CalendarView')) },
  'GET /calendars/{id}': { 200: json('The calendar', ref('CalendarView')) },
  'GET /calendars/{id}/next-open': {
    200: json(
      'The first open instant at or after `after`',
      objectOf<BodyOf<CalendarsController, 'nextOpen'>>({
        at: nullable({ ...INSTANT, description: 'Null when the calendar opens on none of the next 400 days' }),
      }),
    ),
  },
  'POST /profiles': { 201: json('The profile is created', ref('Profile')) },
  'PATCH /profiles/{id}': { 200: json('The profile after the change', ref('Profile')) },
  'GET /profiles': { 200: json('Profiles ordered by name', pageRef('ProfileView')) },
  'GET /profiles/{id}': { 200: json('The profile', ref('ProfileView')) },

  'POST /campaigns': { 201: json('The campaign is created OFF', ref('Campaign')) },
  'GET /campaigns': { 200: json('Campaigns matching every filter, newest first', pageRef('CampaignSummary')) },
  'GET /campaigns/{id}': { 200: json('The campaign', ref('CampaignDetails')) },
  'PATCH /campaigns/{id}': { 200: json('The campaign after the change', ref('Campaign')) },
  'DELETE /campaigns/{id}': { 204: { description: 'The campaign is deleted; its history stays readable' } },
  'PUT /campaigns/{id}/tags': { 200: json('The campaign after the change', ref('Campaign')) },
  'PUT /campaigns/{id}/profiles': {
    200: json(
      'The profiles the campaign is now assigned to',
      objectOf<BodyOf<CampaignsController, 'assignProfiles'>>({ id: STRING, profileIds: arrayOf(STRING) }),
    ),
  },
  'PUT /campaigns/{id}/layouts': {
    200: json(
      'The target layouts of the campaign now',
      objectOf<BodyOf<CampaignsController, 'defineLayouts'>>({ id: STRING, layouts: arrayOf(ref('TargetLayout')) }),
    ),
  },
  'POST /campaigns/{id}/duplicate': {
    201: json(
      'The copy is created OFF',
      objectOf<{ id: string; importId?: string }>(
        {
          id: { type: 'string', description: 'Id of the copy' },
          importId: { type: 'string', description: 'The import that copies the targets; only with withTargets' },
        },
        { optional: ['importId'] },
      ),
    ),
  },
  'POST /campaigns/{id}/empty': {
    200: json('Every pending target is cancelled', objectOf({ removed: { ...COUNT, description: 'Targets cancelled by this call' } })),
  },
  'GET /campaigns/{id}/as-of': { 200: json('The campaign as it stood at `at`', ref('CampaignAsOf')) },
  'GET /campaigns/{id}/history': { 200: json("The campaign's events, oldest first", pageRef('CampaignHistoryEvent')) },
  'GET /campaigns/{id}/dependencies': { 200: json('The resources the campaign uses', ref('CampaignDependencies')) },
  'POST /campaigns/{id}/status': { 200: json('The status and session after the call', ref('ToggleStatusResult')) },

  'POST /campaigns/{campaignId}/targets': {
    201: json('The target is added', objectOf({ id: STRING, status: { type: 'string', enum: ['PENDING'] } })),
    200: json(
      'The number is already in the campaign and nothing is added',
      objectOf({ duplicateOf: { type: 'string', description: 'Id of the target that has the number' } }),
    ),
  },
  'GET /campaigns/{campaignId}/targets': { 200: json('Targets matching every filter', pageRef('TargetSummary')) },
  'GET /campaigns/{campaignId}/targets/{targetId}': { 200: json('The target with its attempts', ref('TargetDetails')) },
  'DELETE /campaigns/{campaignId}/targets/{targetId}': { 204: { description: "The target's personal data is erased" } },
  'POST /campaigns/{campaignId}/targets/{targetId}/remove': {
    200: json('The target is cancelled', objectOf({ id: STRING, status: { type: 'string', enum: ['CANCELLED'] } })),
  },
  'POST /campaigns/{campaignId}/targets/{targetId}/reschedule': {
    200: json('The target has its new start date', objectOf({ id: STRING, status: { type: 'string', enum: ['PENDING'] } })),
  },
  'POST /campaigns/{campaignId}/targets/{targetId}/duplicate': {
    201: json(
      'A new pending target is added',
      objectOf({
        id: { type: 'string', description: 'Id of the new target' },
        status: { type: 'string', enum: ['PENDING'] },
        duplicateOf: { type: 'string', description: 'Id of the target copied' },
      }),
    ),
  },
  'POST /campaigns/{campaignId}/targets/calibrate': {
    200: json('The pending targets have new start dates', objectOf<BodyOf<TargetsController, 'calibrate'>>({ rescheduled: COUNT })),
  },
  'GET /campaigns/{campaignId}/sends': { 200: json("The campaign's attempts, newest first", pageRef('SendHistoryItem')) },
  'POST /campaigns/{campaignId}/imports': {
    202: json(
      'The import runs in the background; GET /imports/{id} shows its progress',
      objectOf<BodyOf<ImportsController, 'create'>>({ importId: STRING }),
    ),
  },
  'GET /imports/{id}': { 200: json('The import and its counts so far', ref('ImportView')) },

  'GET /opt-outs': { 200: json('Numbers on the list, newest opt-out first', pageRef('OptOutView')) },
  'POST /opt-outs': {
    201: json('The number was added', ref('OptOut')),
    200: json('The number was already on the list', ref('OptOut')),
  },

  'GET /reporter/sms-campaign-attempts': {
    200: {
      description: 'A JSON page, or with Accept every matching row as NDJSON or CSV',
      content: {
        'application/json': { schema: ref('AttemptReportPage') },
        'application/x-ndjson': {
          schema: { type: 'string', description: 'One AttemptReportRow as JSON per line, each line ended by a line feed' },
        },
        'text/csv': {
          schema: { type: 'string', description: 'UTF-8 with a byte order mark: a header row, then one AttemptReportRow per row' },
        },
      },
    },
  },
  'GET /reporter/sms-campaign-attempts/counters': {
    200: json('Attempt counts of the campaign, in total and per session', ref('CampaignAttemptCounters')),
  },

  'GET /banner/campaigns': {
    200: json("Campaigns of the caller's profiles that allow managing campaigns, ordered by name", pageRef('CampaignSummary')),
  },
  'POST /banner/campaigns/{id}/status': { 200: json('The status and session after the call', ref('ToggleStatusResult')) },
};

function ref(component: string): ReferenceObject {
  return { $ref: `#/components/schemas/${component}` };
}

/**
 * Allows null besides the values of `schema`. OpenAPI 3.0 ignores the siblings of a `$ref`, so a
 * reference, which must name an object schema, is wrapped in `allOf` beside `type: object`. An
 * enum lists null too, because OpenAPI 3.0.3 checks `enum` after `nullable`.
 *
 * NOTE: OpenAPI 3.0.3 lets `nullable` add null to the `type` beside it but not through `allOf`, so
 * a validator that follows 3.0.3 to the letter rejects null for a wrapped reference. OpenAPI 3.0
 * has no exact form for a nullable reference.
 */
function nullable(schema: Schema): SchemaObject {
  if ('$ref' in schema) {
    return { type: 'object', nullable: true, allOf: [schema] };
  }
  return schema.enum === undefined ? { ...schema, nullable: true } : { ...schema, nullable: true, enum: [...schema.enum, null] };
}

function arrayOf(items: Schema): SchemaObject {
  return { type: 'array', items };
}

/** Lists the members of a string union; a key per member makes the compiler reject a missing or unknown one. */
function enumOf<Member extends string>(members: Record<Member, true>): SchemaObject {
  return { type: 'string', enum: Object.keys(members) };
}

/** Builds an object schema in which every field of `View` is required, except those it declares optional. */
function objectOf<View = Record<string, unknown>>(
  properties: PropertiesOf<View>,
  options: { description?: string; optional?: ReadonlyArray<OptionalFieldOf<View>> } = {},
): SchemaObject {
  const optional = new Set<PropertyKey>(options.optional ?? []);
  const schema: SchemaObject = {
    type: 'object',
    required: Object.keys(properties).filter((field) => !optional.has(field)),
    properties: properties as Record<string, Schema>,
  };
  return options.description === undefined ? schema : { description: options.description, ...schema };
}

function json(description: string, schema: Schema): ResponseObject {
  return { description, content: { 'application/json': { schema } } };
}

function pageRef(item: string): ReferenceObject {
  return ref(`PageOf${item}`);
}

/** Builds the `{ items, total, page, pageSize }` schema of every list, named `PageOf` and its item schema. */
function pagesOf(items: readonly string[]): Record<string, SchemaObject> {
  return Object.fromEntries(
    items.map((item) => [
      `PageOf${item}`,
      objectOf({
        items: arrayOf(ref(item)),
        total: { ...COUNT, description: 'Items matching the filters, over all pages' },
        page: { type: 'integer', minimum: 1 },
        pageSize: { type: 'integer', minimum: 1, maximum: 500 },
      }),
    ]),
  );
}

function historyItemOf(type: string, data: SchemaObject): SchemaObject {
  return objectOf<HistoryItem>({
    position: { type: 'integer', description: "The event's position in the whole event store" },
    revision: { type: 'integer', minimum: 0, description: "The event's revision in the campaign stream" },
    type: { type: 'string', enum: [type] },
    at: { ...INSTANT, description: 'When the change was decided' },
    actor: ref('Actor'),
    data,
  });
}

function senderProperties(): PropertiesOf<BodyOf<SendersController, 'create'>> {
  return {
    id: STRING,
    name: STRING,
    senderId: { type: 'string', example: 'ACME', description: 'The originator shown on the phone' },
    kind: enumOf<SenderIdKind>({ ALPHANUMERIC: true, SHORT_CODE: true, E164: true }),
    throughputPerSecond: nullable({
      type: 'integer',
      description: 'Max SMS per second under this sender, all campaigns together, or null for no cap',
    }),
  };
}

function templateProperties(): PropertiesOf<TemplateCreated['data']> {
  return {
    id: STRING,
    name: STRING,
    body: STRING,
    language: nullable(STRING),
    placeholders: { ...arrayOf(STRING), description: 'Keys of the body placeholders, `{{key}}` written as `key`' },
    encoding: SMS_ENCODING,
    characters: { ...COUNT, description: 'Septets for GSM-7, UTF-16 code units for UCS-2' },
    segments: { type: 'integer', minimum: 1 },
  };
}

function optOutProperties(phoneNumber: SchemaObject): PropertiesOf<OptOutView> {
  return {
    phoneNumber,
    since: { ...INSTANT, description: 'When the number opted out' },
    source: enumOf<OptOutSource>({ REPLY: true, MAKER: true }),
    keyword: nullable({ type: 'string', example: 'STOP', description: 'The reply keyword; null when a Maker user added the number' }),
    campaignId: nullable({ type: 'string', description: 'The campaign that last sent to the number before its reply' }),
  };
}

function attemptCounterProperties(): PropertiesOf<Omit<SessionCounters, 'sessionId'>> {
  return {
    attempts: COUNT,
    byStatus: ref('AttemptCountsByStatus'),
    segments: { ...COUNT, description: 'Segments of the attempts that have a provider response' },
    firstStartedAt: nullable(INSTANT),
    lastStartedAt: nullable(INSTANT),
  };
}
