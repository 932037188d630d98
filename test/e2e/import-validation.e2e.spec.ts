import { connect } from 'node:net';
import { signAccessToken } from '@sms/application';
import { createCampaign, EmbeddedService, importCsv, startEmbeddedService } from '../support/embedded-service';
import { eventually, HttpClient } from '../support/http-client';

type TargetDetails = { id: string; phoneNumber: string; layout: { name: string; values: Record<string, unknown> } | null };
type ImportErrors = Array<{ line: number; value: string; reason: string }>;

const PAIEMENT = {
  name: 'paiement',
  fields: [
    { key: 'amount', label: 'Montant', type: 'number' },
    { key: 'dueDate', label: 'Échéance', type: 'date' },
  ],
};
const RELANCE = {
  name: 'relance',
  fields: [
    { key: 'firstName', label: 'Prénom', type: 'string' },
    { key: 'agence', label: 'Agence', type: 'string' },
  ],
};

/** CSV import rows checked with the rules of a single add, mapping checks and header failures, over HTTP on the embedded profile. */
describe('import validation', () => {
  let embedded: EmbeddedService;
  let maker: HttpClient;

  beforeAll(async () => {
    embedded = await startEmbeddedService();
    maker = embedded.maker;
  });

  afterAll(async () => {
    await embedded?.stop();
  });

  async function campaignWithLayouts(): Promise<string> {
    const campaignId = await createCampaign(maker);
    const response = await maker.request('PUT', `/campaigns/${campaignId}/layouts`, { body: { layouts: [PAIEMENT, RELANCE] } });
    if (response.status !== 200) throw new Error(`layouts returned ${response.status}: ${JSON.stringify(response.body)}`);
    return campaignId;
  }

  async function importWith(campaignId: string, csv: string, query: Record<string, string>): Promise<Record<string, unknown>> {
    const upload = await maker.post<{ importId: string }>(
      `/campaigns/${campaignId}/imports?${new URLSearchParams(query).toString()}`,
      csv,
      {
        contentType: 'text/csv',
      },
    );
    if (upload.status !== 202) throw new Error(`import returned ${upload.status}: ${JSON.stringify(upload.body)}`);
    return eventually(
      async () => {
        const response = await maker.get(`/imports/${upload.body.importId}`);
        return response.body.status === 'DONE' || response.body.status === 'FAILED' ? response.body : undefined;
      },
      30_000,
      'the import to end',
    );
  }

  async function targetsOf(campaignId: string, count: number): Promise<TargetDetails[]> {
    const page = await eventually(
      async () => {
        const response = await maker.get<{ items: Array<{ id: string }> }>(`/campaigns/${campaignId}/targets`);
        return response.body.items.length === count ? response.body.items : undefined;
      },
      10_000,
      `${count} targets`,
    );
    return Promise.all(page.map(async ({ id }) => (await maker.get<TargetDetails>(`/campaigns/${campaignId}/targets/${id}`)).body));
  }

  describe('date and number layout fields', () => {
    it('rejects a non-ISO date without dateFormat', async () => {
      const campaignId = await campaignWithLayouts();

      const done = await importCsv(maker, campaignId, 'phoneNumber,dueDate,amount\n0612345201,31/12/2026,12\n0612345202,2026-12-31,abc\n');

      expect(done).toMatchObject({ status: 'DONE', imported: 0, rejected: 2 });
      const errors = done.errors as ImportErrors;
      expect(errors[0]).toMatchObject({
        line: 2,
        value: '31/12/2026',
        reason: expect.stringContaining("dueDate '31/12/2026' must be an ISO-8601 date") as string,
      });
      expect(errors[1]).toMatchObject({ line: 3, value: 'abc', reason: expect.stringContaining("amount 'abc' is not a number") as string });
    });

    it('reads a date field with dateFormat and stores it as ISO-8601', async () => {
      const campaignId = await campaignWithLayouts();

      const done = await importWith(campaignId, 'phoneNumber;dueDate;amount\n0612345203;31/12/2026;12,5\n', { dateFormat: 'dd/MM/yyyy' });

      expect(done).toMatchObject({ status: 'DONE', imported: 1, rejected: 0 });
      const [target] = await targetsOf(campaignId, 1);
      expect(target.layout).toEqual({ name: 'paiement', values: { amount: 12.5, dueDate: '2026-12-31' } });
    });
  });

  describe('layout of a row', () => {
    it('re-imports an export into its layouts', async () => {
      const source = await campaignWithLayouts();
      const added = await maker.post(`/campaigns/${source}/targets`, {
        phoneNumber: '0612345204',
        layout: { name: 'relance', values: { firstName: 'Léa', agence: 'Lyon' } },
      });
      expect(added.status).toBe(201);
      await targetsOf(source, 1);
      const exported = await maker.get<string>(`/campaigns/${source}/targets/export`);
      const copy = await campaignWithLayouts();

      const done = await importCsv(maker, copy, exported.body);

      expect(done).toMatchObject({ status: 'DONE', imported: 1, rejected: 0 });
      const [target] = await targetsOf(copy, 1);
      expect(target.layout).toEqual({ name: 'relance', values: { firstName: 'Léa', agence: 'Lyon' } });
    });

    it('rejects a row whose filled cells fit no single layout, naming the field', async () => {
      const campaignId = await campaignWithLayouts();

      const done = await importCsv(maker, campaignId, 'phoneNumber,amount,agence\n0612345205,12,Lyon\n');

      expect(done).toMatchObject({ status: 'DONE', imported: 0, rejected: 1 });
      expect((done.errors as ImportErrors)[0]).toMatchObject({
        line: 2,
        value: 'Lyon',
        reason:
          "agence 'Lyon' is not a field of layout 'paiement', and no layout of the campaign has a field for each filled value (amount, agence)",
      });
    });

    it('rejects a column named like an object property on a campaign without layouts', async () => {
      const campaignId = await createCampaign(maker);

      const done = await importCsv(maker, campaignId, 'phoneNumber,toString\n0612345206,x\n');

      expect(done).toMatchObject({ status: 'FAILED', reason: expect.stringContaining("layout key named 'toString'") as string });
    });
  });

  describe('insertIfDuplicate cells', () => {
    it('rejects the spellings that the query parameter rejects', async () => {
      const campaignId = await createCampaign(maker);
      const query = await maker.post(`/campaigns/${campaignId}/imports?insertIfDuplicate=yes`, 'phoneNumber\n0612345207\n', {
        contentType: 'text/csv',
      });

      const done = await importCsv(maker, campaignId, 'phoneNumber,insertIfDuplicate\n0612345207,yes\n0612345208,true\n');

      expect(query.status).toBe(400);
      expect(done).toMatchObject({ status: 'DONE', imported: 1, rejected: 1 });
      expect((done.errors as ImportErrors)[0]).toEqual({
        line: 2,
        value: 'yes',
        reason: "insertIfDuplicate 'yes' must be true or false (in lower case), or empty",
      });
    });
  });

  describe('mapping checked before 202', () => {
    it.each([
      ['a built-in property name', { x: 'constructor' }, 'mapping.x'],
      ['two columns to phoneNumber', { tel: 'phoneNumber', mobile: 'phoneNumber' }, 'mapping.mobile'],
      ['a key that no layout has', { tel: 'phoneNumber', ville: 'city' }, 'mapping.ville'],
    ])('answers 400 for %s', async (_case, mapping, field) => {
      const campaignId = await campaignWithLayouts();

      const response = await maker.post(
        `/campaigns/${campaignId}/imports?${new URLSearchParams({ mapping: JSON.stringify(mapping) }).toString()}`,
        'tel,mobile,x,ville\n0612345209,0612345210,evil,Paris\n',
        { contentType: 'text/csv' },
      );

      expect(response).toMatchObject({ status: 400, body: { code: 'IMPORT.INVALID_MAPPING', details: [{ field }] } });
    });
  });

  describe('header problems', () => {
    it.each([
      ['a column name given twice', 'phoneNumber,note,note\n0612345211,a,b\n', {}, "the header contains column 'note' twice"],
      ['no phone column', 'tel,note\n0612345212,a\n', {}, 'the header has no phoneNumber column'],
      [
        'a column and a mapped column for one field',
        'phoneNumber,tel\n0612345213,0612345214\n',
        { mapping: JSON.stringify({ tel: 'phoneNumber' }) },
        "the header has columns 'phoneNumber' and 'tel' that both fill 'phoneNumber'",
      ],
    ])('fails the import for %s with a reason naming the header', async (_case, csv, query, reason) => {
      const campaignId = await createCampaign(maker);

      const done = await importWith(campaignId, csv, query);

      expect(done).toMatchObject({ status: 'FAILED', reason: expect.stringContaining(reason) as string });
    });
  });

  describe('line endings', () => {
    it('imports a CR-only file', async () => {
      const campaignId = await createCampaign(maker);

      const done = await importCsv(maker, campaignId, 'phoneNumber,firstName\r0620000042,Zoé\r0620000043,Bo\r');

      expect(done).toMatchObject({ status: 'DONE', processed: 2, imported: 2 });
    });
  });
});

describe('import body size limit', () => {
  const LIMIT = 1024;
  let embedded: EmbeddedService;
  let token: string;
  let campaignId: string;

  beforeAll(async () => {
    embedded = await startEmbeddedService({}, { IMPORT_MAX_FILE_BYTES: String(LIMIT) });
    token = await signAccessToken(embedded.secret, { sub: 'alice', roles: ['maker'] });
    campaignId = await createCampaign(embedded.maker);
  });

  afterAll(async () => {
    await embedded?.stop();
  });

  /** Generates a CSV body of at least `bytes` bytes. */
  function csvOf(bytes: number): string {
    const rows = ['phoneNumber'];
    for (let index = 0; rows.join('\n').length < bytes; index++) rows.push(`06${String(10_000_000 + index)}`);
    return `${rows.join('\n')}\n`;
  }

  /**
   * Sends a request on a raw socket and returns what the server sent until it closed the
   * connection. `body` chunks are written one by one until the first response byte arrives.
   */
  function rawRequest(head: string[], body: readonly string[]): Promise<string> {
    const { hostname, port } = new URL(embedded.service.url ?? '');
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname);
      let received = '';
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`the server did not close the connection; received: ${received.slice(0, 200)}`));
      }, 10_000);
      socket.on('data', (data: Buffer) => (received += data.toString('utf8')));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(received);
      });
      socket.on('connect', async () => {
        socket.write(
          [`POST /campaigns/${campaignId}/imports HTTP/1.1`, `Host: ${hostname}`, `Authorization: Bearer ${token}`, ...head, '', ''].join(
            '\r\n',
          ),
        );
        for (const chunk of body) {
          if (received !== '' || socket.destroyed) break;
          socket.write(chunk);
          await new Promise((wait) => setTimeout(wait, 5));
        }
      });
    });
  }

  it('answers 413 at once to a Content-Length over the limit', async () => {
    const response = await rawRequest(['Content-Type: text/csv', `Content-Length: ${LIMIT + 1}`], []);

    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response).toContain('"code":"REQUEST.TOO_LARGE"');
    expect(response.toLowerCase()).toContain('connection: close');
  });

  it('answers 413 after 100 Continue', async () => {
    const response = await rawRequest(['Content-Type: text/csv', `Content-Length: ${LIMIT + 1}`, 'Expect: 100-continue'], []);

    expect(response).toContain('HTTP/1.1 413 ');
    expect(response).toContain('"code":"REQUEST.TOO_LARGE"');
  });

  it('answers 413 to a chunked body that grows over the limit', async () => {
    const chunks = csvOf(LIMIT * 8)
      .match(/[^]{1,256}/g)!
      .map((chunk) => `${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`);

    const response = await rawRequest(['Content-Type: text/csv', 'Transfer-Encoding: chunked'], chunks);

    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response).toContain('"code":"REQUEST.TOO_LARGE"');
  });

  it('answers 413 to a multipart file over the limit', async () => {
    const form = new FormData();
    form.append('file', new Blob([csvOf(LIMIT + 1)], { type: 'text/csv' }), 'targets.csv');

    const response = await fetch(`${embedded.service.url}/campaigns/${campaignId}/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: form,
    });

    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'REQUEST.TOO_LARGE' });
  });

  it('imports a body just under the limit', async () => {
    const done = await importCsv(embedded.maker, campaignId, csvOf(LIMIT - 40));

    expect(done).toMatchObject({ status: 'DONE', rejected: 0 });
  });
});
