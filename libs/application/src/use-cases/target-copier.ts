import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ImportCounts, importDecider, streams } from '@sms/domain';
import { CommandContext } from '../commands/command-context';
import { CommandExecutor } from '../commands/command-executor';
import { LOGGER } from '../infrastructure/tokens';
import { AppLogger } from '../logging/logger';
import { ReadModels } from '../read-models/read-models.service';
import { NewTarget, TargetWriter } from './target-writer';

/** Targets read and appended per batch, and per ImportProgressed event, when a copy runs. */
const COPY_BATCH_SIZE = 1_000;

/**
 * Copies every target of one campaign into another as a new PENDING target with the same number,
 * start date, priority, time zone and layout values. Ids of the copies derive from the source
 * targets, so running the same copy again adds nothing twice; a number the source holds twice
 * (added with "insert in case of duplicate") is copied twice.
 */
@Injectable()
export class TargetCopier implements OnApplicationShutdown {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly executor: CommandExecutor,
    private readonly writer: TargetWriter,
    private readonly readModels: ReadModels,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  /** Records ImportStarted and copies in the background; returns the import id. */
  async start(sourceId: string, campaignId: string, context: CommandContext): Promise<string> {
    const importId = randomUUID();
    await this.executor.execute(
      streams.import(importId),
      importDecider,
      { type: 'StartImport', importId, campaignId, source: 'campaign', now: context.now },
      context,
      'no_stream',
    );
    const run = this.copy(importId, sourceId, campaignId, context).finally(() => this.running.delete(run));
    this.running.add(run);
    return importId;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  private async copy(importId: string, sourceId: string, campaignId: string, context: CommandContext): Promise<void> {
    const stream = streams.import(importId);
    const counts: ImportCounts = { processed: 0, imported: 0, duplicates: 0, rejected: 0 };
    try {
      let afterId: string | undefined;
      for (;;) {
        const page = await this.readModels.queries.targets.scanTargets(sourceId, { afterId, limit: COPY_BATCH_SIZE });
        if (page.length === 0) {
          break;
        }
        afterId = page[page.length - 1].id;
        // A deleted target has no number left to copy.
        const copyable = page.flatMap((target) => (target.phoneNumber === null ? [] : [{ ...target, phoneNumber: target.phoneNumber }]));
        const copies = copyable.map((target): NewTarget => ({
          campaignId,
          targetId:
            target.id === this.writer.idFor(sourceId, target.phoneNumber)
              ? this.writer.idFor(campaignId, target.phoneNumber)
              : this.writer.copyIdFor(campaignId, target.id),
          phoneNumber: target.phoneNumber,
          startDate: target.startDate,
          priority: target.priority,
          timeZone: target.timeZone,
          layout: target.layout,
          importId,
          insertIfDuplicate: false,
        }));
        const outcomes = await this.writer.addMany(copies, { ...context, now: new Date().toISOString() });
        counts.processed += copies.length;
        counts.imported += outcomes.filter((outcome) => outcome.added).length;
        counts.duplicates += outcomes.filter((outcome) => !outcome.added).length;
        await this.executor.execute(stream, importDecider, { type: 'RecordImportProgress', counts: { ...counts }, errors: [] }, context);
      }
      await this.executor.execute(stream, importDecider, { type: 'CompleteImport', counts, now: new Date().toISOString() }, context);
      this.logger.info({ importId, sourceId, campaignId, ...counts }, 'campaign targets copied');
    } catch (error) {
      this.logger.error({ err: error, importId, sourceId, campaignId, ...counts }, 'campaign target copy failed');
      const failure = {
        type: 'FailImport' as const,
        counts,
        reason: 'the copy stopped on an internal error; see the server logs',
        now: new Date().toISOString(),
      };
      await this.executor
        .execute(stream, importDecider, failure, context)
        .catch((recordError: unknown) => this.logger.error({ err: recordError, importId }, 'could not record the copy failure'));
    }
  }
}
