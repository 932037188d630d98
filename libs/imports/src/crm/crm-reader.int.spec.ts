import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { TargetRowSource } from '../mapping/source-record';
import { TargetRowResult } from '../mapping/target-row';
import { CrmRequestError, openCrmRows } from './crm-reader';
import { CrmRequest } from './crm-request';
import { crmUrlViolation } from './crm-url';

const TOKEN = 'crm-token-for-tests';

type Handler = (url: URL, request: IncomingMessage, response: ServerResponse) => void;

/** Starts a CRM stand-in on 127.0.0.1 that checks the bearer token before `handler` runs. */
async function startCrm(handler: Handler): Promise<{ url: string; requests: URL[]; close(): Promise<void> }> {
  const requests: URL[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push(url);
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      return;
    }
    handler(url, request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/contacts`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function json(response: ServerResponse, body: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function contact(index: number): Record<string, unknown> {
  return { id: index, phone: `06${String(index).padStart(8, '0')}`, profile: { firstName: `Name ${index}` }, score: (index % 10) + 1 };
}

function crmRequest(url: string, overrides: Partial<CrmRequest> = {}): CrmRequest {
  return {
    url,
    token: TOKEN,
    itemsPath: 'data.contacts',
    paging: { type: 'page', pageParam: 'page', firstPage: 1, sizeParam: 'per_page', size: 2 },
    maxPages: 100,
    pageTimeoutMs: 5_000,
    maxPageBytes: 1_000_000,
    ...overrides,
  };
}

const OPTIONS = {
  timeZone: 'Europe/Paris',
  mapping: { phone: 'phoneNumber', 'profile.firstName': 'firstName', score: 'priority' },
};

async function readAll(source: TargetRowSource): Promise<TargetRowResult[]> {
  const rows: TargetRowResult[] = [];
  try {
    for await (const batch of source.rows) {
      rows.push(...batch);
    }
  } finally {
    await source.close();
  }
  return rows;
}

async function failure(source: TargetRowSource): Promise<unknown> {
  try {
    await readAll(source);
  } catch (error) {
    return error;
  }
  throw new Error('the source read to the end');
}

describe('CRM import - page paging', () => {
  it('follows pages until an empty one', async () => {
    const crm = await startCrm((url, _request, response) => {
      const page = Number(url.searchParams.get('page'));
      const contacts = page <= 2 ? [contact(page * 2 - 1), contact(page * 2)] : page === 3 ? [contact(5)] : [];
      json(response, { data: { contacts } });
    });

    const rows = await readAll(openCrmRows(crmRequest(crm.url), OPTIONS));
    await crm.close();

    expect(rows).toHaveLength(5);
    expect(rows[4]).toEqual({
      kind: 'target',
      line: 5,
      phoneNumber: '+33600000005',
      startDate: null,
      priority: 6,
      insertIfDuplicate: false,
      timeZone: null,
      layoutValues: { firstName: 'Name 5' },
    });
    expect(crm.requests.map((url) => url.search)).toEqual([
      '?page=1&per_page=2',
      '?page=2&per_page=2',
      '?page=3&per_page=2',
      '?page=4&per_page=2',
    ]);
  });

  it('rejects items that are not objects and carries on', async () => {
    const crm = await startCrm((url, _request, response) => {
      json(response, { data: { contacts: url.searchParams.get('page') === '1' ? ['oops', contact(1), { phone: '06 39' }] : [] } });
    });

    const rows = await readAll(openCrmRows(crmRequest(crm.url), OPTIONS));
    await crm.close();

    expect(rows).toEqual([
      { kind: 'rejected', line: 1, value: '"oops"', reason: 'item 1 is not a JSON object' },
      expect.objectContaining({ kind: 'target', line: 2 }),
      { kind: 'rejected', line: 3, value: '06 39', reason: "phoneNumber '06 39' is not a valid number for FR" },
    ]);
  });

  it('fails on a 500 page after keeping earlier pages', async () => {
    const crm = await startCrm((url, _request, response) => {
      if (url.searchParams.get('page') === '2') {
        response.writeHead(500).end('boom');
        return;
      }
      json(response, { data: { contacts: [contact(1), contact(2)] } });
    });

    const source = openCrmRows(crmRequest(crm.url), OPTIONS);
    const rows: TargetRowResult[] = [];
    let error: unknown;
    try {
      for await (const batch of source.rows) rows.push(...batch);
    } catch (caught) {
      error = caught;
    }
    await source.close();
    await crm.close();

    expect(rows).toHaveLength(2);
    expect(error).toBeInstanceOf(CrmRequestError);
    expect(error).toMatchObject({ code: '500', message: 'CRM page 2 returned HTTP 500 Internal Server Error' });
  });

  it('fails with 401 when the token is wrong', async () => {
    const crm = await startCrm((_url, _request, response) => json(response, { data: { contacts: [] } }));

    const error = await failure(openCrmRows(crmRequest(crm.url, { token: 'wrong' }), OPTIONS));
    await crm.close();

    expect(error).toMatchObject({ code: '401', message: 'CRM page 1 returned HTTP 401 Unauthorized' });
    expect((error as Error).message).not.toContain('wrong');
  });

  it('stops at the page cap', async () => {
    const crm = await startCrm((_url, _request, response) => json(response, { data: { contacts: [contact(1)] } }));

    const error = await failure(openCrmRows(crmRequest(crm.url, { maxPages: 3 }), OPTIONS));
    await crm.close();

    expect(error).toMatchObject({ message: expect.stringContaining('still had items after 3 pages') });
    expect(crm.requests).toHaveLength(3);
  });

  it('fails when the items path is not an array', async () => {
    const crm = await startCrm((_url, _request, response) => json(response, { data: {} }));

    const error = await failure(openCrmRows(crmRequest(crm.url), OPTIONS));
    await crm.close();

    expect(error).toMatchObject({ message: "CRM page 1 has no array at 'data.contacts'; set itemsPath to where the items are" });
  });

  it('times out a page that never answers', async () => {
    const crm = await startCrm(() => undefined);

    const error = await failure(openCrmRows(crmRequest(crm.url, { pageTimeoutMs: 200 }), OPTIONS));
    await crm.close().catch(() => undefined);

    expect(error).toMatchObject({ message: 'CRM page 1 timed out after 200 ms' });
  });

  it('does not follow a redirect', async () => {
    const crm = await startCrm((_url, _request, response) => {
      response.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end();
    });

    const error = await failure(openCrmRows(crmRequest(crm.url), OPTIONS));
    await crm.close();

    expect(error).toMatchObject({ code: '302', message: expect.stringContaining('redirects are not followed') });
    expect(crm.requests).toHaveLength(1);
  });
});

describe('CRM import - cursor paging', () => {
  it('follows the next cursor until there is none', async () => {
    const crm = await startCrm((url, _request, response) => {
      const cursor = url.searchParams.get('after');
      if (cursor === null) json(response, { items: [contact(1)], meta: { next: 'c2' } });
      else if (cursor === 'c2') json(response, { items: [contact(2)], meta: { next: 'c3' } });
      else json(response, { items: [contact(3)], meta: { next: null } });
    });

    const rows = await readAll(
      openCrmRows(
        crmRequest(crm.url, { itemsPath: 'items', paging: { type: 'cursor', cursorParam: 'after', nextCursorPath: 'meta.next' } }),
        OPTIONS,
      ),
    );
    await crm.close();

    expect(rows.map((row) => row.kind === 'target' && row.phoneNumber)).toEqual(['+33600000001', '+33600000002', '+33600000003']);
    expect(crm.requests.map((url) => url.search)).toEqual(['', '?after=c2', '?after=c3']);
  });

  it('fails when a page repeats its cursor', async () => {
    const crm = await startCrm((_url, _request, response) => json(response, { items: [contact(1)], meta: { next: 'same' } }));

    const error = await failure(
      openCrmRows(
        crmRequest(crm.url, { itemsPath: 'items', paging: { type: 'cursor', cursorParam: 'after', nextCursorPath: 'meta.next' } }),
        OPTIONS,
      ),
    );
    await crm.close();

    expect(error).toMatchObject({ message: 'CRM page 2 returned the cursor it was called with, so paging would never end' });
  });
});

describe('CRM URL allow-list', () => {
  it.each([
    ['http://127.0.0.1:8080/x', ['127.0.0.1'], null],
    ['https://crm.example.com/api', ['CRM.example.com'], null],
    ['https://crm.example.com/api', ['crm.example.com:443'], null],
    ['https://crm.example.com:8443/api', ['crm.example.com:443'], 'IMPORT_CRM_ALLOWED_HOSTS'],
    ['http://127.0.0.1:8080/x', [], 'the list is empty'],
    ['http://10.0.0.1/x', ['crm.example.com'], 'allowed: crm.example.com'],
    ['ftp://crm.example.com/x', ['crm.example.com'], 'http or https'],
    ['https://user:pw@crm.example.com/x', ['crm.example.com'], 'user name or password'],
    ['not a url', ['crm.example.com'], 'http or https'],
  ])('checks %s against %j', (url, hosts, expected) => {
    const violation = crmUrlViolation(url, hosts);

    if (expected === null) expect(violation).toBeNull();
    else expect(violation).toContain(expected);
  });
});
