import { readdir } from 'node:fs/promises';
import { connect, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { importSpoolDirectory, RunningService, signAccessToken, startService } from '@sms/application';
import { SignJWT } from 'jose';
import { parseTokenArguments, TokenArgumentError } from '../../scripts/token-arguments';
import { eventually, HttpClient, httpClient, HttpResponse } from '../support/http-client';
import { createTempDirectory, isolatedEnvironment } from '../support/test-environment';

const ALLOWED_ORIGIN = 'http://maker.example.test';

/** Hostile and malformed requests on the embedded profile: each gets a 4xx naming its fault, never a 500. */
describe('REST API hardening', () => {
  let service: RunningService;
  let dataDir: { path: string; remove(): Promise<void> };
  let maker: HttpClient;
  let secret: string;
  let makerToken: string;

  beforeAll(async () => {
    dataDir = await createTempDirectory();
    const env: Record<string, string> = {
      ...isolatedEnvironment(),
      DATA_DIR: dataDir.path,
      PORT: '0',
      CORS_ORIGINS: `${ALLOWED_ORIGIN}, http://banner.example.test`,
    };
    secret = env.AUTH_JWT_SECRET;
    service = await startService(['projector', 'api'], env, 'api-hardening');
    makerToken = await signAccessToken(secret, { sub: 'alice', roles: ['maker'] });
    maker = httpClient(service.url ?? '', makerToken);
  });

  afterAll(async () => {
    await service?.stop();
    await dataDir?.remove();
  });

  async function createCampaign(overrides: Record<string, unknown> = {}) {
    const sender = await maker.post('/senders', { name: 'Support', senderId: 'ACME' });
    const template = await maker.post('/templates', { name: 'Hello', body: 'Bonjour {{firstName}} !' });
    const campaign = await maker.post('/campaigns', {
      name: 'Relance',
      reference: `REF-${Date.now()}-${Math.random()}`,
      senderId: sender.body.id,
      templateId: template.body.id,
      ...overrides,
    });
    expect(campaign.status).toBe(201);
    return { id: String(campaign.body.id), etag: campaign.headers.get('etag') ?? '' };
  }

  async function eventCount(): Promise<number> {
    return (await service.infrastructure.eventStore.readAll({ maxCount: 1_000_000 })).length;
  }

  /** Sends a request that must be rejected, and checks that the event store gained no event meanwhile. */
  async function appendsNothing(request: () => Promise<HttpResponse<Record<string, unknown>>>) {
    const before = await eventCount();
    const response = await request();
    expect(await eventCount()).toBe(before);
    return response;
  }

  async function newSenderAndTemplate(): Promise<{ senderId: string; templateId: string }> {
    const sender = await maker.post('/senders', { name: 'Support', senderId: 'ACME' });
    const template = await maker.post('/templates', { name: 'Hello', body: 'Bonjour' });
    return { senderId: String(sender.body.id), templateId: String(template.body.id) };
  }

  /** fetch with any body and headers, for what the JSON client cannot send. */
  async function send(method: string, path: string, init: { headers?: Record<string, string>; body?: Uint8Array | FormData } = {}) {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${makerToken}`, ...init.headers },
      body: init.body,
    });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').includes('json');
    return { status: response.status, headers: response.headers, body: isJson ? JSON.parse(text) : text } as HttpResponse<
      Record<string, unknown>
    >;
  }

  /** Opens a raw connection to the API, for requests that stop part-way through their body. */
  async function openSocket(): Promise<Socket> {
    const socket = connect(Number(new URL(service.url ?? '').port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    return socket;
  }

  function nested(levels: number): string {
    let json = '1';
    for (let level = 0; level < levels; level++) {
      json = `{"a":${json}}`;
    }
    return json;
  }

  describe('NUL characters, nesting and prototype keys', () => {
    it('rejects NUL in a body string', async () => {
      const campaign = await createCampaign();
      const response = await maker.post(`/campaigns/${campaign.id}/targets`, {
        phoneNumber: '0612345678',
        layout: { name: 'crm', values: { firstName: 'L\u0000a' } },
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'REQUEST.NUL_CHARACTER',
        details: [{ field: 'layout.values.firstName', value: 'L\u0000a', rule: 'must not contain the NUL character (U+0000)' }],
      });
      expect(response.body.message).toContain('layout.values.firstName');
    });

    it('rejects NUL in a query value', async () => {
      const response = await maker.get('/campaigns?search=a%00b');
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'REQUEST.NUL_CHARACTER', details: [{ field: 'search' }] });
      expect(response.body.message).toContain('query parameter search');
    });

    it('rejects NUL in a path parameter', async () => {
      const response = await maker.get('/campaigns/a%00b');
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'REQUEST.NUL_CHARACTER', details: [{ field: 'id', value: 'a\u0000b' }] });
    });

    it('rejects a body nested 5,000 levels deep', async () => {
      const response = await maker.post('/senders', `{"name":"x","senderId":"ACME","extra":${nested(5_000)}}`);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'REQUEST.TOO_DEEP' });
    });

    it('draws the depth limit at 32 levels', async () => {
      // The body object is level 1, so `extra` may nest 31 more levels.
      const deepest = await maker.post('/senders', `{"name":"x","senderId":"ACME","extra":${nested(31)}}`);
      expect(deepest.body).toMatchObject({ code: 'REQUEST.INVALID', details: [{ field: 'extra' }] });
      const tooDeep = await maker.post('/senders', `{"name":"x","senderId":"ACME","extra":${nested(32)}}`);
      expect(tooDeep.body).toMatchObject({ code: 'REQUEST.TOO_DEEP' });
    });

    it('rejects a __proto__ key', async () => {
      const response = await maker.post('/senders', '{"name":"x","senderId":"ACME","__proto__":{"isAdmin":true}}');
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'REQUEST.INVALID',
        message: 'property __proto__ should not exist',
        details: [{ field: '__proto__', rule: 'property __proto__ should not exist' }],
      });
    });

    it('rejects a constructor key in layout values', async () => {
      const campaign = await createCampaign();
      const response = await maker.post(`/campaigns/${campaign.id}/targets`, {
        phoneNumber: '0612345678',
        layout: { name: 'crm', values: { constructor: 'x' } },
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'REQUEST.INVALID',
        details: [{ field: 'layout.values.constructor', rule: 'property constructor should not exist' }],
      });
    });
  });

  describe('query parameters', () => {
    it('rejects a repeated defaultCountry on targets', async () => {
      const campaign = await createCampaign();
      const response = await maker.post(`/campaigns/${campaign.id}/targets?defaultCountry=FR&defaultCountry=GB`, {
        phoneNumber: '0612345678',
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'REQUEST.REPEATED_PARAMETER',
        details: [{ field: 'defaultCountry', value: ['FR', 'GB'], rule: 'must be given once' }],
      });
    });

    it('rejects a repeated defaultCountry on imports', async () => {
      const campaign = await createCampaign();
      const response = await maker.post(
        `/campaigns/${campaign.id}/imports?defaultCountry=FR&defaultCountry=GB`,
        'phoneNumber\n0612345678\n',
        {
          contentType: 'text/csv',
        },
      );
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'REQUEST.REPEATED_PARAMETER', details: [{ field: 'defaultCountry' }] });
    });

    it('rejects unknown query parameters on targets', async () => {
      const campaign = await createCampaign();
      const response = await maker.post(`/campaigns/${campaign.id}/targets?colour=red`, { phoneNumber: '0612345678' });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'REQUEST.INVALID', details: [{ field: 'colour' }] });
    });

    it('caps page at 1,000,000 on every list', async () => {
      const campaign = await createCampaign();
      const lists = ['/senders', '/templates', '/campaigns', `/campaigns/${campaign.id}/targets`, `/campaigns/${campaign.id}/sends`];
      for (const list of lists) {
        const response = await maker.get(`${list}?page=99999999999999999999`);
        expect({ list, status: response.status }).toEqual({ list, status: 400 });
        expect(response.body).toMatchObject({ code: 'REQUEST.INVALID', details: [{ field: 'page', rule: 'must be at most 1000000' }] });
      }
      const lastPage = await maker.get('/campaigns?page=1000000');
      expect(lastPage).toMatchObject({ status: 200, body: { items: [], page: 1_000_000 } });
    });
  });

  describe('body parsing', () => {
    it('rejects an unsupported charset with 415', async () => {
      const response = await maker.post('/senders', '{"name":"x","senderId":"ACME"}', { contentType: 'application/json; charset=latin1' });
      expect(response.status).toBe(415);
      expect(response.body).toMatchObject({ code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining("charset 'latin1'") });
    });

    it('rejects an unsupported Content-Encoding with 415', async () => {
      const response = await send('POST', '/senders', {
        headers: { 'content-type': 'application/json', 'content-encoding': 'compress' },
        body: new TextEncoder().encode('{"name":"x","senderId":"ACME"}'),
      });
      expect(response.status).toBe(415);
      expect(response.body).toMatchObject({
        code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
        message: expect.stringContaining("Content-Encoding 'compress'"),
      });
    });

    it('rejects a broken gzip body', async () => {
      const response = await send('POST', '/senders', {
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: new TextEncoder().encode('{"name":"x","senderId":"ACME"}'),
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'REQUEST.INVALID_BODY' });
      const valid = await send('POST', '/senders', {
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: gzipSync('{"name":"Zipped","senderId":"ACME"}'),
      });
      expect(valid.status).toBe(201);
    });

    it('logs an aborted body below error level', async () => {
      const info = jest.spyOn(service.logger, 'info');
      const error = jest.spyOn(service.logger, 'error');
      try {
        const socket = await openSocket();
        socket.write('POST /senders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":');
        await new Promise((resolve) => setTimeout(resolve, 50));
        socket.destroy();
        await eventually(
          async () => (info.mock.calls.some((call) => call[1] === 'client aborted the request body') ? true : undefined),
          5_000,
          'the aborted body to be logged',
        );
        expect(error).not.toHaveBeenCalled();
      } finally {
        info.mockRestore();
        error.mockRestore();
      }
    });
    it('discards an aborted CSV upload', async () => {
      const campaign = await createCampaign();
      const spool = importSpoolDirectory(service.config);
      const listSpool = () => readdir(spool).catch(() => [] as string[]);
      const before = new Set(await listSpool());
      const error = jest.spyOn(service.logger, 'error');
      try {
        const socket = await openSocket();
        socket.write(
          [
            `POST /campaigns/${campaign.id}/imports HTTP/1.1`,
            'Host: 127.0.0.1',
            `Authorization: Bearer ${makerToken}`,
            'Content-Type: text/csv',
            'Content-Length: 100000',
            '',
            'phoneNumber\n0612345678\n',
          ].join('\r\n'),
        );
        const spooled = await eventually(
          async () => (await listSpool()).find((file) => !before.has(file)),
          5_000,
          'the upload to reach the spool folder',
        );
        socket.destroy();
        await eventually(async () => ((await listSpool()).includes(spooled) ? undefined : true), 5_000, 'the partial file to be removed');
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(error).not.toHaveBeenCalled();
      } finally {
        error.mockRestore();
      }
    });
  });

  describe('content types', () => {
    it('rejects a text/plain body with 415', async () => {
      const response = await maker.post('/senders', '{"name":"x","senderId":"ACME"}', { contentType: 'text/plain' });
      expect(response).toMatchObject({
        status: 415,
        body: { code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE', message: "Content-Type 'text/plain' is not accepted: send application/json" },
      });
    });

    it('rejects a form body with 415', async () => {
      const response = await maker.post('/senders', 'name=x&senderId=ACME', { contentType: 'application/x-www-form-urlencoded' });
      expect(response).toMatchObject({ status: 415, body: { code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE' } });
    });

    it('rejects a body without Content-Type with 415', async () => {
      const response = await send('POST', '/senders', { body: new TextEncoder().encode('{"name":"x","senderId":"ACME"}') });
      expect(response).toMatchObject({
        status: 415,
        body: { code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining('no Content-Type') },
      });
    });

    it('says a null body must be a JSON object', async () => {
      const response = await maker.post('/senders', 'null');
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'REQUEST.INVALID_BODY', message: 'the body null must be a JSON object' });
    });
  });

  describe('Nest and multer errors', () => {
    it('names file for a misnamed upload field', async () => {
      const campaign = await createCampaign();
      const form = new FormData();
      form.append('upload', new Blob(['phoneNumber\n0612345678\n'], { type: 'text/csv' }), 'targets.csv');
      const response = await send('POST', `/campaigns/${campaign.id}/imports`, { body: form });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'IMPORT.INVALID_UPLOAD', details: [{ field: 'file' }] });
      expect(response.body.message).toContain('field named file');
    });

    it('rejects two files with IMPORT.INVALID_UPLOAD', async () => {
      const campaign = await createCampaign();
      const form = new FormData();
      form.append('file', new Blob(['phoneNumber\n0612345678\n'], { type: 'text/csv' }), 'a.csv');
      form.append('file', new Blob(['phoneNumber\n0612345679\n'], { type: 'text/csv' }), 'b.csv');
      const response = await send('POST', `/campaigns/${campaign.id}/imports`, { body: form });
      expect(response).toMatchObject({ status: 400, body: { code: 'IMPORT.INVALID_UPLOAD' } });
    });

    it('maps a badly encoded path to REQUEST.INVALID', async () => {
      const response = await maker.get('/campaigns/%E0%A4%A');
      expect(response).toMatchObject({ status: 400, body: { code: 'REQUEST.INVALID' } });
    });
  });

  describe('layout values', () => {
    it('rejects an object value naming its key', async () => {
      const campaign = await createCampaign();
      const response = await maker.post(`/campaigns/${campaign.id}/targets`, {
        phoneNumber: '0612345678',
        layout: { name: 'crm', values: { firstName: 'Léa', address: { city: 'Paris' } } },
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'REQUEST.INVALID', details: [{ field: 'layout.values' }] });
      expect(response.body.message).toContain("key 'address' is an object");
    });

    it('rejects an array value naming its key', async () => {
      const campaign = await createCampaign();
      const response = await maker.post(`/campaigns/${campaign.id}/targets`, {
        phoneNumber: '0612345678',
        layout: { name: 'crm', values: { tags: ['a', 'b'] } },
      });
      expect(response.status).toBe(400);
      expect(response.body.message).toContain("key 'tags' is an array");
    });
  });

  describe('campaign input', () => {
    it('stores the canonical time zone spelling', async () => {
      const campaign = await createCampaign({ timeZone: 'europe/paris' });
      const created = await service.infrastructure.eventStore.readStream(`campaign-${campaign.id}`);
      expect(created[0]).toMatchObject({ type: 'CampaignCreated', data: { timeZone: 'Europe/Paris' } });
      const details = await maker.get(`/campaigns/${campaign.id}`);
      expect(details.body).toMatchObject({ timeZone: 'Europe/Paris' });
    });

    it('requires flowId for an enabled chat flow', async () => {
      const sender = await maker.post('/senders', { name: 'Support', senderId: 'ACME' });
      const template = await maker.post('/templates', { name: 'Hello', body: 'Bonjour' });
      const response = await maker.post('/campaigns', {
        name: 'Chat',
        reference: 'CHAT-1',
        senderId: sender.body.id,
        templateId: template.body.id,
        chatFlow: { enabled: true },
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'REQUEST.INVALID',
        message: 'chatFlow.flowId is required when enabled is true',
        details: [{ field: 'chatFlow.flowId', rule: 'is required when enabled is true' }],
      });
    });

    it('rejects an end date in the past', async () => {
      const sender = await maker.post('/senders', { name: 'Support', senderId: 'ACME' });
      const template = await maker.post('/templates', { name: 'Hello', body: 'Bonjour' });
      const response = await maker.post('/campaigns', {
        name: 'Late',
        reference: 'LATE-1',
        senderId: sender.body.id,
        templateId: template.body.id,
        endDate: '2020-01-01T00:00',
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'CAMPAIGN.END_DATE_IN_PAST',
        details: [{ field: 'endDate', value: '2020-01-01T00:00', rule: 'must be in the future' }],
      });
    });
  });

  describe('templates', () => {
    it('rejects an unclosed placeholder naming its position', async () => {
      const response = await maker.post('/templates', { name: 'Broken', body: 'Hello {{firstName' });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'TEMPLATE.INVALID_PLACEHOLDER',
        details: [{ field: 'body', value: 'Hello {{firstName' }],
      });
      expect(response.body.message).toContain('at character 7');
    });
  });

  describe('If-Match', () => {
    it('accepts * for an existing campaign only', async () => {
      const campaign = await createCampaign();
      const existing = await maker.post(`/campaigns/${campaign.id}/status`, { status: 'ON' }, { headers: { 'if-match': '*' } });
      expect(existing).toMatchObject({ status: 200, body: { status: 'ON' } });
      const missing = await maker.post('/campaigns/does-not-exist/status', { status: 'ON' }, { headers: { 'if-match': '*' } });
      expect(missing).toMatchObject({ status: 404, body: { code: 'CAMPAIGN.NOT_FOUND' } });
    });

    it('rejects a weak tag', async () => {
      const campaign = await createCampaign();
      const response = await maker.post(
        `/campaigns/${campaign.id}/status`,
        { status: 'ON' },
        { headers: { 'if-match': `W/${campaign.etag}` } },
      );
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'REQUEST.INVALID_IF_MATCH', message: expect.stringContaining('strong') });
    });

    it('rejects an unbalanced quote', async () => {
      const campaign = await createCampaign();
      const response = await maker.post(
        `/campaigns/${campaign.id}/status`,
        { status: 'ON' },
        { headers: { 'if-match': campaign.etag.slice(0, -1) } },
      );
      expect(response).toMatchObject({ status: 400, body: { code: 'REQUEST.INVALID_IF_MATCH' } });
    });
  });

  describe('bearer tokens', () => {
    function sign(claims: Record<string, unknown>): Promise<string> {
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('mallory')
        .setIssuedAt()
        .sign(new TextEncoder().encode(secret));
    }

    it('rejects a token without exp', async () => {
      const token = await sign({ roles: ['maker'] });
      const response = await httpClient(service.url ?? '', token).get('/campaigns');
      expect(response).toMatchObject({
        status: 401,
        body: { code: 'AUTH.TOKEN_INVALID', message: expect.stringContaining('the bearer token has no exp claim') },
      });
    });

    it('rejects roles without a known role', async () => {
      const token = await signAccessToken(secret, { sub: 'mallory', roles: ['admin' as 'maker'] });
      const response = await httpClient(service.url ?? '', token).get('/campaigns');
      expect(response.status).toBe(403);
      expect(response.body.message).toContain('contains no known role; known roles are maker, advisor, reporter, auditor');
    });

    it('rejects a non-array roles claim', async () => {
      const token = await new SignJWT({ roles: 'maker' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('mallory')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(secret));
      const response = await httpClient(service.url ?? '', token).get('/campaigns');
      expect(response.status).toBe(403);
      expect(response.body.message).toContain('is not an array');
    });
  });

  describe('CORS', () => {
    it('allows a preflight from a listed origin', async () => {
      const response = await send('OPTIONS', '/campaigns', {
        headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'if-match' },
      });
      expect([200, 204]).toContain(response.status);
      expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
      expect(response.headers.get('access-control-allow-headers')).toContain('If-Match');
      const read = await maker.get('/campaigns', { headers: { origin: ALLOWED_ORIGIN } });
      expect(read.headers.get('access-control-expose-headers')).toBe('ETag');
    });

    it('omits CORS headers for other origins', async () => {
      const response = await send('OPTIONS', '/campaigns', {
        headers: { origin: 'http://elsewhere.example.test', 'access-control-request-method': 'POST' },
      });
      expect([200, 204]).toContain(response.status);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('send history', () => {
    it('rejects defaultCountry ZZ like targets do', async () => {
      const campaign = await createCampaign();
      const sends = await maker.get(`/campaigns/${campaign.id}/sends?phone=0612345678&defaultCountry=ZZ`);
      const targets = await maker.post(`/campaigns/${campaign.id}/targets?defaultCountry=ZZ`, { phoneNumber: '0612345678' });
      for (const response of [sends, targets]) {
        expect(response.status).toBe(400);
        expect(response.body).toMatchObject({
          code: 'REQUEST.INVALID_COUNTRY',
          details: [{ field: 'defaultCountry', value: 'ZZ', rule: 'must be an ISO 3166-1 alpha-2 country code such as FR' }],
        });
      }
    });

    it('rejects from after to', async () => {
      const campaign = await createCampaign();
      const response = await maker.get(`/campaigns/${campaign.id}/sends?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'REQUEST.INVALID_RANGE', details: [{ field: 'from' }] });
      expect(response.body.message).toContain('must be before to');
    });
  });

  describe('calendar closed dates', () => {
    it.each(['2025-13-01', '2025-00-10', '2025-12-32', '2025-99-99'])('rejects %s naming its index', async (date) => {
      const response = await appendsNothing(() =>
        maker.post('/calendars', { name: 'x', timeZone: 'UTC', openingHours: [], closedDates: [date] }),
      );

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'CALENDAR.INVALID',
        details: [{ field: 'closedDates[0]', value: date, rule: 'must be a date such as 2026-12-25' }],
      });
    });

    it('rejects a year before 1970', async () => {
      const response = await appendsNothing(() =>
        maker.post('/calendars', { name: 'x', timeZone: 'UTC', openingHours: [], closedDates: ['0000-01-01'] }),
      );

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'CALENDAR.INVALID',
        details: [{ field: 'closedDates[0]', value: '0000-01-01', rule: 'must be a date from 1970-01-01 to 9999-12-31' }],
      });
    });

    it('rejects a repeated date naming the repeat', async () => {
      const response = await appendsNothing(() =>
        maker.post('/calendars', { name: 'x', timeZone: 'UTC', openingHours: [], closedDates: ['2026-12-25', '2026-01-01', '2026-12-25'] }),
      );

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'CALENDAR.INVALID',
        details: [{ field: 'closedDates[2]', value: '2026-12-25', rule: 'must not repeat closedDates[0]' }],
      });
    });
  });

  describe('lone surrogates', () => {
    it.each([
      ['template body', '/templates', { name: 'T', body: 'a\ud800b' }, 'body', 'a\ud800b'],
      ['sender name', '/senders', { name: 'a\udfffb', senderId: 'ACME' }, 'name', 'a\udfffb'],
      ['calendar name', '/calendars', { name: 'x\ud83d', preset: 'FR_STRICT' }, 'name', 'x\ud83d'],
      ['profile name', '/profiles', { name: '\udc00', manageCampaign: true }, 'name', '\udc00'],
    ])('rejects one in the %s', async (_case, path, body, field, value) => {
      const response = await appendsNothing(() => maker.post(path, body));

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'REQUEST.INVALID_UNICODE',
        details: [{ field, value, rule: expect.stringContaining('must be well-formed Unicode') }],
      });
    });

    it('rejects one in a campaign name or tag', async () => {
      const { senderId, templateId } = await newSenderAndTemplate();
      const campaign = { reference: 'SURROGATE-1', senderId, templateId };

      const name = await appendsNothing(() => maker.post('/campaigns', { ...campaign, name: 'x\ud83d' }));
      const tag = await appendsNothing(() => maker.post('/campaigns', { ...campaign, name: 'x', tags: ['ok', 'b\udc00'] }));

      expect(name.status).toBe(400);
      expect(name.body).toMatchObject({
        code: 'REQUEST.INVALID_UNICODE',
        details: [
          { field: 'name', value: 'x\ud83d', rule: 'must be well-formed Unicode, but has the lone surrogate U+D83D at UTF-16 index 1' },
        ],
      });
      expect(tag.status).toBe(400);
      expect(tag.body).toMatchObject({ code: 'REQUEST.INVALID_UNICODE', details: [{ field: 'tags[1]', value: 'b\udc00' }] });
    });
  });

  describe('bodies that are not UTF-8', () => {
    it('rejects invalid bytes naming the first one', async () => {
      const body = Buffer.concat([Buffer.from('{"name":"A'), Buffer.from([0xff, 0xfe]), Buffer.from('B","senderId":"ACME"}')]);

      const response = await appendsNothing(() => send('POST', '/senders', { headers: { 'content-type': 'application/json' }, body }));

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'REQUEST.NOT_UTF8',
        details: [{ field: 'body', value: '0xFF', rule: 'must be encoded in UTF-8' }],
      });
      expect(response.body.message).toContain('byte 11 (0xFF)');
    });

    it('rejects a UTF-16 body with 415', async () => {
      const body = Buffer.from('{"name":"Support","senderId":"ACME"}', 'utf16le');

      const response = await appendsNothing(() =>
        send('POST', '/senders', { headers: { 'content-type': 'application/json; charset=utf-16le' }, body }),
      );

      expect(response.status).toBe(415);
      expect(response.body).toMatchObject({ code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining("'utf-16le'") });
    });
  });

  describe('instants with an offset', () => {
    it.each([
      ['2025-02-30T00:00:00Z', 'has day 30, but 2025-02 has 28 days'],
      ['2025-03-29T24:00:00Z', expect.stringContaining('has hour 24, but hours run from 00 to 23')],
      ['2025-13-01T00:00:00+01:00', 'has month 13, but months run from 01 to 12'],
    ])('rejects after=%s on next-open', async (after, rule) => {
      const created = await maker.post('/calendars', { name: 'Strict', preset: 'FR_STRICT' });
      const id = String(created.body.id);
      await eventually(async () => ((await maker.get(`/calendars/${id}`)).status === 200 ? true : undefined), 10_000, 'the calendar');

      const response = await appendsNothing(() => maker.get(`/calendars/${id}/next-open?after=${encodeURIComponent(after)}`));

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'REQUEST.INVALID_DATE', details: [{ field: 'after', value: after, rule }] });
    });

    it('rejects hour 24 in send history', async () => {
      const campaign = await createCampaign();

      const response = await appendsNothing(() => maker.get(`/campaigns/${campaign.id}/sends?from=2025-03-29T24:00Z`));

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'REQUEST.INVALID_DATE',
        details: [{ field: 'from', value: '2025-03-29T24:00Z', rule: expect.stringContaining('has hour 24, but hours run from 00 to 23') }],
      });
    });
  });

  describe('spaces in sender ids and names', () => {
    it.each([' ACME', 'ACME ', 'A  '])('rejects sender id %p', async (senderId) => {
      const response = await appendsNothing(() => maker.post('/senders', { name: 'Support', senderId }));

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'SENDER.INVALID_SENDER_ID',
        details: [{ field: 'senderId', value: senderId, rule: 'must not start or end with a space' }],
      });
    });

    it.each([
      ['sender', '/senders', { name: '   ', senderId: 'ACME' }],
      ['template', '/templates', { name: '   ', body: 'Bonjour' }],
      ['calendar', '/calendars', { name: '   ', preset: 'FR_STRICT' }],
      ['profile', '/profiles', { name: '   ', manageCampaign: true }],
    ])('rejects a blank %s name', async (_case, path, body) => {
      const response = await appendsNothing(() => maker.post(path, body));

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'REQUEST.INVALID',
        details: [{ field: 'name', value: '   ', rule: 'must contain a character other than a space' }],
      });
    });
  });

  describe('missing fields', () => {
    it('says a missing field is required, once', async () => {
      const response = await appendsNothing(() => maker.post('/senders', {}));

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'REQUEST.INVALID', message: 'name is required; senderId is required' });
      expect(response.body.details).toEqual([
        { field: 'name', rule: 'is required' },
        { field: 'senderId', rule: 'is required' },
      ]);
    });

    it('says a missing erasure number is required', async () => {
      const response = await maker.post('/erasures', {});

      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([{ field: 'phoneNumber', rule: 'is required' }]);
    });

    it('keeps a rule that says when a field is required', async () => {
      const { senderId, templateId } = await newSenderAndTemplate();
      const response = await appendsNothing(() =>
        maker.post('/campaigns', { name: 'Relance', reference: 'REF-FLOW', senderId, templateId, chatFlow: { enabled: true } }),
      );

      expect(response.status).toBe(400);
      expect(response.body.details).toEqual([
        expect.objectContaining({ field: 'chatFlow.flowId', rule: expect.stringContaining('required when enabled is true') }),
      ]);
    });
  });

  describe('profile changes', () => {
    it('rejects null for each field', async () => {
      const created = await maker.post('/profiles', { name: 'Recouvrement', manageCampaign: true });
      const id = String(created.body.id);

      const response = await appendsNothing(() =>
        maker.request('PATCH', `/profiles/${id}`, { body: { name: null, manageCampaign: null } }),
      );

      expect(response.status).toBe(400);
      const rule = 'must not be null: leave the field out to keep its value';
      expect(response.body).toMatchObject({
        code: 'REQUEST.INVALID',
        details: [
          { field: 'name', value: null, rule },
          { field: 'manageCampaign', value: null, rule },
        ],
      });
      expect(await service.infrastructure.eventStore.readStream(`profile-${id}`)).toHaveLength(1);
    });
  });

  describe('campaign language', () => {
    it.each(['xx-YY-ZZ-123', 'klingon-xx-yy', 'fr_FR'])('rejects %p on creation', async (language) => {
      const { senderId, templateId } = await newSenderAndTemplate();

      const response = await appendsNothing(() =>
        maker.post('/campaigns', { name: 'N', reference: 'LANG-1', senderId, templateId, language }),
      );

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'REQUEST.INVALID',
        details: [{ field: 'language', value: language, rule: 'must be a BCP 47 language tag such as fr or fr-FR' }],
      });
    });

    it('rejects an invalid language on PATCH', async () => {
      const campaign = await createCampaign({ language: 'fr-FR' });

      const response = await appendsNothing(() =>
        maker.request('PATCH', `/campaigns/${campaign.id}`, { body: { language: 'klingon-xx-yy' } }),
      );

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'REQUEST.INVALID', details: [{ field: 'language', value: 'klingon-xx-yy' }] });
    });
  });

  describe('campaign tags', () => {
    it('keeps the first spelling of a repeated tag', async () => {
      const campaign = await createCampaign({ tags: ['z', 'z', 'Z', 'Promo'] });
      const changed = await maker.request('PUT', `/campaigns/${campaign.id}/tags`, { body: { tags: ['Été', 'été', 'ÉTÉ', 'b'] } });
      const patched = await maker.request('PATCH', `/campaigns/${campaign.id}`, { body: { tags: ['x', 'X'] } });

      expect(changed.status).toBe(200);
      expect(patched.status).toBe(200);
      const events = await service.infrastructure.eventStore.readStream(`campaign-${campaign.id}`);
      const tagsOf = (data: { tags?: string[]; settings?: { tags?: string[] } }) => data.tags ?? data.settings?.tags;
      expect(events.map((event) => [event.type, tagsOf(event.data as Parameters<typeof tagsOf>[0])])).toEqual([
        ['CampaignCreated', ['z', 'Promo']],
        ['CampaignSettingsChanged', ['Été', 'b']],
        ['CampaignSettingsChanged', ['x']],
      ]);
    });

    it('filters the list by tag in any letter case', async () => {
      const tag = `promo-${Date.now()}`;
      const campaign = await createCampaign({ tags: [tag] });

      const listed = await eventually(
        async () => {
          const page = await maker.get(`/campaigns?tags=${tag.toUpperCase()}`);
          return (page.body.items as unknown[]).length > 0 ? page.body : undefined;
        },
        10_000,
        'the tagged campaign in the list',
      );

      expect(listed).toMatchObject({ total: 1, items: [{ id: campaign.id, tags: [tag] }] });
    });
  });

  describe('state of a deleted campaign', () => {
    it('names the deletion instant', async () => {
      const campaign = await createCampaign();
      expect((await maker.request('DELETE', `/campaigns/${campaign.id}`)).status).toBe(204);
      const history = await maker.get<{ items: Array<{ type: string; at: string }> }>(`/campaigns/${campaign.id}/history`);
      const deletedAt = history.body.items.find((item) => item.type === 'CampaignDeleted')?.at;

      const response = await maker.get(`/campaigns/${campaign.id}/as-of?at=2099-01-01T00:00:00Z`);

      expect(deletedAt).toBeDefined();
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({
        code: 'CAMPAIGN.NOT_FOUND_AT',
        message: `campaign '${campaign.id}' was deleted at ${deletedAt}, so it did not exist at 2099-01-01T00:00:00.000Z`,
      });
    });
  });

  describe('token tool', () => {
    it('shows the --sub subject in history', async () => {
      const claims = parseTokenArguments(['maker', '--sub', 'maker-2'], 'local-user');
      const client = httpClient(service.url ?? '', await signAccessToken(secret, claims));
      const { senderId, templateId } = await newSenderAndTemplate();
      const created = await client.post('/campaigns', { name: 'N', reference: 'SUB-1', senderId, templateId });

      const history = await client.get<{ items: Array<{ actor: { id: string } }> }>(`/campaigns/${String(created.body.id)}/history`);

      expect(claims).toEqual({ sub: 'maker-2', roles: ['maker'], profileIds: [] });
      expect(history.body.items[0].actor.id).toBe('user:maker-2');
    });

    it('keeps the default subject without --sub', () => {
      expect(parseTokenArguments(['advisor', '--profiles', 'p1,p2'], 'local-user')).toEqual({
        sub: 'local-user',
        roles: ['advisor'],
        profileIds: ['p1', 'p2'],
      });
    });

    it('rejects a missing or blank --sub', () => {
      expect(() => parseTokenArguments(['advisor', '--sub'], 'local-user')).toThrow(new TokenArgumentError('--sub needs a value'));
      expect(() => parseTokenArguments(['advisor', '--sub', ' '], 'local-user')).toThrow(new TokenArgumentError('--sub must not be blank'));
    });
  });

  describe('CSV imports', () => {
    const listSpool = () => readdir(importSpoolDirectory(service.config)).catch(() => [] as string[]);

    it('rejects a date format that cannot read a date', async () => {
      const campaign = await createCampaign();
      for (const pattern of ['qqq', 'HH:mm', 'yyyy']) {
        const response = await maker.post(
          `/campaigns/${campaign.id}/imports?dateFormat=${encodeURIComponent(pattern)}`,
          'phoneNumber\n0612345678\n',
          {
            contentType: 'text/csv',
          },
        );
        expect(response.status).toBe(400);
        expect(response.body).toMatchObject({ code: 'IMPORT.INVALID_DATE_FORMAT', details: [{ field: 'dateFormat', value: pattern }] });
      }
    });

    it('accepts a day-first date format', async () => {
      const campaign = await createCampaign();
      const response = await maker.post(
        `/campaigns/${campaign.id}/imports?dateFormat=${encodeURIComponent('dd/MM/yyyy HH:mm')}`,
        'phoneNumber\n0612345678\n',
        {
          contentType: 'text/csv',
        },
      );
      expect(response.status).toBe(202);
    });

    it('leaves no spooled file behind a refused upload', async () => {
      const before = await listSpool();
      const form = new FormData();
      form.append('file', new Blob(['phoneNumber\n0612345678\n'], { type: 'text/csv' }), 'targets.csv');
      const unknownCampaign = await send('POST', '/campaigns/no-such-campaign/imports', { body: form });
      expect(unknownCampaign.status).toBe(404);
      const campaign = await createCampaign();
      const badQuery = new FormData();
      badQuery.append('file', new Blob(['phoneNumber\n0612345678\n'], { type: 'text/csv' }), 'targets.csv');
      const unknownParameter = await send('POST', `/campaigns/${campaign.id}/imports?foo=1`, { body: badQuery });
      expect(unknownParameter.status).toBe(400);
      const added = (await listSpool()).filter((name) => !before.includes(name));
      expect(added).toEqual([]);
    });

    it('ends an import of binary data', async () => {
      const campaign = await createCampaign();
      const bytes = Uint8Array.from({ length: 3000 }, (_, index) => (index * 151 + 7) % 256);
      const response = await send('POST', `/campaigns/${campaign.id}/imports`, { headers: { 'content-type': 'text/csv' }, body: bytes });
      expect(response.status).toBe(202);
      const importId = String((response.body as { importId: string }).importId);
      const ended = await eventually(
        async () => {
          const status = await maker.get(`/imports/${importId}`);
          return status.body.status === 'RUNNING' ? undefined : status.body;
        },
        10_000,
        'the import to end',
      );
      expect(['DONE', 'FAILED']).toContain(ended.status);
    });
  });

  describe('bearer token claims', () => {
    async function signWith(claims: { sub: string; roles?: unknown[]; profileIds?: unknown[] }): Promise<string> {
      return new SignJWT({ roles: claims.roles ?? ['maker'], profileIds: claims.profileIds ?? [] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.sub)
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(secret));
    }

    it.each([
      ['a lone surrogate in sub', { sub: 'a\ud800' }, 'sub', 'must be well-formed Unicode'],
      ['NUL in sub', { sub: 'a\u0000' }, 'sub', 'must not contain control characters'],
      ['a sub of 201 characters', { sub: 'a'.repeat(201) }, 'sub', 'must be at most 200 characters long'],
      ['a lone surrogate in profileIds', { sub: 'mallory', profileIds: ['\udc00'] }, 'profileIds[0]', 'must be well-formed Unicode'],
      ['NUL in roles', { sub: 'mallory', roles: ['maker', 'x\u0000'] }, 'roles[1]', 'must not contain control characters'],
    ])('rejects %s with 401', async (_case, claims, claim, rule) => {
      const client = httpClient(service.url ?? '', await signWith(claims));

      const response = await appendsNothing(() => client.post('/senders', { name: 'Support', senderId: 'ACME' }));

      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({
        code: 'AUTH.TOKEN_INVALID',
        message: expect.stringContaining(`the bearer token's ${claim} claim`),
        details: [{ field: claim, rule: expect.stringContaining(rule) }],
      });
    });
  });

  describe('input a call does not read', () => {
    type TargetIds = { campaignId: string; targetId: string };

    /** Creates a campaign whose template has no placeholder, with one pending target. */
    async function pendingTarget(): Promise<TargetIds> {
      const campaign = await createCampaign(await newSenderAndTemplate());
      const target = await maker.post(`/campaigns/${campaign.id}/targets`, { phoneNumber: '0612345678' });
      expect(target.body).toMatchObject({ id: expect.any(String) });
      return { campaignId: campaign.id, targetId: String(target.body.id) };
    }

    it.each([
      ['remove', 'POST', (ids: TargetIds) => `/campaigns/${ids.campaignId}/targets/${ids.targetId}/remove`],
      ['duplicate', 'POST', (ids: TargetIds) => `/campaigns/${ids.campaignId}/targets/${ids.targetId}/duplicate`],
      ['empty', 'POST', (ids: TargetIds) => `/campaigns/${ids.campaignId}/empty`],
      ['delete target', 'DELETE', (ids: TargetIds) => `/campaigns/${ids.campaignId}/targets/${ids.targetId}`],
    ])('rejects a body field on %s', async (_case, method, path) => {
      const ids = await pendingTarget();

      const response = await appendsNothing(() => maker.request(method, path(ids), { body: { x: 1 } }));

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'REQUEST.INVALID',
        message: 'body field x 1 is not accepted by this call',
        details: [{ field: 'x', value: 1, rule: 'is not accepted by this call' }],
      });
    });

    it.each([
      ['duplicate', 'POST', (ids: TargetIds) => `/campaigns/${ids.campaignId}/targets/${ids.targetId}/duplicate?foo=1`, 'foo'],
      ['import-template', 'GET', (ids: TargetIds) => `/campaigns/${ids.campaignId}/targets/import-template?x=1`, 'x'],
      ['dependencies', 'GET', (ids: TargetIds) => `/campaigns/${ids.campaignId}/dependencies?x=1`, 'x'],
    ])('rejects a query parameter on %s', async (_case, method, path, parameter) => {
      const ids = await pendingTarget();

      const response = await appendsNothing(() => maker.request(method, path(ids)));

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'REQUEST.INVALID',
        message: `query parameter ${parameter} '1' is not accepted by this call`,
        details: [{ field: parameter, value: '1', rule: 'is not accepted by this call' }],
      });
    });

    it('accepts an empty object body on remove', async () => {
      const ids = await pendingTarget();

      const response = await maker.post(`/campaigns/${ids.campaignId}/targets/${ids.targetId}/remove`, {});

      expect(response.status).toBeLessThan(300);
    });

    it('leaves the health probe open to query parameters', async () => {
      const response = await maker.get('/health?cacheBust=1');

      expect(response.status).toBe(200);
    });
  });

  describe('profile reads', () => {
    it('returns a profile with the ETag that PATCH takes', async () => {
      const created = await maker.post('/profiles', { name: 'Recouvrement', manageCampaign: true });
      const id = String(created.body.id);

      const read = await eventually(
        async () => {
          const response = await maker.get(`/profiles/${id}`);
          return response.status === 200 ? response : undefined;
        },
        10_000,
        'the profile to be projected',
      );
      const changed = await maker.request('PATCH', `/profiles/${id}`, {
        body: { name: 'Recouvrement amiable' },
        headers: { 'if-match': read.headers.get('etag') ?? '' },
      });

      expect(read.body).toEqual({ id, name: 'Recouvrement', manageCampaign: true, revision: 0 });
      expect(read.headers.get('etag')).toBe('"0"');
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).toBe('"1"');
    });

    it('returns 404 PROFILE.NOT_FOUND for an unknown id', async () => {
      const response = await maker.get('/profiles/no-such-profile');

      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ code: 'PROFILE.NOT_FOUND', message: "profile 'no-such-profile' was not found" });
    });
  });
});
