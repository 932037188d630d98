import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req, UploadedFile, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiExtraModels, ApiQuery, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { DomainError } from '@sms/domain';
import { checkMapping } from '@sms/imports';
import { format, parse } from 'date-fns';
import type { Request, Response } from 'express';
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
import { SafeInputPipe } from '../errors/safe-input.pipe';
import { createValidationPipe } from '../errors/validation';
import { crmImportJob, csvImportJob, databaseImportJob, paymentImportJob } from './import-jobs';
import { ImportJob, ImportRunner } from './import-runner';
import { BODY_CLASS_BY_SOURCE, CrmImportBody, DatabaseImportBody, IMPORT_SOURCES, PaymentImportBody } from './import-source.dto';
import { tooLarge, UploadErrorsInterceptor } from './upload-errors.interceptor';

/** How long the rest of a body over the size limit is read and dropped before the connection is cut. */
const DISCARD_AFTER_FAILURE_MS = 5_000;

/**
 * Multer's module-wide file limit, 200 MiB. The import route applies IMPORT_MAX_FILE_BYTES instead,
 * whose default is the same.
 */
export const MAX_IMPORT_FILE_BYTES = 200 * 1024 * 1024;

@ApiTags('imports')
@ApiBearerAuth()
@Roles('maker')
@ApiExtraModels(DatabaseImportBody, CrmImportBody, PaymentImportBody)
@Controller()
export class ImportsController {
  private readonly safeInput = new SafeInputPipe();
  private readonly validation = createValidationPipe();

  constructor(
    private readonly runner: ImportRunner,
    private readonly readModels: ReadModels,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Accepts a CSV as a `text/csv` body or a multipart field `file`, spools it to disk (never held
   * in memory), or a JSON body naming a connector source. Returns 202 with the import id and
   * imports in the background.
   */
  @Post('campaigns/:campaignId/imports')
  @HttpCode(202)
  @ApiConsumes('text/csv', 'multipart/form-data', 'application/json')
  @AcceptsMediaTypes('text/csv', 'application/csv', 'text/plain', 'multipart/form-data', 'application/json')
  @ApiBody({
    schema: {
      oneOf: [
        { type: 'string', format: 'binary' },
        { $ref: getSchemaPath(DatabaseImportBody) },
        { $ref: getSchemaPath(CrmImportBody) },
        { $ref: getSchemaPath(PaymentImportBody) },
      ],
    },
  })
  @ApiQuery({ name: 'defaultCountry', required: false })
  @ApiQuery({ name: 'insertIfDuplicate', required: false })
  @ApiQuery({ name: 'mapping', required: false, description: 'URL-encoded JSON from file column to target field or layout key' })
  @ApiQuery({ name: 'dateFormat', required: false, description: 'date-fns pattern such as dd/MM/yyyy HH:mm' })
  @UseInterceptors(UploadErrorsInterceptor)
  async create(
    @Param('campaignId') campaignId: string,
    @Req() request: Request,
    @UploadedFile() upload: Express.Multer.File | undefined,
    @Query() query: Record<string, string | undefined>,
    @RequestContext('maker') context: CommandContext,
  ) {
    if (upload === undefined && typeof request.is('application/json') === 'string') {
      const job = await this.connectorJob(campaignId, request.body, query);
      return { importId: await this.runner.start(campaignId, job, context) };
    }

    let file = upload?.path;
    let job: ImportJob;
    try {
      const options = readImportOptions(query);
      file ??= await this.spoolBody(request);
      job = csvImportJob(file, options);
    } catch (error) {
      // A refused import must not leave its file in the spool.
      if (file !== undefined) await rm(file, { force: true });
      throw error;
    }
    // The runner owns the job from here and removes the file, also when it refuses to start.
    return { importId: await this.runner.start(campaignId, job, context) };
  }

  @Get('imports/:id')
  async get(@Param('id') id: string) {
    return (await this.readModels.getImport(id)) ?? notFound('IMPORT.NOT_FOUND', 'import', id);
  }

  /** Validates a JSON body like a DTO parameter, with the global pipes' rules, and builds its job. */
  private async connectorJob(campaignId: string, body: unknown, query: Record<string, string | undefined>): Promise<ImportJob> {
    const parameters = Object.keys(query);
    if (parameters.length > 0) {
      throw DomainError.invalid(
        'REQUEST.UNKNOWN_PARAMETER',
        parameters[0],
        query[parameters[0]],
        'is a parameter of CSV imports; a JSON import takes its options in the body',
      );
    }
    this.safeInput.transform(body, { type: 'body', data: '' });
    const source = (body as { source?: unknown } | undefined)?.source;
    if (!IMPORT_SOURCES.includes(source as (typeof IMPORT_SOURCES)[number])) {
      throw DomainError.invalid('REQUEST.INVALID', 'source', source ?? null, `must be one of ${IMPORT_SOURCES.join(', ')}`);
    }

    const bodyClass = BODY_CLASS_BY_SOURCE[source as (typeof IMPORT_SOURCES)[number]];
    const checked: unknown = await this.validation.transform(body, { type: 'body', metatype: bodyClass, data: '' });
    if (checked instanceof DatabaseImportBody || checked instanceof CrmImportBody) {
      checkMapping(checked.mapping ?? {});
    }
    if (checked instanceof DatabaseImportBody) {
      return databaseImportJob(checked, this.config);
    }
    if (checked instanceof CrmImportBody) {
      return crmImportJob(checked, this.config);
    }
    return paymentImportJob(campaignId, checked as PaymentImportBody, this.config);
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
    try {
      await this.writeBody(request, path);
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
    return path;
  }

  /**
   * Writes the request body to `path`. A body that grows over IMPORT_MAX_FILE_BYTES (a chunked one,
   * whose size is not declared) is no longer stored, and the error filter sends the 413, whose
   * response closes the connection. The rest of the body is read and dropped meanwhile: a socket
   * closed with unread input sends a reset, which can discard the 413 before the client reads it.
   * A client still sending after DISCARD_AFTER_FAILURE_MS is cut off.
   */
  private writeBody(request: Request, path: string): Promise<void> {
    const maxBytes = this.config.IMPORT_MAX_FILE_BYTES;
    const file = createWriteStream(path);
    let bytes = 0;
    let failed = false;
    return new Promise<void>((resolve, reject) => {
      const fail = (error: unknown) => {
        if (failed) return;
        failed = true;
        request.unpipe(file);
        file.destroy();
        request.resume();
        setTimeout(() => {
          if (!request.complete) request.socket.destroy();
        }, DISCARD_AFTER_FAILURE_MS).unref();
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      request.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > maxBytes) fail(tooLarge(request.res as Response, maxBytes));
      });
      request.on('aborted', () => fail(abortedUpload(bytes)));
      request.on('error', fail);
      file.on('error', fail);
      file.on('finish', () => resolve());
      request.pipe(file);
    });
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
  const mapping = parsed as Record<string, string>;
  checkMapping(mapping);
  return mapping;
}
