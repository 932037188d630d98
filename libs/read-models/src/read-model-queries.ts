import type { SqlExecutor } from '@sms/platform';
import { CampaignQueries } from './campaigns/campaigns.queries';
import { ImportQueries } from './imports/imports.queries';
import { SenderQueries } from './senders/senders.queries';
import { ReadModelOptions } from './shared/schema-name';
import { TargetQueries } from './targets/targets.queries';
import { TemplateQueries } from './templates/templates.queries';
import { CalendarQueries } from './calendars/calendars.queries';
import { ProfileQueries } from './profiles/profiles.queries';
import { OptOutQueries } from './opt-outs/opt-outs.queries';
import { ReplyOriginQueries } from './opt-outs/reply-origins.queries';

/** The queries of every SQL read model, over one connection pool or transaction. */
export class ReadModelQueries {
  readonly campaigns: CampaignQueries;
  readonly targets: TargetQueries;
  readonly senders: SenderQueries;
  readonly templates: TemplateQueries;
  readonly calendars: CalendarQueries;
  readonly profiles: ProfileQueries;
  readonly imports: ImportQueries;
  readonly optOuts: OptOutQueries;
  readonly replyOrigins: ReplyOriginQueries;

  constructor(db: SqlExecutor, options: ReadModelOptions = {}) {
    this.campaigns = new CampaignQueries(db, options);
    this.targets = new TargetQueries(db, options);
    this.senders = new SenderQueries(db, options);
    this.templates = new TemplateQueries(db, options);
    this.calendars = new CalendarQueries(db, options);
    this.profiles = new ProfileQueries(db, options);
    this.imports = new ImportQueries(db, options);
    this.optOuts = new OptOutQueries(db, options);
    this.replyOrigins = new ReplyOriginQueries(db, options);
  }
}
