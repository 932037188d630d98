import type { GlobalPosition } from '@sms/event-store';
import type { SqlClient, SqlExecutor } from '@sms/platform';
import { CampaignQueries } from './campaigns/campaigns.queries';
import { ImportQueries } from './imports/imports.queries';
import { SenderQueries } from './senders/senders.queries';
import { TargetQueries } from './targets/targets.queries';
import { TemplateQueries } from './templates/templates.queries';
import { CalendarQueries } from './calendars/calendars.queries';
import { ProfileQueries } from './profiles/profiles.queries';
import { OptOutQueries } from './opt-outs/opt-outs.queries';
import { ReplyOriginQueries } from './opt-outs/reply-origins.queries';
import { ReporterQueries } from './reporter/reporter.queries';
import { createSqlProjections } from './projections';
import { ReadModelQueryPort, ReadModelStore } from './read-model-store.port';
import { DEFAULT_READ_MODEL_SCHEMA, quoteSchemaName, ReadModelOptions } from './shared/schema-name';

/** The queries of every SQL read model, over one connection pool or transaction. */
export class ReadModelQueries implements ReadModelQueryPort {
  readonly campaigns: CampaignQueries;
  readonly targets: TargetQueries;
  readonly senders: SenderQueries;
  readonly templates: TemplateQueries;
  readonly calendars: CalendarQueries;
  readonly profiles: ProfileQueries;
  readonly imports: ImportQueries;
  readonly optOuts: OptOutQueries;
  readonly replyOrigins: ReplyOriginQueries;
  readonly reporter: ReporterQueries;

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
    this.reporter = new ReporterQueries(db, options);
  }
}

/** The read models in PostgreSQL or PGlite, with the checkpoints the projection runner keeps there. */
export class SqlReadModelStore implements ReadModelStore {
  readonly queries: ReadModelQueries;
  private readonly schema: string;

  constructor(
    private readonly db: SqlClient,
    options: ReadModelOptions = {},
  ) {
    this.schema = options.schema ?? DEFAULT_READ_MODEL_SCHEMA;
    this.queries = new ReadModelQueries(db, { schema: this.schema });
  }

  get label(): string {
    return this.db.label;
  }

  /**
   * Runs every projection's set-up under the lock the projection runner takes for it. A set-up
   * that creates an index while the projector writes to two tables can deadlock with it, and
   * PostgreSQL then cancels one of the two; the set-up is run again, as the projector's batch is.
   */
  async setUp(): Promise<void> {
    for (const projection of createSqlProjections({ schema: this.schema })) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          await this.db.transaction(async (tx) => {
            await tx.query(`SELECT pg_advisory_xact_lock(hashtext('sms-campaigns:projection-setup'), hashtext($1))`, [projection.name]);
            await projection.setup(tx);
          });
          break;
        } catch (error) {
          if ((error as { code?: string }).code !== DEADLOCK_DETECTED || attempt >= MAX_SETUP_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
        }
      }
    }
  }

  async targetsCheckpoint(): Promise<GlobalPosition | undefined> {
    try {
      const result = await this.db.query<{ commit_position: string; prepare_position: string }>(
        `SELECT commit_position, prepare_position FROM ${quoteSchemaName(this.schema)}.projection_checkpoints WHERE projection_name = $1`,
        [`${this.schema}.targets`],
      );
      const [row] = result.rows;
      return row === undefined ? undefined : { commit: Number(row.commit_position), prepare: Number(row.prepare_position) };
    } catch (error) {
      if ((error as { code?: string }).code === UNDEFINED_TABLE) {
        return undefined;
      }
      throw error;
    }
  }

  async ping(): Promise<void> {
    await this.db.query('select 1');
  }

  /** Leaves the client open: its owner, which may share it with the event store, closes it. */
  async close(): Promise<void> {}
}

/** PostgreSQL's undefined_table: the projector, which creates the checkpoint table, has not started yet. */
const UNDEFINED_TABLE = '42P01';
const DEADLOCK_DETECTED = '40P01';
const MAX_SETUP_ATTEMPTS = 5;
