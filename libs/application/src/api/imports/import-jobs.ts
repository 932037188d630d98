import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { DomainError } from '@sms/domain';
import {
  crmUrlViolation,
  openCrmRows,
  openDatabaseRows,
  openPaymentRows,
  paymentConsumerName,
  readTargetRowBatches,
  rowSourceOf,
  TargetRowOptions,
  type CrmPaging,
} from '@sms/imports';
import { AppConfig } from '../../config/app-config';
import { readDefaultCountry } from '../default-country';
import { CrmImportBody, DatabaseImportBody, PaymentImportBody } from './import-source.dto';
import { ImportJob, ImportTarget } from './import-runner';

export interface CsvImportOptions {
  readonly defaultCountry: string;
  readonly insertIfDuplicate: boolean;
  readonly mapping?: Record<string, string>;
  readonly dateFormat?: string;
}

/** Rows fetched per database round trip and messages pulled per NATS request. */
const SOURCE_BATCH_SIZE = 500;
const DATABASE_CONNECT_TIMEOUT_MS = 10_000;
/** Largest CRM page body read, in bytes. */
const MAX_CRM_PAGE_BYTES = 32 * 1024 * 1024;
const DEFAULT_PAYMENT_IDLE_SECONDS = 5;
const DEFAULT_PAYMENT_MAX_MESSAGES = 100_000;
/** Ack wait of the payment consumer: a message whose batch is not stored within this time goes to the next import. */
const PAYMENT_ACK_WAIT_MS = 5 * 60_000;
const NATS_TIMEOUT_MS = 5_000;

/** Imports a CSV file spooled to disk, and removes the file when released. */
export function csvImportJob(file: string, options: CsvImportOptions): ImportJob {
  return {
    source: 'csv',
    mapping: options.mapping,
    open: ({ timeZone, layoutFields }) => rowSourceOf(readTargetRowBatches(createReadStream(file), { ...options, timeZone, layoutFields })),
    release: () => rm(file, { force: true }),
  };
}

/**
 * Imports the rows of a read-only query on a connection of IMPORT_DATABASES.
 *
 * @throws DomainError IMPORT.UNKNOWN_CONNECTION (400) when the name is not configured.
 */
export function databaseImportJob(body: DatabaseImportBody, config: AppConfig): ImportJob {
  const url = config.IMPORT_DATABASES.get(body.connection);
  if (url === undefined) {
    throw DomainError.invalid(
      'IMPORT.UNKNOWN_CONNECTION',
      'connection',
      body.connection,
      namedIn('IMPORT_DATABASES', config.IMPORT_DATABASES),
    );
  }
  const query = {
    connection: body.connection,
    url,
    query: body.query,
    statementTimeoutMs: config.IMPORT_DATABASE_STATEMENT_TIMEOUT_MS,
    connectTimeoutMs: DATABASE_CONNECT_TIMEOUT_MS,
    batchSize: SOURCE_BATCH_SIZE,
  };
  return connectorJob('database', (target) => openDatabaseRows(query, mappedOptions(body, target)), body.mapping);
}

/**
 * Imports the items of a paged CRM list. The token comes from the body or, by name, from
 * IMPORT_CRM_CREDENTIALS; it is sent to the CRM only.
 *
 * @throws DomainError (400) when the URL's host is not allowed, or the token is given twice or names no credential.
 */
export function crmImportJob(body: CrmImportBody, config: AppConfig): ImportJob {
  const violation = crmUrlViolation(body.url, config.IMPORT_CRM_ALLOWED_HOSTS);
  if (violation !== null) {
    throw DomainError.invalid('IMPORT.URL_NOT_ALLOWED', 'url', body.url, violation);
  }
  const request = {
    url: body.url,
    token: crmToken(body, config),
    itemsPath: body.itemsPath?.trim() ?? '',
    paging: crmPaging(body),
    maxPages: config.IMPORT_CRM_MAX_PAGES,
    pageTimeoutMs: config.IMPORT_CRM_TIMEOUT_MS,
    maxPageBytes: MAX_CRM_PAGE_BYTES,
  };
  return connectorJob('crm', (target) => openCrmRows(request, mappedOptions(body, target)), body.mapping);
}

/**
 * Imports the unpaid payments published for the campaign on IMPORT_PAYMENT_STREAM.
 *
 * @throws DomainError IMPORT.SUBJECT_NOT_ALLOWED (400) when the subject is outside IMPORT_PAYMENT_SUBJECT_PREFIX.
 */
export function paymentImportJob(campaignId: string, body: PaymentImportBody, config: AppConfig): ImportJob {
  const prefix = config.IMPORT_PAYMENT_SUBJECT_PREFIX;
  const subject = body.subject ?? `${prefix}.${campaignId}`;
  if (!subject.startsWith(`${prefix}.`)) {
    throw DomainError.invalid(
      'IMPORT.SUBJECT_NOT_ALLOWED',
      'subject',
      subject,
      `must start with ${prefix}. (IMPORT_PAYMENT_SUBJECT_PREFIX)`,
    );
  }
  if (!/^[A-Za-z0-9_-]+$/.test(campaignId)) {
    throw DomainError.invalid(
      'IMPORT.INVALID_CAMPAIGN_ID',
      'campaignId',
      campaignId,
      'must contain only letters, digits, - and _ to name a NATS subject',
    );
  }
  const subscription = {
    natsUrl: config.NATS_URL,
    stream: config.IMPORT_PAYMENT_STREAM,
    subject,
    consumerName: paymentConsumerName(campaignId, subject),
    idleMs: (body.idleSeconds ?? DEFAULT_PAYMENT_IDLE_SECONDS) * 1000,
    maxMessages: body.maxMessages ?? DEFAULT_PAYMENT_MAX_MESSAGES,
    batchSize: SOURCE_BATCH_SIZE,
    ackWaitMs: PAYMENT_ACK_WAIT_MS,
    timeoutMs: NATS_TIMEOUT_MS,
  };
  const defaultCountry = readDefaultCountry(body.defaultCountry);
  return connectorJob('payment', ({ timeZone }) => openPaymentRows(subscription, { timeZone, defaultCountry }));
}

function connectorJob(source: ImportJob['source'], open: ImportJob['open'], mapping?: ImportJob['mapping']): ImportJob {
  return { source, mapping, open, release: () => Promise.resolve() };
}

function mappedOptions(body: DatabaseImportBody | CrmImportBody, { timeZone, layoutFields }: ImportTarget): TargetRowOptions {
  return {
    timeZone,
    layoutFields,
    defaultCountry: readDefaultCountry(body.defaultCountry),
    insertIfDuplicate: body.insertIfDuplicate ?? false,
    mapping: body.mapping,
    dateFormat: body.dateFormat,
  };
}

function crmToken(body: CrmImportBody, config: AppConfig): string | undefined {
  if (body.token !== undefined && body.credential !== undefined) {
    throw DomainError.invalid('IMPORT.TOKEN_TWICE', 'credential', body.credential, 'cannot be given with token; send one of them');
  }
  if (body.credential === undefined) {
    return body.token;
  }
  const token = config.IMPORT_CRM_CREDENTIALS.get(body.credential);
  if (token === undefined) {
    throw DomainError.invalid(
      'IMPORT.UNKNOWN_CREDENTIAL',
      'credential',
      body.credential,
      namedIn('IMPORT_CRM_CREDENTIALS', config.IMPORT_CRM_CREDENTIALS),
    );
  }
  return token;
}

function crmPaging(body: CrmImportBody): CrmPaging {
  const { paging } = body;
  if (paging.type === 'cursor') {
    return { type: 'cursor', cursorParam: paging.cursorParam ?? 'cursor', nextCursorPath: paging.nextCursorPath ?? '' };
  }
  return {
    type: 'page',
    pageParam: paging.pageParam ?? 'page',
    firstPage: paging.firstPage ?? 1,
    sizeParam: paging.sizeParam,
    size: paging.size,
  };
}

function namedIn(variable: string, entries: ReadonlyMap<string, string>): string {
  const names = [...entries.keys()];
  return names.length === 0
    ? `is not a name configured in ${variable}, which is empty`
    : `is not a name configured in ${variable}; use one of ${names.join(', ')}`;
}
