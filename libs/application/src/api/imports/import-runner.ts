import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import {
  DomainError,
  FieldViolation,
  ImportCounts,
  importDecider,
  ImportRowError,
  ImportSource,
  ImportState,
  LayoutField,
  layoutOfValues,
  layoutValueViolations,
  MessageLengthCheck,
  messageLengthCheck,
  missingValueViolations,
  RecordImportProgress,
  streams,
  TargetLayout,
  TargetLayoutValues,
} from '@sms/domain';
import { EventStore, WrongExpectedRevisionError } from '@sms/event-store';
import { checkMapping, cut, ImportSourceError, TargetRow, TargetRowResult, TargetRowSource } from '@sms/imports';
import { CommandContext } from '../../commands/command-context';
import { CommandExecutor } from '../../commands/command-executor';
import { toNewEvent } from '../../commands/to-new-event';
import { EVENT_STORE, LOGGER } from '../../infrastructure/tokens';
import { AppLogger } from '../../logging/logger';
import { loadTemplate } from '../../use-cases/campaign.commands';
import { requireCampaign } from '../../use-cases/target.commands';
import { AddOutcome, NewTarget, TargetWriter } from '../../use-cases/target-writer';

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
  /** Source column to target field or layout key, checked against the campaign's layouts before the import starts. */
  readonly mapping?: Readonly<Record<string, string>>;
  open(target: ImportTarget): TargetRowSource;
  /** Releases what the job holds before it is opened, such as a spooled file. Called once, whether the import ran or was refused. */
  release(): Promise<void>;
}

/** Rows appended per appendToStreams call. */
const BATCH_SIZE = 1_000;

/**
 * Batches whose append may run while the runner reads and checks the next rows. Two keep the
 * CSV reader and the database busy at once, and more would only wait in the database.
 */
const MAX_APPENDS_IN_FLIGHT = 2;

/** Minimum time between two ImportProgressed events, in ms, unless rejected rows pile up. */
const PROGRESS_INTERVAL_MS = 1_000;

/** Rejected rows after which the next stored batch records ImportProgressed at once, which bounds an event's `errors`. */
const MAX_UNRECORDED_ERRORS = 1_000;

/**
 * Runs imports in the background, whatever their source: a spooled CSV file, a database query,
 * CRM pages or payment messages. Progress is recorded on the import's stream about once a
 * second, sooner when rejected rows pile up, and once more at the end, so GET /imports/:id
 * shows it while it runs. A failure part-way
 * keeps the rows already appended; importing the same rows again adds nothing twice, because
 * target ids come from the number (see TargetIdentity).
 *
 * While one batch is appended the runner reads and checks the next one, and the two appends may
 * overlap. Outcomes are counted, and progress recorded, in the order of the batches. A payment
 * import reads no row ahead: its source acknowledges every message read so far on commit(), which
 * the runner calls after each stored batch, so a message read ahead would be acknowledged before
 * its row is stored.
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
   *
   * @throws ImportFormatError IMPORT.INVALID_MAPPING (400) when the campaign has layouts and the
   * mapping names a key that none of them has.
   */
  async start(campaignId: string, job: ImportJob, context: CommandContext): Promise<string> {
    let importId: string;
    let campaign: CampaignShape;
    let revision: number;
    try {
      const state = await requireCampaign(this.store, campaignId);
      if (job.mapping !== undefined && state.layouts.length > 0) {
        checkMapping(job.mapping, new Set(state.layouts.flatMap((layout) => layout.fields.map((field) => field.key))));
      }
      const template = await loadTemplate(this.store, state.settings.templateId);
      campaign = {
        id: campaignId,
        timeZone: state.settings.timeZone,
        templateId: state.settings.templateId,
        layouts: state.layouts,
        placeholders: template?.placeholders ?? [],
        checkMessageLength: template === undefined ? () => [] : messageLengthCheck(template),
      };
      importId = randomUUID();
      const started = await this.executor.execute(
        streams.import(importId),
        importDecider,
        { type: 'StartImport', importId, campaignId, source: job.source, now: context.now },
        context,
        'no_stream',
      );
      revision = started.revision;
    } catch (error) {
      await job.release();
      throw error;
    }
    const progress = new ImportProgress(this.store, this.executor, importId, revision, context);
    const run = this.run(importId, campaign, job, progress, context).finally(() => {
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

  private async run(importId: string, campaign: CampaignShape, job: ImportJob, progress: ImportProgress, context: CommandContext) {
    const campaignId = campaign.id;
    const maxInFlight = job.source === 'payment' ? 1 : MAX_APPENDS_IN_FLIGHT;
    // A crash of PostgreSQL may lose the last deferred batches, and a rerun of the same rows adds
    // them back. Payment messages are acknowledged after each batch, so those batches are flushed.
    const durability = job.source === 'payment' ? 'flushed' : 'deferred';
    const inFlight: PendingBatch[] = [];
    let batch = new BatchBuilder();
    let source: TargetRowSource | undefined;

    const send = (rows: BatchBuilder) => {
      const targets = rows.rows.map(({ row, layout }): NewTarget => toNewTarget(row, layout, campaign.id, importId));
      const appended = this.writer.addMany(targets, { ...context, now: new Date().toISOString() }, durability);
      // Awaited in batch order by settleOldest; the handler keeps an early rejection from counting as unhandled.
      appended.catch(() => undefined);
      inFlight.push({ counts: rows.counts, errors: rows.errors, appended });
    };
    const settleOldest = async () => {
      const oldest = inFlight.shift();
      if (oldest) {
        progress.add(oldest, await oldest.appended);
        await progress.recordIfDue();
        await source?.commit();
      }
    };

    try {
      source = job.open({ timeZone: campaign.timeZone, layoutFields: layoutFieldsOf(campaign.layouts) });
      for await (const rows of source.rows) {
        for (const row of rows) {
          batch.take(row, campaign);
        }
        if (batch.size >= BATCH_SIZE) {
          send(batch);
          batch = new BatchBuilder();
          while (inFlight.length >= maxInFlight) await settleOldest();
        }
      }
      send(batch);
      while (inFlight.length > 0) await settleOldest();
      await progress.record();
      const counts = progress.counts();
      await this.executor.execute(
        progress.stream,
        importDecider,
        { type: 'CompleteImport', counts, now: new Date().toISOString() },
        context,
      );
      this.logger.info({ importId, campaignId, source: job.source, ...counts }, 'import done');
    } catch (error) {
      // Batches appended after the one that failed are stored too, so they are counted.
      const rest = inFlight.splice(0);
      const settled = await Promise.allSettled(rest.map((pending) => pending.appended));
      settled.forEach((result, index) => {
        if (result.status === 'fulfilled') progress.add(rest[index], result.value);
      });
      // The rejected rows of stored batches, recorded before the failure so that GET /imports/:id lists them.
      await progress
        .record()
        .catch((recordError: unknown) => this.logger.error({ err: recordError, importId }, 'could not record the import progress'));
      const counts = progress.counts();
      const known = error instanceof DomainError || error instanceof ImportSourceError || (error as { code?: string }).code !== undefined;
      // PostgreSQL text cannot hold U+0000, and the failure must be recorded whatever caused it.
      const reason = known
        ? (error as Error).message.replaceAll('\u0000', '\\0')
        : 'the import stopped on an internal error; see the server logs';
      this.logger.error({ err: error, importId, campaignId, source: job.source, ...counts }, 'import failed');
      await this.executor
        .execute(progress.stream, importDecider, { type: 'FailImport', counts, reason, now: new Date().toISOString() }, context)
        .catch((recordError: unknown) => this.logger.error({ err: recordError, importId }, 'could not record the import failure'));
    } finally {
      await source
        ?.close()
        .catch((closeError: unknown) => this.logger.warn({ err: closeError, importId }, 'closing the import source failed'));
    }
  }
}

/** Counts that a batch knows before its append: rows read and rows rejected. */
type ReadCounts = Pick<ImportCounts, 'processed' | 'rejected'>;

/** A batch handed to TargetWriter, with what its rows add to the import's counts and errors. */
interface PendingBatch {
  readonly counts: ReadCounts;
  readonly errors: readonly ImportRowError[];
  readonly appended: Promise<AddOutcome[]>;
}

/** The rows of the next batch: those to append with their layout, and the rejected ones with their reason. */
class BatchBuilder {
  readonly rows: Array<{ row: TargetRow; layout: TargetLayoutValues | null }> = [];
  readonly errors: ImportRowError[] = [];
  readonly counts = { processed: 0, rejected: 0 };

  /** Rows and rejections, which both count towards a batch's size. */
  get size(): number {
    return this.rows.length + this.errors.length;
  }

  take(row: TargetRowResult, campaign: CampaignShape): void {
    this.counts.processed += 1;
    if (row.kind === 'rejected') {
      this.reject({ line: row.line, value: row.value, reason: row.reason });
      return;
    }
    const layout = layoutOf(row, campaign.layouts);
    if ('violation' in layout) {
      this.reject({ line: row.line, ...describeViolation(layout.violation) });
      return;
    }
    const values = layout.layout?.values ?? {};
    const missing = missingValueViolations(campaign.placeholders, { values }, campaign.templateId);
    if (missing.length > 0) {
      const keys = missing.map((violation) => violation.field.replace('layout.values.', ''));
      this.reject({
        line: row.line,
        value: row.phoneNumber,
        reason: `no value for ${keys.join(', ')}, which template '${campaign.templateId}' uses`,
      });
      return;
    }
    const [tooLong] = campaign.checkMessageLength(values, row.phoneNumber);
    if (tooLong !== undefined) {
      this.reject({ line: row.line, value: row.phoneNumber, reason: `${tooLong.field.replace('layout.values.', '')} ${tooLong.rule}` });
      return;
    }
    this.rows.push({ row, layout: layout.layout });
  }

  private reject(error: ImportRowError): void {
    this.counts.rejected += 1;
    this.errors.push(error);
  }
}

/**
 * The counts of the stored batches and their ImportProgressed events. The runner is the only
 * writer of the import's stream while the import runs, so it appends each event with the revision
 * it left instead of reading the stream again. If the stream moved anyway, it falls back to the
 * command executor, which reads it.
 */
class ImportProgress {
  readonly stream: string;
  private readonly stored: ImportCounts = { processed: 0, imported: 0, duplicates: 0, rejected: 0 };
  private errors: ImportRowError[] = [];
  private processedAtLastRecord = 0;
  private lastRecordAt = Date.now();

  constructor(
    private readonly store: EventStore,
    private readonly executor: CommandExecutor,
    private readonly importId: string,
    private revision: number,
    private readonly context: CommandContext,
  ) {
    this.stream = streams.import(importId);
  }

  counts(): ImportCounts {
    return { ...this.stored };
  }

  add(batch: PendingBatch, outcomes: readonly AddOutcome[]): void {
    this.stored.processed += batch.counts.processed;
    this.stored.rejected += batch.counts.rejected;
    for (const outcome of outcomes) {
      if (outcome.added) this.stored.imported += 1;
      else this.stored.duplicates += 1;
    }
    this.errors.push(...batch.errors);
  }

  async recordIfDue(): Promise<void> {
    if (Date.now() - this.lastRecordAt >= PROGRESS_INTERVAL_MS || this.errors.length >= MAX_UNRECORDED_ERRORS) {
      await this.record();
    }
  }

  /** Records ImportProgressed when rows were stored or rejected since the last one. */
  async record(): Promise<void> {
    if (this.stored.processed === this.processedAtLastRecord && this.errors.length === 0) {
      return;
    }
    const command: RecordImportProgress = { type: 'RecordImportProgress', counts: this.counts(), errors: this.errors };
    const state: ImportState = { exists: true, importId: this.importId, status: 'RUNNING' };
    const events = importDecider.decide(command, state).map((event) => toNewEvent(event, this.context));
    try {
      this.revision = (await this.store.appendToStream(this.stream, events, { expectedRevision: this.revision })).nextExpectedRevision;
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      this.revision = (await this.executor.execute(this.stream, importDecider, command, this.context)).revision;
    }
    this.errors = [];
    this.processedAtLastRecord = this.stored.processed;
    this.lastRecordAt = Date.now();
  }
}

interface CampaignShape {
  readonly id: string;
  readonly timeZone: string;
  readonly templateId: string;
  readonly layouts: readonly TargetLayout[];
  readonly placeholders: readonly string[];
  /** Check that a row's values keep the message within the maximum number of segments of one SMS. */
  readonly checkMessageLength: MessageLengthCheck;
}

/** Each layout field once, the first layout that defines a key giving its type. */
function layoutFieldsOf(layouts: readonly TargetLayout[]): LayoutField[] {
  const fields = new Map<string, LayoutField>();
  for (const field of layouts.flatMap((layout) => layout.fields)) {
    if (!fields.has(field.key)) fields.set(field.key, field);
  }
  return [...fields.values()];
}

/**
 * Returns the layout of an imported row, checked with the rules of a single add, or the violation
 * that rejects the row. A row names no layout, so it gets the first layout with a field for each
 * of its filled values (see layoutOfValues). On a campaign without layouts the values are free-form
 * under the layout name `import`, and a row without layout columns has no layout.
 */
function layoutOf(row: TargetRow, layouts: readonly TargetLayout[]): { layout: TargetLayoutValues | null } | { violation: FieldViolation } {
  if (Object.keys(row.layoutValues).length === 0) {
    return { layout: null };
  }
  const chosen =
    layouts.length === 0 ? { layout: { name: 'import', values: { ...row.layoutValues } } } : layoutOfValues(layouts, row.layoutValues);
  if ('violation' in chosen) {
    return chosen;
  }
  const [violation] = layoutValueViolations(layouts, chosen.layout);
  return violation === undefined ? chosen : { violation };
}

/** Words a layout violation as an import error: the key, the value and the rule, as the single add words it. */
function describeViolation(violation: FieldViolation): { value: string; reason: string } {
  const key = violation.field.replace('layout.values.', '');
  const value = violation.value === null || violation.value === undefined ? '' : cut(String(violation.value));
  return { value, reason: value === '' ? `${key} ${violation.rule}` : `${key} '${value}' ${violation.rule}` };
}

function toNewTarget(row: TargetRow, layout: TargetLayoutValues | null, campaignId: string, importId: string): NewTarget {
  return {
    campaignId,
    phoneNumber: row.phoneNumber,
    startDate: row.startDate,
    priority: row.priority,
    timeZone: row.timeZone,
    layout,
    importId,
    insertIfDuplicate: row.insertIfDuplicate,
  };
}
