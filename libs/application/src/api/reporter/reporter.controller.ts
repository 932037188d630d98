import { createHmac } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Controller, Get, Inject, Injectable, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@sms/domain';
import {
  AttemptFilterKey,
  AttemptKey,
  AttemptReportRow,
  decodeAttemptCursor,
  encodeAttemptCursor,
  ReadModelStore,
  ReporterQueryPort,
} from '@sms/read-models';
import type { Request, Response } from 'express';
import { Secrets } from '../../infrastructure/secrets';
import { LOGGER, READ_STORE, SECRETS } from '../../infrastructure/tokens';
import { AppLogger } from '../../logging/logger';
import { ReadModels } from '../../read-models/read-models.service';
import { toInstant } from '../../use-cases/local-date';
import { Roles } from '../auth/roles';
import { notFound } from '../not-found';
import { AttemptPageReader, attemptReportStream, AttemptStreamFormat } from './attempt-report.stream';
import { AttemptCountersQuery, AttemptReportQuery } from './reporter.dto';

/** The Reporter's queries over the read-model store, SQL or MongoDB. */
@Injectable()
export class ReporterReadModel {
  readonly queries: ReporterQueryPort;

  constructor(@Inject(READ_STORE) store: ReadModelStore) {
    this.queries = store.queries.reporter;
  }
}

/** Media types of the data source, the default first. */
const MEDIA_TYPES = ['application/json', 'application/x-ndjson', 'text/csv'] as const;

/**
 * The Reporter data source "SMS campaign attempts": one row per attempt, as JSON pages with a
 * keyset cursor, or as one NDJSON or CSV stream of every matching row.
 */
@ApiTags('reporter')
@ApiBearerAuth()
@Roles('reporter', 'auditor')
@Controller('reporter/sms-campaign-attempts')
export class ReporterController {
  /** Signs the page cursors. Derived from AUTH_JWT_SECRET, which every API process shares. */
  private readonly cursorKey: Buffer;

  constructor(
    private readonly reporter: ReporterReadModel,
    private readonly readModels: ReadModels,
    @Inject(LOGGER) private readonly logger: AppLogger,
    @Inject(SECRETS) secrets: Secrets,
  ) {
    // A key of its own, so that a cursor signature is never a valid signature for anything else.
    this.cursorKey = createHmac('sha256', secrets.jwtSecret).update('reporter attempt cursor').digest();
  }

  /**
   * Returns `{ items, nextCursor }`, oldest first by (startedAt, attemptId); `nextCursor` is null on
   * the last page. With `Accept: application/x-ndjson` or `text/csv`, streams every matching row
   * instead, from the cursor when one is given. A stream is not a snapshot: an attempt that
   * starts or changes during it may be missing or show its earlier state.
   */
  @Get()
  @ApiProduces(...MEDIA_TYPES)
  @ApiOkResponse({ description: 'A JSON page, an NDJSON stream (one row per line) or a UTF-8 CSV with a byte order mark' })
  async list(@Query() query: AttemptReportQuery, @Req() request: Request, @Res() response: Response): Promise<void> {
    const filters = await this.readFilters(query);
    const after = query.cursor === undefined ? undefined : decodeAttemptCursor(query.cursor, filters, this.cursorKey);
    const readPage: AttemptPageReader = (key, limit) => this.reporter.queries.listAttempts({ ...filters, after: key, limit });

    const mediaType = request.accepts([...MEDIA_TYPES]);
    if (mediaType === 'application/x-ndjson' || mediaType === 'text/csv') {
      await this.stream(mediaType === 'text/csv' ? 'csv' : 'ndjson', readPage, after, filters, response);
      return;
    }
    const rows = await readPage(after, query.limit + 1);
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    const nextCursor = rows.length > query.limit && last !== undefined ? encodeAttemptCursor(keyOf(last), filters, this.cursorKey) : null;
    response.json({ items, nextCursor });
  }

  /**
   * Counts the campaign's attempts per status, with their segments, in total and per session
   * (oldest first). 404 when the campaign is unknown and has no attempts: a deleted campaign's
   * attempts are still counted.
   */
  @Get('counters')
  async counters(@Query() query: AttemptCountersQuery) {
    const counters = await this.reporter.queries.countAttempts(query.campaignId, query.sessionId);
    if (counters.attempts === 0 && (await this.readModels.getCampaign(query.campaignId)) === undefined) {
      notFound('CAMPAIGN.NOT_FOUND', 'campaign', query.campaignId);
    }
    return counters;
  }

  /**
   * Reads `from` and `to` as instants. Local times are read in the campaign's time zone when
   * `campaignId` names a campaign of the read model, and in UTC otherwise.
   */
  private async readFilters(query: AttemptReportQuery): Promise<AttemptFilterKey> {
    let timeZone = 'UTC';
    if (query.campaignId !== undefined && (query.from !== undefined || query.to !== undefined)) {
      timeZone = (await this.readModels.getCampaign(query.campaignId))?.timeZone ?? 'UTC';
    }
    const from = query.from === undefined ? undefined : toInstant('from', query.from, timeZone);
    const to = query.to === undefined ? undefined : toInstant('to', query.to, timeZone);
    if (from !== undefined && to !== undefined && Date.parse(from) >= Date.parse(to)) {
      throw DomainError.invalid('REQUEST.INVALID_RANGE', 'from', query.from, `must be before to ('${query.to}')`);
    }
    return { campaignId: query.campaignId, sessionId: query.sessionId, from, to };
  }

  private async stream(
    format: AttemptStreamFormat,
    readPage: AttemptPageReader,
    after: AttemptKey | undefined,
    filters: AttemptFilterKey,
    response: Response,
  ): Promise<void> {
    if (format === 'csv') {
      response.setHeader('Content-Type', 'text/csv; charset=utf-8');
      response.setHeader('Content-Disposition', 'attachment; filename="sms-campaign-attempts.csv"');
    } else {
      response.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
    }
    // The rows contain phone numbers, which no shared cache may keep.
    response.setHeader('Cache-Control', 'no-store');
    try {
      await pipeline(attemptReportStream(format, readPage, after), response);
    } catch (error) {
      // The status line is sent, so the error cannot become an error body; the client sees the body cut short.
      const closedByClient = CLIENT_CLOSED_CODES.has((error as { code?: string }).code ?? '');
      const fields = { err: error, format, campaignId: filters.campaignId, sessionId: filters.sessionId };
      if (closedByClient) {
        this.logger.info(fields, 'attempt stream stopped: the client closed the connection');
      } else {
        this.logger.error(fields, 'attempt stream failed after the response started');
      }
    }
  }
}

/** Error codes of a write to a connection that the client closed. */
const CLIENT_CLOSED_CODES: ReadonlySet<string> = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE']);

function keyOf(row: AttemptReportRow): AttemptKey {
  return { startedAt: row.startedAt, attemptId: row.attemptId };
}
