import { signAccessToken } from '@sms/application';
import { parse } from 'csv-parse/sync';
import { countsWhen, createCampaign, EmbeddedService, startEmbeddedService } from '../support/embedded-service';
import { eventually, HttpClient, httpClient } from '../support/http-client';

type AttemptRow = Record<string, unknown> & { attemptId: string; sessionId: string; startedAt: string; status: string };
type Page = { items: AttemptRow[]; nextCursor: string | null };

const FINAL = ['sent', 'delivered', 'undelivered', 'failed', 'unknown'];
const UTF8_BOM = [0xef, 0xbb, 0xbf];

/** The Reporter data source and the send history through HTTP, on the embedded profile. */
describe('reporter data source', () => {
  let embedded: EmbeddedService;
  let maker: HttpClient;
  let reporter: HttpClient;
  let reporterToken: string;
  let campaignId: string;
  let sessions: string[];

  beforeAll(async () => {
    embedded = await startEmbeddedService();
    maker = embedded.maker;
    reporterToken = await signAccessToken(embedded.secret, { sub: 'rita', roles: ['reporter'] });
    reporter = httpClient(embedded.service.url ?? '', reporterToken);

    campaignId = await createCampaign(maker, { campaign: { name: 'Relance été =SUM(1)' } });
    sessions = [await runSession(['0612345601', '0612345602', '0612345603'], true), await runSession(['0612345604', '0612345605'], false)];
  }, 300_000);

  afterAll(async () => {
    await embedded?.stop();
  });

  /** Adds the numbers, switches the campaign ON (in a new session unless `carryOn`), waits for every send, switches OFF. */
  async function runSession(numbers: string[], carryOn: boolean): Promise<string> {
    for (const phoneNumber of numbers) {
      expect((await maker.post(`/campaigns/${campaignId}/targets`, { phoneNumber })).status).toBe(201);
    }
    const before = await maker.get<{ counts: Record<string, number> }>(`/campaigns/${campaignId}`);
    const doneBefore = FINAL.reduce((sum, status) => sum + (before.body.counts[status] ?? 0), 0);
    const on = await maker.post<{ sessionId: string }>(`/campaigns/${campaignId}/status`, { status: 'ON', carryOnSession: carryOn });
    expect(on.status).toBe(200);
    await countsWhen(
      maker,
      campaignId,
      (counts) => FINAL.reduce((sum, status) => sum + (counts[status] ?? 0), 0) >= doneBefore + numbers.length,
      120_000,
      'every target of the session sent',
    );
    expect((await maker.post(`/campaigns/${campaignId}/status`, { status: 'OFF' })).status).toBe(200);
    return on.body.sessionId;
  }

  async function download(path: string, accept: string, token = reporterToken) {
    const response = await fetch(`${embedded.service.url}${path}`, { headers: { authorization: `Bearer ${token}`, accept } });
    const bytes = Buffer.from(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, bytes, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes) };
  }

  async function allPages(query: string, limit: number): Promise<AttemptRow[]> {
    const rows: AttemptRow[] = [];
    let cursor: string | null = null;
    do {
      const suffix: string = cursor === null ? '' : `&cursor=${cursor}`;
      const page = await reporter.get<Page>(`/reporter/sms-campaign-attempts?${query}&limit=${limit}${suffix}`);
      expect(page.status).toBe(200);
      rows.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    return rows;
  }

  it('pages with a cursor return the same rows as the NDJSON stream', async () => {
    const paged = await allPages(`campaignId=${campaignId}`, 2);
    const streamed = await download(`/reporter/sms-campaign-attempts?campaignId=${campaignId}`, 'application/x-ndjson');

    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const lines = streamed.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as AttemptRow);
    expect(paged).toHaveLength(5);
    expect(lines).toEqual(paged);
    const order = paged.map((row) => `${row.startedAt}|${row.attemptId}`);
    expect(order).toEqual([...order].sort());
    // Attempts claimed in one batch share their start instant, so their order follows the attempt ids.
    expect(paged.find((row) => row.phoneNumber === '+33612345601')).toMatchObject({
      campaignId,
      campaignName: 'Relance été =SUM(1)',
      attemptNumber: 1,
      phoneNumber: '+33612345601',
      // The template's ê is outside GSM-7.
      encoding: 'UCS-2',
      segments: 1,
      errorCode: null,
      errorReason: null,
    });
    expect(Object.keys(paged[0]).sort()).toEqual(
      [
        'attemptId',
        'attemptNumber',
        'campaignId',
        'campaignName',
        'encoding',
        'endedAt',
        'errorCode',
        'errorReason',
        'phoneNumber',
        'providerMessageId',
        'segments',
        'sessionId',
        'startedAt',
        'status',
        'targetId',
      ].sort(),
    );
  });

  it('CSV has a byte order mark, accents and neutralised cells', async () => {
    const csv = await download(`/reporter/sms-campaign-attempts?campaignId=${campaignId}`, 'text/csv');

    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect([...csv.bytes.subarray(0, 3)]).toEqual(UTF8_BOM);
    const rows = parse(csv.text, { bom: true }) as string[][];
    expect(rows[0].slice(0, 7)).toEqual([
      'campaignId',
      'campaignName',
      'sessionId',
      'targetId',
      'attemptId',
      'attemptNumber',
      'phoneNumber',
    ]);
    expect(rows).toHaveLength(6);
    expect(rows[1][1]).toBe('Relance été =SUM(1)');
    expect(
      rows
        .slice(1)
        .map((row) => row[6])
        .sort(),
    ).toEqual(["'+33612345601", "'+33612345602", "'+33612345603", "'+33612345604", "'+33612345605"]);
  });

  it('filters by session and by start time', async () => {
    const second = await allPages(`campaignId=${campaignId}&sessionId=${sessions[1]}`, 10);
    expect(second.map((row) => row.phoneNumber).sort()).toEqual(['+33612345604', '+33612345605']);

    const all = await allPages(`campaignId=${campaignId}`, 10);
    const from = all[3].startedAt;
    const fromThird = await allPages(`campaignId=${campaignId}&from=${encodeURIComponent(from)}`, 10);
    expect(fromThird.map((row) => row.attemptId)).toEqual(all.slice(3).map((row) => row.attemptId));
    const beforeThird = await allPages(`campaignId=${campaignId}&to=${encodeURIComponent(from)}`, 10);
    expect(beforeThird.map((row) => row.attemptId)).toEqual(all.slice(0, 3).map((row) => row.attemptId));

    const otherCampaign = await allPages(`campaignId=unknown-campaign`, 10);
    expect(otherCampaign).toEqual([]);
  });

  it('rejects a tampered cursor, a cursor of other filters and a bad limit', async () => {
    const first = await reporter.get<Page>(`/reporter/sms-campaign-attempts?campaignId=${campaignId}&limit=1`);
    const cursor = first.body.nextCursor ?? '';
    const tampered = `${cursor.slice(0, -2)}${cursor.endsWith('A') ? 'B' : 'A'}x`;

    const responses = [
      await reporter.get(`/reporter/sms-campaign-attempts?campaignId=${campaignId}&cursor=${tampered}`),
      await reporter.get(`/reporter/sms-campaign-attempts?campaignId=${campaignId}&cursor=not-a-cursor!`),
      await reporter.get(`/reporter/sms-campaign-attempts?campaignId=${campaignId}&sessionId=${sessions[0]}&cursor=${cursor}`),
    ];
    for (const response of responses) {
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'REPORTER.INVALID_CURSOR', details: [{ field: 'cursor' }] });
    }
    for (const limit of ['0', '1001', 'ten']) {
      const response = await reporter.get(`/reporter/sms-campaign-attempts?limit=${limit}`);
      expect(response.status).toBe(400);
      // The value as sent, not the number it failed to become.
      expect(response.body.details).toContainEqual(expect.objectContaining({ field: 'limit', value: limit }));
      expect(response.body.message).toContain(`limit '${limit}'`);
    }
  });

  it('rejects a cursor whose position was re-encoded', async () => {
    const first = await reporter.get<Page>(`/reporter/sms-campaign-attempts?campaignId=${campaignId}&limit=3`);
    const [payload, signature] = (first.body.nextCursor ?? '').split('.');
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const position = { s: first.body.items[0].startedAt, a: first.body.items[0].attemptId };
    const forged = Buffer.from(JSON.stringify({ ...decoded, ...position })).toString('base64url');
    // The unsigned layout of version 1 cursors.
    const unsigned = Buffer.from(JSON.stringify({ ...decoded, ...position, v: 1 })).toString('base64url');

    const withSignature = await reporter.get(
      `/reporter/sms-campaign-attempts?campaignId=${campaignId}&limit=3&cursor=${forged}.${signature}`,
    );
    const withoutSignature = await reporter.get(`/reporter/sms-campaign-attempts?campaignId=${campaignId}&limit=3&cursor=${unsigned}`);

    for (const response of [withSignature, withoutSignature]) {
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'REPORTER.INVALID_CURSOR', details: [{ field: 'cursor' }] });
      expect(response.body.message).toContain('pass nextCursor unchanged');
    }
  });

  it('is closed to makers and advisors, open to auditors', async () => {
    const advisorToken = await signAccessToken(embedded.secret, { sub: 'ada', roles: ['advisor'], profileIds: [] });
    const auditorToken = await signAccessToken(embedded.secret, { sub: 'otto', roles: ['auditor'] });
    for (const path of ['/reporter/sms-campaign-attempts', `/reporter/sms-campaign-attempts/counters?campaignId=${campaignId}`]) {
      expect((await maker.get(path)).status).toBe(403);
      expect((await maker.get(path, { token: advisorToken })).status).toBe(403);
      expect((await maker.get(path, { token: auditorToken })).status).toBe(200);
    }
    expect((await download(`/reporter/sms-campaign-attempts`, 'text/csv', auditorToken)).status).toBe(200);
  });

  it('counts attempts per status and per session', async () => {
    const counters = await reporter.get<{
      attempts: number;
      segments: number;
      byStatus: Record<string, number>;
      sessions: Array<{ sessionId: string; attempts: number; segments: number }>;
    }>(`/reporter/sms-campaign-attempts/counters?campaignId=${campaignId}`);

    expect(counters.status).toBe(200);
    expect(counters.body.attempts).toBe(5);
    expect(counters.body.segments).toBe(5);
    expect(Object.values(counters.body.byStatus).reduce((sum, count) => sum + count, 0)).toBe(5);
    expect(counters.body.sessions.map((session) => [session.sessionId, session.attempts])).toEqual([
      [sessions[0], 3],
      [sessions[1], 2],
    ]);

    const second = await reporter.get<{ attempts: number; sessions: unknown[] }>(
      `/reporter/sms-campaign-attempts/counters?campaignId=${campaignId}&sessionId=${sessions[1]}`,
    );
    expect(second.body).toMatchObject({ attempts: 2, sessions: [{ sessionId: sessions[1], attempts: 2 }] });

    expect((await reporter.get('/reporter/sms-campaign-attempts/counters?campaignId=nope')).status).toBe(404);
    expect((await reporter.get('/reporter/sms-campaign-attempts/counters')).status).toBe(400);
  });

  describe('send history', () => {
    it('returns 404 for an unknown campaign', async () => {
      const response = await reporter.get('/campaigns/no-such-campaign/sends');

      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ code: 'CAMPAIGN.NOT_FOUND' });
    });

    it('lists attempts newest first with the history columns, for each role', async () => {
      const auditor = httpClient(embedded.service.url ?? '', await signAccessToken(embedded.secret, { sub: 'otto', roles: ['auditor'] }));
      for (const client of [maker, reporter, auditor]) {
        const page = await client.get<{ items: AttemptRow[]; total: number }>(`/campaigns/${campaignId}/sends?pageSize=2&page=1`);
        expect(page.status).toBe(200);
        expect(page.body.total).toBe(5);
        expect(page.body.items).toHaveLength(2);
        expect(Object.keys(page.body.items[0]).sort()).toEqual([
          'attemptId',
          'endDate',
          'phoneNumber',
          'sessionId',
          'startDate',
          'status',
          'targetId',
        ]);
      }
      const all = await maker.get<{ items: Array<{ startDate: string; sessionId: string }> }>(`/campaigns/${campaignId}/sends`);
      const starts = all.body.items.map((item) => item.startDate);
      expect(starts).toEqual([...starts].sort().reverse());
      expect(all.body.items[0].sessionId).toBe(sessions[1]);
    });

    it('filters by phone and reads a local bound in the campaign time zone', async () => {
      const byPhone = await maker.get<{ items: Array<{ phoneNumber: string }> }>(
        `/campaigns/${campaignId}/sends?phone=06%2012%2034%2056%2004`,
      );
      expect(byPhone.body.items.map((item) => item.phoneNumber)).toEqual(['+33612345604']);

      const all = await maker.get<{ items: Array<{ startDate: string }> }>(`/campaigns/${campaignId}/sends`);
      const newest = new Date(all.body.items[0].startDate);
      // The campaign is in Europe/Paris, so a local bound one hour past the newest start in UTC wall time lies before it in winter and summer.
      const localBound = new Date(newest.getTime() + 60 * 60_000).toISOString().slice(0, 19);
      const local = await maker.get<{ total: number }>(`/campaigns/${campaignId}/sends?from=${localBound}`);
      const utc = await maker.get<{ total: number }>(`/campaigns/${campaignId}/sends?from=${localBound}Z`);
      expect(local.body.total).toBeGreaterThan(0);
      expect(utc.body.total).toBe(0);
    });
  });

  it('rejects an inverted range on the data source', async () => {
    const response = await reporter.get('/reporter/sms-campaign-attempts?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z');

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'REQUEST.INVALID_RANGE' });
  });

  it('streams nothing but the header for no match', async () => {
    const csv = await eventually(async () => download(`/reporter/sms-campaign-attempts?campaignId=none`, 'text/csv'), 5_000, 'the CSV');

    expect(parse(csv.text, { bom: true })).toHaveLength(1);
  });
});
