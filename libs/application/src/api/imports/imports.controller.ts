import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiQuery, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@sms/domain';
import { format, parse } from 'date-fns';
import type { Request } from 'express';
import { CommandContext } from '../../commands/command-context';
import { AppConfig } from '../../config/app-config';
import { importSpoolDirectory } from '../../infrastructure/infrastructure';
import { APP_CONFIG } from '../../infrastructure/tokens';
import { ReadModels } from '../../read-models/read-models.service';
import { Roles } from '../auth/roles';
import { notFound } from '../not-found';
import { RequestContext } from '../request-context';
import { readDefaultCountry } from '../default-country';
import { AcceptsMediaTypes } from '../errors/content-type.interceptor';
import { ImportRunner } from './import-runner';
import { UPLOAD_FIELD, UploadErrorsInterceptor } from './upload-errors.interceptor';

/** Largest CSV accepted: about 200 MB, enough for a million rows with a few layout columns. */
export const MAX_IMPORT_FILE_BYTES = 200 * 1024 * 1024;

@ApiTags('imports')
@ApiBearerAuth()
@Roles('maker')
@Controller()
export class ImportsController {
  constructor(
    private readonly runner: ImportRunner,
    private readonly readModels: ReadModels,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Accepts a CSV as a `text/csv` body or a multipart field `file`, spools it to disk (never held
   * in memory), returns 202 with the import id, and imports it in the background.
   */
  @Post('campaigns/:campaignId/imports')
  @HttpCode(202)
  @ApiConsumes('text/csv', 'multipart/form-data')
  // NOTE: JSON imports from a source (database, crm, payment) are in the REST contract but not
  // built yet. JSON is let through so that spoolBody rejects it naming the types it reads.
  @AcceptsMediaTypes('text/csv', 'application/csv', 'text/plain', 'multipart/form-data', 'application/json')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiQuery({ name: 'defaultCountry', required: false })
  @ApiQuery({ name: 'insertIfDuplicate', required: false })
  @ApiQuery({ name: 'mapping', required: false, description: 'URL-encoded JSON from file column to target field or layout key' })
  @ApiQuery({ name: 'dateFormat', required: false, description: 'date-fns pattern such as dd/MM/yyyy HH:mm' })
  @UseInterceptors(new UploadErrorsInterceptor(MAX_IMPORT_FILE_BYTES), FileInterceptor(UPLOAD_FIELD))
  async create(
    @Param('campaignId') campaignId: string,
    @Req() request: Request,
    @UploadedFile() upload: Express.Multer.File | undefined,
    @Query() query: Record<string, string | undefined>,
    @RequestContext('maker') context: CommandContext,
  ) {
    let file = upload?.path;
    try {
      const options = readImportOptions(query);
      file ??= await this.spoolBody(request);
      const importId = await this.runner.start(campaignId, file, options, context);
      return { importId };
    } catch (error) {
      // The runner owns the file once started; a refused import must not leave it in the spool.
      if (file !== undefined) await rm(file, { force: true });
      throw error;
    }
  }

  @Get('imports/:id')
  async get(@Param('id') id: string) {
    return (await this.readModels.getImport(id)) ?? notFound('IMPORT.NOT_FOUND', 'import', id);
  }

  private async spoolBody(request: Request): Promise<string> {
    const type = request.headers['content-type'] ?? '';
    if (!/^(text\/csv|text\/plain|application\/csv)/i.test(type)) {
      throw new DomainError(
        'IMPORT.UNSUPPORTED_CONTENT_TYPE',
        'INVALID',
        `Content-Type '${type}' is not accepted: send text/csv, or multipart/form-data with a field named file`,
      );
    }
    const directory = importSpoolDirectory(this.config);
    await mkdir(directory, { recursive: true });
    const path = join(directory, `${randomUUID()}.csv`);
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_IMPORT_FILE_BYTES)
        request.destroy(new DomainError('REQUEST.TOO_LARGE', 'TOO_LARGE', `the file is larger than ${MAX_IMPORT_FILE_BYTES} bytes`));
    });
    try {
      await pipeline(request, createWriteStream(path));
    } catch (error) {
      await rm(path, { force: true });
      // The size check above destroys the request with its own DomainError, which is kept.
      throw request.readableAborted && !(error instanceof DomainError) ? abortedUpload(bytes) : error;
    }
    return path;
  }
}

/**
 * Builds the error of an upload cut short by the client. The client receives no response, so this
 * is a 400 rather than a server failure logged as a 500.
 */
function abortedUpload(bytesReceived: number): DomainError {
  return new DomainError('REQUEST.ABORTED', 'INVALID', `the client closed the connection after ${bytesReceived} bytes of the CSV body`);
}

const IMPORT_QUERY_KEYS = new Set(['defaultCountry', 'insertIfDuplicate', 'mapping', 'dateFormat']);

function readImportOptions(query: Record<string, string | undefined>) {
  const unknown = Object.keys(query).filter((key) => !IMPORT_QUERY_KEYS.has(key));
  if (unknown.length > 0) {
    throw DomainError.invalid(
      'REQUEST.UNKNOWN_PARAMETER',
      unknown[0],
      query[unknown[0]],
      `is not a parameter of imports; use ${[...IMPORT_QUERY_KEYS].join(', ')}`,
    );
  }
  const insert = query.insertIfDuplicate;
  if (insert !== undefined && insert !== 'true' && insert !== 'false') {
    throw DomainError.invalid('REQUEST.INVALID', 'insertIfDuplicate', insert, 'must be true or false');
  }
  return {
    defaultCountry: readDefaultCountry(query.defaultCountry),
    insertIfDuplicate: insert === 'true',
    mapping: query.mapping === undefined ? undefined : readMapping(query.mapping),
    dateFormat: query.dateFormat === undefined ? undefined : readDateFormat(query.dateFormat),
  };
}

/** A moment whose day, month, year, hour and minute all differ, to tell a pattern's fields apart. */
const PATTERN_PROBE = new Date(2031, 10, 23, 17, 45);

/**
 * Accepts a date-fns pattern only if a date formatted with it reads back to the same day, and to
 * the same hour and minute when the pattern has them. A pattern such as `qqq` (a quarter) or a
 * typo would otherwise reject every row of the file.
 */
function readDateFormat(pattern: string): string {
  let parsed: Date;
  try {
    parsed = parse(format(PATTERN_PROBE, pattern), pattern, new Date(2000, 0, 1));
  } catch {
    parsed = new Date(Number.NaN);
  }
  const hasTime = /[Hhk]/.test(pattern.replace(/'[^']*'/g, ''));
  const sameDay = parsed.getFullYear() === 2031 && parsed.getMonth() === 10 && parsed.getDate() === 23;
  const sameTime = !hasTime || (parsed.getHours() === 17 && parsed.getMinutes() === 45);
  if (Number.isNaN(parsed.getTime()) || !sameDay || !sameTime) {
    throw DomainError.invalid(
      'IMPORT.INVALID_DATE_FORMAT',
      'dateFormat',
      pattern,
      'must be a date-fns pattern with a day, a month and a year, such as dd/MM/yyyy HH:mm',
    );
  }
  return pattern;
}

function readMapping(raw: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw DomainError.invalid('REQUEST.INVALID', 'mapping', raw, 'must be URL-encoded JSON such as {"telephone":"phoneNumber"}');
  }
  const isRecord =
    typeof parsed === 'object' &&
    parsed !== null &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((value) => typeof value === 'string');
  if (!isRecord) {
    throw DomainError.invalid(
      'REQUEST.INVALID',
      'mapping',
      raw,
      'must be a JSON object from file column to target field, with string values',
    );
  }
  return parsed as Record<string, string>;
}
