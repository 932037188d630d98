import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import {
  DomainError,
  ImportCounts,
  importDecider,
  ImportRowError,
  ImportSource,
  LayoutField,
  layoutForKeys,
  missingValueViolations,
  streams,
  TargetLayout,
} from '@sms/domain';
import { EventStore } from '@sms/event-store';
import { ImportSourceError, TargetRow, TargetRowSource } from '@sms/imports';
import { CommandContext } from '../../commands/command-context';
import { CommandExecutor } from '../../commands/command-executor';
import { EVENT_STORE, LOGGER } from '../../infrastructure/tokens';
import { AppLogger } from '../../logging/logger';
import { placeholdersOf } from '../../use-cases/campaign.commands';
import { requireCampaign } from '../../use-cases/target.commands';
import { NewTarget, TargetWriter } from '../../use-cases/target-writer';

/** One import to run: where its rows come from, checked and ready to open. */
/** What a job needs to know of the campaign it imports into. */
export interface ImportTarget {
  /** The campaign's zone, in which date-times without an offset are read. */
  readonly timeZone: string;
  /** Every field of the campaign's layouts, each key once, so that number and date columns are typed. */
  readonly layoutFields: readonly LayoutField[];
}

export interface ImportJob {
  readonly source: ImportSource;
  open(target: ImportTarget): TargetRowSource;
  /** Releases what the job holds before it is opened, such as a spooled file. Called once, whether the import ran or was refused. */
  release(): Promise<void>;
}

/** Rows appended per appendToStreams call and per ImportProgressed event. */
const BATCH_SIZE = 1_000;

/**
 * Runs imports in the background, whatever their source: a spooled CSV file, a database query,
 * CRM pages or payment messages. Progress is recorded on the import's stream after every batch,
 * so GET /imports/:id shows it while it runs. After each stored batch the runner calls the
 * source's commit(). A failure part-way keeps the rows already appended; importing the same rows
 * again adds nothing twice, because target ids come from the number (see TargetIdentity).
 */
@Injectable()
export class ImportRunner implements OnApplicationShutdown {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly executor: CommandExecutor,
    private readonly writer: TargetWriter,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  /**
   * Records ImportStarted and runs the job in the background; returns the import id. The runner
   * owns the job from the call on and releases it, also when the campaign does not exist.
   */
  async start(campaignId: string, job: ImportJob, context: CommandContext): Promise<string> {
    let importId: string;
    let campaign: CampaignShape;
    try {
      const state = await requireCampaign(this.store, campaignId);
      const placeholders = await placeholdersOf(this.store, state.settings.templateId);
      campaign = {
        id: campaignId,
        timeZone: state.settings.timeZone,
        templateId: state.settings.templateId,
        layouts: state.layouts,
        placeholders,
      };
      importId = randomUUID();
      await this.executor.execute(
        streams.import(importId),
        importDecider,
        { type: 'StartImport', importId, campaignId, source: job.source, now: context.now },
        context,
        'no_stream',
      );
    } catch (error) {
      await job.release();
      throw error;
    }
    const run = this.run(importId, campaign, job, context).finally(() => {
      this.running.delete(run);
      void job.release();
    });
    this.running.add(run);
    return importId;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  /** Waits for every running import; for tests. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  private async run(importId: string, campaign: CampaignShape, job: ImportJob, context: CommandContext) {
    const campaignId = campaign.id;
    const counts: ImportCounts = { processed: 0, imported: 0, duplicates: 0, rejected: 0 };
    const stream = streams.import(importId);
    let batch: TargetRow[] = [];
    let errors: ImportRowError[] = [];
    let source: TargetRowSource | undefined;

    const flush = async () => {
      const targets = batch.map((row): NewTarget => toNewTarget(row, campaign, importId));
      const outcomes = await this.writer.addMany(targets, { ...context, now: new Date().toISOString() });
      counts.imported += outcomes.filter((outcome) => outcome.added).length;
      counts.duplicates += outcomes.filter((outcome) => !outcome.added).length;
      await this.executor.execute(stream, importDecider, { type: 'RecordImportProgress', counts: { ...counts }, errors }, context);
      batch = [];
      errors = [];
      await source?.commit();
    };

    try {
      source = job.open({ timeZone: campaign.timeZone, layoutFields: layoutFieldsOf(campaign.layouts) });
      for await (const rows of source.rows) {
        for (const row of rows) {
          counts.processed += 1;
          const missing =
            row.kind === 'rejected' ? [] : missingValueViolations(campaign.placeholders, { values: row.layoutValues }, campaign.templateId);
          if (row.kind === 'rejected') {
            counts.rejected += 1;
            errors.push({ line: row.line, value: row.value, reason: row.reason });
          } else if (missing.length > 0) {
            counts.rejected += 1;
            const keys = missing.map((violation) => violation.field.replace('layout.values.', ''));
            errors.push({
              line: row.line,
              value: row.phoneNumber,
              reason: `no value for ${keys.join(', ')}, which template '${campaign.templateId}' uses`,
            });
          } else {
            batch.push(row);
          }
        }
        if (batch.length + errors.length >= BATCH_SIZE) await flush();
      }
      await flush();
      await this.executor.execute(stream, importDecider, { type: 'CompleteImport', counts, now: new Date().toISOString() }, context);
      this.logger.info({ importId, campaignId, source: job.source, ...counts }, 'import done');
    } catch (error) {
      const known = error instanceof DomainError || error instanceof ImportSourceError || (error as { code?: string }).code !== undefined;
      // PostgreSQL text cannot hold U+0000, and the failure must be recorded whatever caused it.
      const reason = known
        ? (error as Error).message.replaceAll('\u0000', '\\0')
        : 'the import stopped on an internal error; see the server logs';
      this.logger.error({ err: error, importId, campaignId, source: job.source, ...counts }, 'import failed');
      await this.executor
        .execute(stream, importDecider, { type: 'FailImport', counts, reason, now: new Date().toISOString() }, context)
        .catch((recordError: unknown) => this.logger.error({ err: recordError, importId }, 'could not record the import failure'));
    } finally {
      await source
        ?.close()
        .catch((closeError: unknown) => this.logger.warn({ err: closeError, importId }, 'closing the import source failed'));
    }
  }
}

interface CampaignShape {
  readonly id: string;
  readonly timeZone: string;
  readonly templateId: string;
  readonly layouts: readonly TargetLayout[];
  readonly placeholders: readonly string[];
}

/**
 * Each layout field once, the first layout that defines a key giving its type. Date fields are
 * read as text: the reader would turn `2030-02-01` into an instant at local midnight, while a
 * template shows the date as the file gave it.
 */
function layoutFieldsOf(layouts: readonly TargetLayout[]): LayoutField[] {
  const fields = new Map<string, LayoutField>();
  for (const field of layouts.flatMap((layout) => layout.fields)) {
    if (!fields.has(field.key)) fields.set(field.key, field.type === 'date' ? { ...field, type: 'string' } : field);
  }
  return [...fields.values()];
}

/**
 * The layout of an imported row is the campaign's layout that holds all its columns, else its
 * first layout; `import` on a campaign without layouts.
 */
function toNewTarget(row: TargetRow, campaign: CampaignShape, importId: string): NewTarget {
  const campaignId = campaign.id;
  const keys = Object.keys(row.layoutValues);
  const hasLayout = keys.length > 0;
  const layoutName = layoutForKeys(campaign.layouts, keys)?.name ?? 'import';
  return {
    campaignId,
    phoneNumber: row.phoneNumber,
    startDate: row.startDate,
    priority: row.priority,
    timeZone: row.timeZone,
    layout: hasLayout ? { name: layoutName, values: row.layoutValues } : null,
    importId,
    insertIfDuplicate: row.insertIfDuplicate,
  };
}
