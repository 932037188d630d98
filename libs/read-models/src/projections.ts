import { CampaignsProjection } from './campaigns/campaigns.projection';
import { ImportsProjection } from './imports/imports.projection';
import { SendersProjection } from './senders/senders.projection';
import { ReadModelOptions } from './shared/schema-name';
import type { SqlProjection } from '@sms/event-store';
import { TargetsProjection } from './targets/targets.projection';
import { TemplatesProjection } from './templates/templates.projection';
import { CalendarsProjection } from './calendars/calendars.projection';
import { ProfilesProjection } from './profiles/profiles.projection';
import { OptOutsProjection } from './opt-outs/opt-outs.projection';

/**
 * Creates every SQL read model projection. They are independent: each may run with its own
 * checkpoint, and any one may be reset and rebuilt alone. The campaigns and targets projections
 * share the campaigns table, each writing only its own columns.
 */
export function createSqlProjections(options: ReadModelOptions = {}): SqlProjection[] {
  return [
    new SendersProjection(options),
    new TemplatesProjection(options),
    new CalendarsProjection(options),
    new ProfilesProjection(options),
    new CampaignsProjection(options),
    new TargetsProjection(options),
    new ImportsProjection(options),
    new OptOutsProjection(options),
  ];
}
