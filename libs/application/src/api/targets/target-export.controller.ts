import { pipeline } from 'node:stream/promises';
import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { CampaignDetails } from '@sms/read-models';
import type { Response } from 'express';
import { LOGGER } from '../../infrastructure/tokens';
import { AppLogger } from '../../logging/logger';
import { ReadModels } from '../../read-models/read-models.service';
import { Roles } from '../auth/roles';
import { notFound } from '../not-found';
import { csvHeaderLine, layoutColumnsOf, UTF8_BOM } from './target-csv';
import { TargetExportQuery } from './target-export.dto';
import { TargetPageReader, targetCsvStream } from './target-export.stream';

/**
 * The CSV import template of a campaign and the CSV export of its targets, in the same columns.
 * These routes live apart from TargetsController so that they are registered before its
 * `GET :targetId`, which would otherwise take `export` for a target id.
 */
@ApiTags('targets')
@ApiBearerAuth()
@Roles('maker')
@Controller('campaigns/:campaignId/targets')
export class TargetExportController {
  constructor(
    private readonly readModels: ReadModels,
    @Inject(LOGGER) private readonly logger: AppLogger,
  ) {}

  /** Sends the header row of a CSV import: the target columns, then one column per layout field of the campaign. */
  @Get('import-template')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'UTF-8 CSV with a byte order mark: the header row only', schema: { type: 'string' } })
  async importTemplate(@Param('campaignId') campaignId: string, @Res() response: Response): Promise<void> {
    const campaign = await this.requireCampaign(campaignId);

    setCsvHeaders(response, csvFileName(campaign, 'import-template'));
    response.send(UTF8_BOM + csvHeaderLine(layoutColumnsOf(campaign.layouts)));
  }

  /**
   * Streams every target of the campaign, or those in `status`, in the columns of the import
   * template. The targets are read page by page in id order, each page in its own query, so the
   * file is not a snapshot: a target added or changing status during the export may be missing.
   */
  @Get('export')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'UTF-8 CSV with a byte order mark, streamed with chunked transfer encoding', schema: { type: 'string' } })
  async export(@Param('campaignId') campaignId: string, @Query() query: TargetExportQuery, @Res() response: Response): Promise<void> {
    const campaign = await this.requireCampaign(campaignId);
    const readPage: TargetPageReader = ({ afterId, limit }) =>
      this.readModels.queries.targets.scanTargets(campaignId, { afterId, limit, status: query.status });

    const suffix = query.status === undefined ? 'targets' : `targets-${query.status.toLowerCase()}`;
    setCsvHeaders(response, csvFileName(campaign, suffix));
    // The file contains phone numbers, which no shared cache may keep.
    response.setHeader('Cache-Control', 'no-store');
    try {
      await pipeline(targetCsvStream(readPage, layoutColumnsOf(campaign.layouts)), response);
    } catch (error) {
      this.logStoppedExport(error, campaignId, query.status);
    }
  }

  private async requireCampaign(campaignId: string): Promise<CampaignDetails> {
    return (await this.readModels.getCampaign(campaignId)) ?? notFound('CAMPAIGN.NOT_FOUND', 'campaign', campaignId);
  }

  /**
   * Logs why an export stopped part-way. The status line and part of the body are already sent,
   * so the error cannot become an error body. `pipeline` has destroyed the response instead,
   * which leaves the chunked body without its last chunk, and the client sees it incomplete.
   */
  private logStoppedExport(error: unknown, campaignId: string, status: string | undefined): void {
    if (CLIENT_CLOSED_CODES.has((error as { code?: string }).code ?? '')) {
      this.logger.info({ campaignId, status }, 'target export stopped: the client closed the connection');
    } else {
      this.logger.error({ err: error, campaignId, status }, 'target export failed after the response started');
    }
  }
}

/** Error codes of a write to a connection that the client closed. */
const CLIENT_CLOSED_CODES: ReadonlySet<string> = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE']);

function setCsvHeaders(response: Response, fileName: string): void {
  response.setHeader('Content-Type', 'text/csv; charset=utf-8');
  response.setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
}

/**
 * Names the file after the campaign's reference, kept to characters that need neither quoting
 * nor encoding in Content-Disposition. A reference with none of them gives the campaign id.
 */
export function csvFileName(campaign: { id: string; reference: string }, suffix: string): string {
  const stem = toFileNameStem(campaign.reference) || toFileNameStem(campaign.id) || 'campaign';
  return `${stem}-${suffix}.csv`;
}

function toFileNameStem(text: string): string {
  return text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 80)
    .replace(/^[-.]+|[-.]+$/g, '');
}
