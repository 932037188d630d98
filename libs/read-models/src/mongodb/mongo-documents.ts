import type {
  AttemptError,
  CalendarRules,
  CampaignSettings,
  CampaignStatus,
  ImportRowError,
  ImportSource,
  ImportStatus,
  OptOutSource,
  SenderIdKind,
  SmsEncoding,
  TargetLayout,
  TargetLayoutValues,
  TargetStatus,
} from '@sms/domain';
import type { TargetCounts } from '../campaigns/target-counts';
import type { AttemptRow, AttemptStatus, TargetRow } from '../targets/target-rows';

/** Collections of the MongoDB read models, in one database. */
export const COLLECTIONS = {
  campaigns: 'campaigns',
  targets: 'targets',
  attempts: 'attempts',
  senders: 'senders',
  templates: 'templates',
  calendars: 'calendars',
  profiles: 'profiles',
  imports: 'imports',
  optOuts: 'opt_outs',
  checkpoints: 'projection_checkpoints',
} as const;

/**
 * A campaign. The campaigns projection owns the settings fields and the targets projection owns
 * `counts`. Either may create the document first. `revision: null` marks one whose
 * CampaignCreated is not applied yet, and queries skip it.
 */
export interface CampaignDocument {
  _id: string;
  revision: number | null;
  name?: string;
  reference?: string;
  alias?: string | null;
  status?: CampaignStatus;
  sessionId?: string | null;
  settings?: CampaignSettings;
  /** `settings.endDate` as a date, for the expiry query. */
  endDate?: Date | null;
  tags?: string[];
  /** Name, reference and alias folded with `foldForSearch`. */
  searchText?: string;
  createdAt?: Date;
  profileIds?: string[];
  layouts?: TargetLayout[];
  copiedFrom?: string | null;
  counts?: Partial<TargetCounts>;
}

export interface TargetDocument {
  _id: string;
  campaignId: string;
  phoneNumber: string;
  startDate: Date | null;
  /** `startDate`, or the earliest date when there is none, so targets without one come first. */
  dueAt: Date;
  priority: number;
  status: TargetStatus;
  timeZone: string | null;
  layout: TargetLayoutValues | null;
  importId: string | null;
  revision: number;
  attempts: number;
  lastAttemptAt: Date | null;
  currentAttemptId: string | null;
}

export interface AttemptDocument {
  _id: string;
  targetId: string;
  campaignId: string;
  sessionId: string;
  attemptNumber: number;
  status: AttemptStatus;
  phoneNumber: string;
  startedAt: Date;
  endedAt: Date | null;
  providerMessageId: string | null;
  error: AttemptError | null;
  encoding: SmsEncoding | null;
  segments: number | null;
}

/** A document of a view with one document per stream, keyed by the stream's id. */
export interface RevisionedDocument {
  _id: string;
  /** Revision of the last event applied; null only on a campaign whose CampaignCreated is not applied yet. */
  revision: number | null;
}

export interface SenderDocument {
  _id: string;
  revision: number;
  name: string;
  senderId: string;
  kind: SenderIdKind;
  throughputPerSecond: number | null;
  registeredAt: Date;
}

export interface TemplateDocument {
  _id: string;
  revision: number;
  name: string;
  body: string;
  language: string | null;
  placeholders: string[];
  encoding: SmsEncoding;
  characters: number;
  segments: number;
  createdAt: Date;
}

export interface CalendarDocument {
  _id: string;
  revision: number;
  name: string;
  rules: CalendarRules;
  createdAt: Date;
}

export interface ProfileDocument {
  _id: string;
  revision: number;
  name: string;
  manageCampaign: boolean;
}

export interface ImportDocument {
  _id: string;
  revision: number;
  campaignId: string;
  source: ImportSource;
  status: ImportStatus;
  processed: number;
  imported: number;
  duplicates: number;
  rejected: number;
  /** The first rejected rows, in file order, up to MAX_IMPORT_ERRORS. */
  errors: ImportRowError[];
  /** Rejected rows reported so far, kept or not: more than MAX_IMPORT_ERRORS means `errors` is truncated. */
  errorsReported: number;
  reason: string | null;
  startedAt: Date;
  endedAt: Date | null;
}

/** A number that was ever on the do-not-contact list, keyed by the keyed hash that names its stream. */
export interface OptOutDocument {
  _id: string;
  revision: number;
  /** E.164, or ERASED once the number's personal data was erased. */
  phoneNumber: string;
  optedOut: boolean;
  since: Date | null;
  source: OptOutSource | null;
  keyword: string | null;
  campaignId: string | null;
}

export interface CheckpointDocument {
  /** Projection name. */
  _id: string;
  commit: number;
  prepare: number;
  updatedAt: Date;
}

/** Field of `CampaignDocument.counts` for each target status. */
export const COUNT_FIELDS: Readonly<Record<TargetStatus, keyof TargetCounts>> = {
  PENDING: 'pending',
  IN_PROGRESS: 'inProgress',
  SENT: 'sent',
  DELIVERED: 'delivered',
  UNDELIVERED: 'undelivered',
  FAILED: 'failed',
  UNKNOWN: 'unknown',
  CANCELLED: 'cancelled',
  EXPIRED: 'expired',
  OPTED_OUT: 'optedOut',
};

/** Earliest date ECMAScript represents, the due date of a target without a start date. */
export const EARLIEST = new Date(-8_640_000_000_000_000);

export function toTargetDocument(row: TargetRow): TargetDocument {
  const startDate = toDate(row.startDate);
  return {
    _id: row.id,
    campaignId: row.campaignId,
    phoneNumber: row.phoneNumber,
    startDate,
    dueAt: startDate ?? EARLIEST,
    priority: row.priority,
    status: row.status,
    timeZone: row.timeZone,
    layout: row.layout,
    importId: row.importId,
    revision: row.revision,
    attempts: row.attempts,
    lastAttemptAt: toDate(row.lastAttemptAt),
    currentAttemptId: row.currentAttemptId,
  };
}

export function fromTargetDocument(document: TargetDocument): TargetRow {
  return {
    id: document._id,
    campaignId: document.campaignId,
    phoneNumber: document.phoneNumber,
    startDate: toIso(document.startDate),
    priority: document.priority,
    status: document.status,
    timeZone: document.timeZone,
    layout: document.layout,
    importId: document.importId,
    revision: document.revision,
    attempts: document.attempts,
    lastAttemptAt: toIso(document.lastAttemptAt),
    currentAttemptId: document.currentAttemptId,
  };
}

export function toAttemptDocument(row: AttemptRow): AttemptDocument {
  return {
    _id: row.attemptId,
    targetId: row.targetId,
    campaignId: row.campaignId,
    sessionId: row.sessionId,
    attemptNumber: row.attemptNumber,
    status: row.status,
    phoneNumber: row.phoneNumber,
    startedAt: new Date(row.startedAt),
    endedAt: toDate(row.endedAt),
    providerMessageId: row.providerMessageId,
    error: row.error,
    encoding: row.encoding,
    segments: row.segments,
  };
}

export function fromAttemptDocument(document: AttemptDocument): AttemptRow {
  return {
    attemptId: document._id,
    targetId: document.targetId,
    campaignId: document.campaignId,
    sessionId: document.sessionId,
    attemptNumber: document.attemptNumber,
    status: document.status,
    phoneNumber: document.phoneNumber,
    startedAt: document.startedAt.toISOString(),
    endedAt: toIso(document.endedAt),
    providerMessageId: document.providerMessageId,
    error: document.error,
    encoding: document.encoding,
    segments: document.segments,
  };
}

export function toDate(instant: string | null): Date | null {
  return instant === null ? null : new Date(instant);
}

export function toIso(date: Date | null | undefined): string | null {
  return date === null || date === undefined ? null : date.toISOString();
}

/** Escapes text for use inside a regular expression, so `a.b` matches only `a.b`. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
