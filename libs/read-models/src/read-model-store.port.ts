import type { GlobalPosition } from '@sms/event-store';
import type { CalendarQueries } from './calendars/calendars.queries';
import type { CampaignQueries } from './campaigns/campaigns.queries';
import type { ImportQueries } from './imports/imports.queries';
import type { OptOutQueries } from './opt-outs/opt-outs.queries';
import type { ReplyOriginQueries } from './opt-outs/reply-origins.queries';
import type { ProfileQueries } from './profiles/profiles.queries';
import type { ReporterQueries } from './reporter/reporter.queries';
import type { SenderQueries } from './senders/senders.queries';
import type { TargetQueries } from './targets/targets.queries';
import type { TemplateQueries } from './templates/templates.queries';

/**
 * The read-model port: the queries the application runs, whatever database holds the views. The
 * SQL query classes define each view's methods and result types; every store returns the same
 * shapes and order for the same events.
 */
export type CampaignQueryPort = Pick<CampaignQueries, keyof CampaignQueries>;
export type TargetQueryPort = Pick<TargetQueries, keyof TargetQueries>;
export type SenderQueryPort = Pick<SenderQueries, keyof SenderQueries>;
export type TemplateQueryPort = Pick<TemplateQueries, keyof TemplateQueries>;
export type CalendarQueryPort = Pick<CalendarQueries, keyof CalendarQueries>;
export type ProfileQueryPort = Pick<ProfileQueries, keyof ProfileQueries>;
export type ImportQueryPort = Pick<ImportQueries, keyof ImportQueries>;
export type OptOutQueryPort = Pick<OptOutQueries, keyof OptOutQueries>;
export type ReplyOriginQueryPort = Pick<ReplyOriginQueries, keyof ReplyOriginQueries>;
/** The Reporter data source over the attempts of the targets view. */
export type ReporterQueryPort = Pick<ReporterQueries, keyof ReporterQueries>;

export interface ReadModelQueryPort {
  readonly campaigns: CampaignQueryPort;
  readonly targets: TargetQueryPort;
  readonly senders: SenderQueryPort;
  readonly templates: TemplateQueryPort;
  readonly calendars: CalendarQueryPort;
  readonly profiles: ProfileQueryPort;
  readonly imports: ImportQueryPort;
  readonly optOuts: OptOutQueryPort;
  readonly replyOrigins: ReplyOriginQueryPort;
  readonly reporter: ReporterQueryPort;
}

/** A database that holds the read models: its queries, its set-up and its projection checkpoints. */
export interface ReadModelStore {
  /** Names the database in logs and health messages, without credentials. */
  readonly label: string;
  readonly queries: ReadModelQueryPort;
  /** Creates the tables or collections and their indexes when missing. Safe to run at every start, from several processes. */
  setUp(): Promise<void>;
  /** Position of the last event the targets projection applied, or undefined before its first batch. */
  targetsCheckpoint(): Promise<GlobalPosition | undefined>;
  /** Resolves once the database answers; rejects with its error otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
