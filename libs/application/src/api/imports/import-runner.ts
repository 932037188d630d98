import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { DomainError, ImportCounts, importDecider, ImportRowError, ImportSource, streams } from '@sms/domain';
import { EventStore } from '@sms/event-store';
import { ImportSourceError, TargetRow, TargetRowSource } from '@sms/imports';
import { CommandContext } from '../../commands/command-context';
import { CommandExecutor } from '../../commands/command-executor';
import { EVENT_STORE, LOGGER } from '../../infrastructure/tokens';
import { AppLogger } from '../../logging/logger';
import { requireCampaign } from '../../use-cases/target.commands';
import { NewTarget, TargetWriter } from '../../use-cases/target-writer';

/** One import to run: where its rows come from, checked and ready to open. */
export interface ImportJob {
  readonly source: ImportSource;
  /** Opens the rows, reading date-times without an offset in `timeZone`, the campaign's zone. */
  open(timeZone: string): TargetRowSource;
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
    let timeZone: string;
    try {
      const campaign = await requireCampaign(this.store, campaignId);
      timeZone = campaign.settings.timeZone;
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
    const run = this.run(importId, campaignId, timeZone, job, context).finally(() => {
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

  private async run(importId: string, campaignId: string, timeZone: string, job: ImportJob, context: CommandContext) {
    const counts: ImportCounts = { processed: 0, imported: 0, duplicates: 0, rejected: 0 };
    const stream = streams.import(importId);
    let batch: TargetRow[] = [];
    let errors: ImportRowError[] = [];
    let source: TargetRowSource | undefined;

    const flush = async () => {
      const targets = batch.map((row): NewTarget => toNewTarget(row, campaignId, importId));
      const outcomes = await this.writer.addMany(targets, { ...context, now: new Date().toISOString() });
      counts.imported += outcomes.filter((outcome) => outcome.added).length;
      counts.duplicates += outcomes.filter((outcome) => !outcome.added).length;
      await this.executor.execute(stream, importDecider, { type: 'RecordImportProgress', counts: { ...counts }, errors }, context);
      batch = [];
      errors = [];
      await source?.commit();
    };

    try {
      source = job.open(timeZone);
      for await (const rows of source.rows) {
        for (const row of rows) {
          counts.processed += 1;
          if (row.kind === 'rejected') {
            counts.rejected += 1;
            errors.push({ line: row.line, value: row.value, reason: row.reason });
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

function toNewTarget(row: TargetRow, campaignId: string, importId: string): NewTarget {
  const hasLayout = Object.keys(row.layoutValues).length > 0;
  return {
    campaignId,
    phoneNumber: row.phoneNumber,
    startDate: row.startDate,
    priority: row.priority,
    timeZone: row.timeZone,
    layout: hasLayout ? { name: 'import', values: row.layoutValues } : null,
    importId,
    insertIfDuplicate: row.insertIfDuplicate,
  };
}
