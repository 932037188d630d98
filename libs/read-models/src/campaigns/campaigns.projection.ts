import {
  assertNever,
  CampaignCreated,
  CampaignEvent,
  CampaignSettingsChanged,
  idFromStreamName,
  StatusToggled,
  STREAM_PREFIXES,
} from '@sms/domain';
import type { RecordedEvent } from '@sms/event-store';
import type { SqlExecutor } from '@sms/platform';
import { asDomainEvent, RecordedDomainEvent } from '../shared/recorded-domain-event';
import { foldForSearch } from '../shared/search-text';
import { DEFAULT_READ_MODEL_SCHEMA, quoteSchemaName, ReadModelOptions } from '../shared/schema-name';
import { lockSchemaSetup } from '../shared/setup-lock';
import type { SqlProjection } from '@sms/event-store';
import { createCampaignsTable } from './campaigns.table';

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
 * The settings, status and session columns of the campaigns table. The count columns belong to
 * the targets projection, so a reset here leaves them alone.
 */
export class CampaignsProjection implements SqlProjection {
  readonly name: string;
  readonly filter = { streamPrefixes: [STREAM_PREFIXES.campaign] };
  private readonly schema: string;
  private readonly table: string;

  constructor(options: ReadModelOptions = {}) {
    const schema = options.schema ?? DEFAULT_READ_MODEL_SCHEMA;
    this.schema = quoteSchemaName(schema);
    this.table = `${this.schema}.campaigns`;
    this.name = `${schema}.campaigns`;
  }

  async setup(db: SqlExecutor): Promise<void> {
    await lockSchemaSetup(db, this.schema);
    await createCampaignsTable(db, this.schema);
  }

  /** Forgets the settings so that a replay writes them again. The counts stay. */
  async reset(db: SqlExecutor): Promise<void> {
    await db.query(
      `UPDATE ${this.table} SET revision = NULL, name = NULL, reference = NULL, alias = NULL, status = NULL,
         session_id = NULL, settings = NULL, tags = '{}', profile_ids = '{}', layouts = '[]', copied_from = NULL,
         search_text = '', created_at = NULL`,
    );
  }

  async project(events: readonly RecordedEvent[], tx: SqlExecutor): Promise<void> {
    for (const recorded of events) {
      if (!recorded.streamName.startsWith(STREAM_PREFIXES.campaign)) {
        continue;
      }
      const event = asDomainEvent<CampaignEvent>(recorded, CAMPAIGN_EVENT_TYPES);
      if (event === null) {
        await this.advanceRevision(recorded, tx);
        continue;
      }
      switch (event.type) {
        case 'CampaignCreated':
          await this.insertCampaign(event, tx);
          break;
        case 'StatusToggled':
          await this.updateStatus(event, tx);
          break;
        case 'CampaignSettingsChanged':
          await this.updateSettings(event, tx);
          break;
        case 'CampaignDeleted':
          await tx.query(`DELETE FROM ${this.table} WHERE id = $1`, [event.data.id]);
          break;
        case 'CampaignProfilesAssigned':
          await tx.query(`UPDATE ${this.table} SET profile_ids = $2::text[], revision = $3 WHERE id = $1 AND revision < $3`, [
            idFromStreamName(event.streamName),
            event.data.profileIds,
            event.revision,
          ]);
          break;
        case 'TargetLayoutsDefined':
          await tx.query(`UPDATE ${this.table} SET layouts = $2::jsonb, revision = $3 WHERE id = $1 AND revision < $3`, [
            idFromStreamName(event.streamName),
            JSON.stringify(event.data.layouts),
            event.revision,
          ]);
          break;
        case 'CampaignEmptied':
          await this.advanceRevision(event, tx);
          break;
        default:
          assertNever(event);
      }
    }
  }

  /**
   * Upserts rather than inserts because the targets projection may already have created the row
   * for its counts. The revision guard makes a replayed event a no-op.
   */
  private async insertCampaign(event: RecordedDomainEvent<CampaignCreated>, tx: SqlExecutor): Promise<void> {
    const { id, copiedFrom, ...settings } = event.data;
    const searchText = foldForSearch([settings.name, settings.reference, settings.alias ?? ''].join('\n'));
    await tx.query(
      `INSERT INTO ${this.table} (id, revision, name, reference, alias, status, session_id, settings, tags, search_text, created_at, copied_from)
       VALUES ($1, $2, $3, $4, $5, 'OFF', NULL, $6::jsonb, $7::text[], $8, $9, $10)
       ON CONFLICT (id) DO UPDATE SET
         revision = EXCLUDED.revision, name = EXCLUDED.name, reference = EXCLUDED.reference, alias = EXCLUDED.alias,
         status = EXCLUDED.status, session_id = EXCLUDED.session_id, settings = EXCLUDED.settings,
         tags = EXCLUDED.tags, search_text = EXCLUDED.search_text, created_at = EXCLUDED.created_at,
         copied_from = EXCLUDED.copied_from
       WHERE campaigns.revision IS NULL OR campaigns.revision < EXCLUDED.revision`,
      [
        id,
        event.revision,
        settings.name,
        settings.reference,
        settings.alias,
        JSON.stringify(settings),
        settings.tags,
        searchText,
        event.metadata.decidedAt,
        copiedFrom ?? null,
      ],
    );
  }

  private async updateSettings(event: RecordedDomainEvent<CampaignSettingsChanged>, tx: SqlExecutor): Promise<void> {
    const { settings } = event.data;
    const searchText = foldForSearch([settings.name, settings.reference, settings.alias ?? ''].join('\n'));
    await tx.query(
      `UPDATE ${this.table} SET name = $2, reference = $3, alias = $4, settings = $5::jsonb, tags = $6::text[], search_text = $7, revision = $8
       WHERE id = $1 AND revision < $8`,
      [
        idFromStreamName(event.streamName),
        settings.name,
        settings.reference,
        settings.alias,
        JSON.stringify(settings),
        settings.tags,
        searchText,
        event.revision,
      ],
    );
  }

  private async updateStatus(event: RecordedDomainEvent<StatusToggled>, tx: SqlExecutor): Promise<void> {
    await tx.query(`UPDATE ${this.table} SET status = $2, session_id = $3, revision = $4 WHERE id = $1 AND revision < $4`, [
      idFromStreamName(event.streamName),
      event.data.status,
      event.data.sessionId,
      event.revision,
    ]);
  }

  /**
   * Moves the revision for an event type this view does not read, because callers use the
   * revision as the campaign's ETag.
   */
  private async advanceRevision(event: RecordedEvent, tx: SqlExecutor): Promise<void> {
    await tx.query(`UPDATE ${this.table} SET revision = $2 WHERE id = $1 AND revision < $2`, [
      idFromStreamName(event.streamName),
      event.revision,
    ]);
  }
}
