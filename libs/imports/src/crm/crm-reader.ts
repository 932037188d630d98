import { ImportSourceError } from '../mapping/import-source-error';
import { mapTargetRowBatches, rowSourceOf } from '../mapping/map-target-rows';
import { RowRejection, TargetRowOptions } from '../mapping/target-row';
import { SourceRecord, SourceRecordBatch, TargetRowSource } from '../mapping/source-record';
import { CrmRequest } from './crm-request';
import { valueAtPath } from './json-path';

/**
 * Opens the target rows of a CRM list. The keys of `options.mapping` are paths into each item
 * (`phone`, `contact.firstName`) and its values the target fields or layout keys they fill. Item
 * properties that no mapping key names are ignored. Pages are fetched one at a time, when the
 * rows of the previous page have been read.
 *
 * @throws ImportFormatError when the mapping fills no phoneNumber; the rows throw CrmRequestError
 * when a page fails.
 */
export function openCrmRows(request: CrmRequest, options: TargetRowOptions): TargetRowSource {
  const paths = Object.keys(options.mapping ?? {}).map((path) => path.trim());
  return rowSourceOf(mapTargetRowBatches(readCrmItems(request, paths), options, 'the mapping'));
}

/** Raised when a CRM page cannot be read; `code` is the HTTP status when the CRM returned one. */
export class CrmRequestError extends ImportSourceError {
  constructor(
    readonly page: number,
    status: number | undefined,
    message: string,
  ) {
    super('crm', status === undefined ? undefined : String(status), message);
    this.name = 'CrmRequestError';
  }
}

/** Yields one batch per page, with the values found at `paths` in each item. Items are numbered from 1 across pages. */
async function* readCrmItems(request: CrmRequest, paths: readonly string[]): AsyncGenerator<SourceRecordBatch, void, undefined> {
  let line = 0;
  let cursor: string | undefined;

  for (let page = 1; page <= request.maxPages; page++) {
    const body = await fetchPage(request, page, pageUrl(request, page, cursor));
    const items = valueAtPath(body, request.itemsPath);
    if (!Array.isArray(items)) {
      const where = request.itemsPath === '' ? 'the body' : `'${request.itemsPath}'`;
      throw new CrmRequestError(page, undefined, `CRM page ${page} has no array at ${where}; set itemsPath to where the items are`);
    }
    if (items.length === 0) {
      return;
    }

    const records = items.map((item: unknown): SourceRecord | RowRejection => readItem(++line, item, paths));
    yield { columns: paths, records };

    if (request.paging.type === 'cursor') {
      const next = valueAtPath(body, request.paging.nextCursorPath);
      if (next === undefined || next === null || next === '') {
        return;
      }
      if (typeof next !== 'string' && typeof next !== 'number') {
        throw new CrmRequestError(
          page,
          undefined,
          `CRM page ${page} has a cursor at '${request.paging.nextCursorPath}' that is not a string or a number`,
        );
      }
      if (String(next) === cursor) {
        throw new CrmRequestError(page, undefined, `CRM page ${page} returned the cursor it was called with, so paging would never end`);
      }
      cursor = String(next);
    }
  }
  throw new CrmRequestError(
    request.maxPages,
    undefined,
    `the CRM still had items after ${request.maxPages} pages, the maximum (IMPORT_CRM_MAX_PAGES); the rows read so far are kept`,
  );
}

function readItem(line: number, item: unknown, paths: readonly string[]): SourceRecord | RowRejection {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    const text = JSON.stringify(item) ?? String(item);
    return { kind: 'rejected', line, value: text.slice(0, 100), reason: `item ${line} is not a JSON object` };
  }
  return { kind: 'record', line, values: paths.map((path) => valueAtPath(item, path)) };
}

function pageUrl(request: CrmRequest, page: number, cursor: string | undefined): URL {
  const url = new URL(request.url);
  const { paging } = request;
  if (paging.type === 'page') {
    url.searchParams.set(paging.pageParam, String(paging.firstPage + page - 1));
    if (paging.sizeParam !== undefined && paging.size !== undefined) {
      url.searchParams.set(paging.sizeParam, String(paging.size));
    }
  } else if (cursor !== undefined) {
    url.searchParams.set(paging.cursorParam, cursor);
  }
  return url;
}

/**
 * Fetches one page and parses its JSON body. Redirects are not followed, because the allow-list
 * check covers the first URL only. The whole exchange, body included, must end within
 * `pageTimeoutMs`.
 */
async function fetchPage(request: CrmRequest, page: number, url: URL): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.token !== undefined) {
    headers.authorization = `Bearer ${request.token}`;
  }
  const signal = AbortSignal.timeout(request.pageTimeoutMs);

  try {
    const response = await fetch(url, { headers, redirect: 'manual', signal });
    if (response.status < 200 || response.status > 299) {
      await response.body?.cancel();
      const redirect = response.status >= 300 && response.status < 400 ? '; redirects are not followed, so give the final URL' : '';
      throw new CrmRequestError(
        page,
        response.status,
        `CRM page ${page} returned HTTP ${response.status} ${response.statusText}${redirect}`.trim(),
      );
    }
    const text = await readBody(response, request.maxPageBytes, page);
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new CrmRequestError(page, response.status, `CRM page ${page} is not valid JSON: ${(error as Error).message}`);
    }
  } catch (error) {
    if (error instanceof CrmRequestError) {
      throw error;
    }
    if (signal.aborted) {
      throw new CrmRequestError(page, undefined, `CRM page ${page} timed out after ${request.pageTimeoutMs} ms`);
    }
    throw new CrmRequestError(page, undefined, `CRM page ${page} could not be fetched: ${describeFetchError(error)}`);
  }
}

/** Reads the body as UTF-8 text, failing as soon as it passes `maxBytes`. */
async function readBody(response: Response, maxBytes: number, page: number): Promise<string> {
  if (response.body === null) {
    return '';
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      throw new CrmRequestError(page, response.status, `CRM page ${page} is larger than ${maxBytes} bytes; ask for smaller pages`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Node's fetch fails with "fetch failed" and the reason in `cause` (ECONNREFUSED, ENOTFOUND). */
function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code !== undefined) {
    return `${cause.code}${cause.message === undefined ? '' : ` (${cause.message})`}`;
  }
  return error instanceof Error ? error.message : String(error);
}
