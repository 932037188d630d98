import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { DomainError, ImportCounts, importDecider, ImportRowError, streams } from '@sms/domain';
import { EventStore } from '@sms/event-store';
import { readTargetRowBatches, TargetRow } from '@sms/imports';
import { CommandContext } from '../../commands/command-context';
import { CommandExecutor } from '../../commands/command-executor';
import { EVENT_STORE, LOGGER } from '../../infrastructure/tokens';
import { AppLogger } from '../../logging/logger';
import { requireCampaign } from '../../use-cases/target.commands';
import { NewTarget, TargetWriter } from '../../use-cases/target-writer';

export interface CsvImportOptions {
  readonly defaultCountry: string;
  readonly insertIfDuplicate: boolean;
  readonly mapping?: Record<string, string>;
  readonly dateFormat?: string;
}

/** Rows appended per appendToStreams call and per ImportProgressed event. */
const BATCH_SIZE = 1_000;

/**
 * Runs CSV imports in the background from a spooled file. Progress is recorded on the import's
 * stream after every batch, so GET /imports/:id shows it while it runs. A failure part-way keeps
 * the rows already appended; importing the same file again adds nothing twice, because target
 * ids come from the number (see TargetIdentity).
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

  /** Records ImportStarted and processes the file in the background; returns the import id. */
  async start(campaignId: string, file: string, options: CsvImportOptions, context: CommandContext): Promise<string> {
    const campaign = await requireCampaign(this.store, campaignId);
    const importId = randomUUID();
    await this.executor.execute(
      streams.import(importId),
      importDecider,
      { type: 'StartImport', importId, campaignId, source: 'csv', now: context.now },
      context,
      'no_stream',
    );
    const run = this.run(importId, campaignId, campaign.settings.timeZone, file, options, context).finally(() => {
      this.running.delete(run);
      void rm(file, { force: true });
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

  private async run(
    importId: string,
    campaignId: string,
    timeZone: string,
    file: string,
    options: CsvImportOptions,
    context: CommandContext,
  ) {
    const counts: ImportCounts = { processed: 0, imported: 0, duplicates: 0, rejected: 0 };
    const stream = streams.import(importId);
    let batch: TargetRow[] = [];
    let errors: ImportRowError[] = [];

    const flush = async () => {
      const targets = batch.map((row): NewTarget => toNewTarget(row, campaignId, importId));
      const outcomes = await this.writer.addMany(targets, { ...context, now: new Date().toISOString() });
      counts.imported += outcomes.filter((outcome) => outcome.added).length;
      counts.duplicates += outcomes.filter((outcome) => !outcome.added).length;
      await this.executor.execute(stream, importDecider, { type: 'RecordImportProgress', counts: { ...counts }, errors }, context);
      batch = [];
      errors = [];
    };

    try {
      for await (const rows of readTargetRowBatches(createReadStream(file), { ...options, timeZone })) {
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
      this.logger.info({ importId, campaignId, ...counts }, 'import done');
    } catch (error) {
      const known = error instanceof DomainError || (error as { code?: string }).code !== undefined;
      // PostgreSQL text cannot hold U+0000, and the failure must be recorded whatever caused it.
      const reason = known
        ? (error as Error).message.replaceAll('\u0000', '\\0')
        : 'the import stopped on an internal error; see the server logs';
      this.logger.error({ err: error, importId, campaignId, ...counts }, 'import failed');
      await this.executor
        .execute(stream, importDecider, { type: 'FailImport', counts, reason, now: new Date().toISOString() }, context)
        .catch((recordError: unknown) => this.logger.error({ err: recordError, importId }, 'could not record the import failure'));
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
