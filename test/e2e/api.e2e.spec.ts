import { RunningService, signAccessToken } from '@sms/application';
import { SmscSimulator } from '@sms/sms-gateway';
import { createCampaign, EmbeddedService, startEmbeddedService } from '../support/embedded-service';
import { eventually, HttpClient, httpClient } from '../support/http-client';

/** The REST slice on the embedded profile: validation, auth, and the events each call appends. */
describe('REST API on the embedded profile', () => {
  let embedded: EmbeddedService;
  let service: RunningService;
  let simulator: SmscSimulator;
  let maker: HttpClient;
  let secret: string;

  beforeAll(async () => {
    embedded = await startEmbeddedService({ receiptDelayMs: 50 });
    ({ service, simulator, maker, secret } = embedded);
  });

  afterAll(async () => {
    await embedded?.stop();
  });

  async function eventCount(): Promise<number> {
    return (await service.infrastructure.eventStore.readAll({ maxCount: 1_000_000 })).length;
  }

  async function newCampaign(overrides: Record<string, unknown> = {}): Promise<{ id: string }> {
    return { id: await createCampaign(maker, { body: 'Bonjour {{firstName}} !', campaign: overrides }) };
  }

  describe('health and documentation', () => {
    it('answers health without a token', async () => {
      const response = await httpClient(service.url ?? '').get('/health');
      expect(response).toMatchObject({ status: 200, body: { status: 'ok' } });
    });

    it('serves an OpenAPI document describing every Maker and Banner route with its errors', async () => {
      type Operation = { responses: Record<string, unknown>; parameters?: Array<{ name: string; in: string }> };
      const response = await httpClient(service.url ?? '').get<{ paths: Record<string, Record<string, Operation>> }>('/openapi.json');
      expect(response.status).toBe(200);
      const paths = response.body.paths;
      expect(Object.keys(paths)).toEqual(
        expect.arrayContaining([
          '/senders',
          '/senders/{id}',
          '/templates',
          '/templates/{id}/preview',
          '/calendars',
          '/calendars/{id}/next-open',
          '/profiles',
          '/profiles/{id}',
          '/campaigns',
          '/campaigns/{id}',
          '/campaigns/{id}/status',
          '/campaigns/{id}/tags',
          '/campaigns/{id}/profiles',
          '/campaigns/{id}/duplicate',
          '/campaigns/{id}/empty',
          '/campaigns/{id}/history',
          '/campaigns/{id}/as-of',
          '/campaigns/{id}/dependencies',
          '/campaigns/{id}/layouts',
          '/campaigns/{campaignId}/targets',
          '/campaigns/{campaignId}/targets/{targetId}',
          '/campaigns/{campaignId}/targets/{targetId}/reschedule',
          '/campaigns/{campaignId}/targets/{targetId}/remove',
          '/campaigns/{campaignId}/targets/{targetId}/duplicate',
          '/campaigns/{campaignId}/targets/calibrate',
          '/campaigns/{campaignId}/targets/export',
          '/campaigns/{campaignId}/targets/import-template',
          '/campaigns/{campaignId}/imports',
          '/imports/{id}',
          '/campaigns/{campaignId}/sends',
          '/banner/campaigns',
          '/banner/campaigns/{id}/status',
        ]),
      );
      expect(Object.keys(paths['/campaigns/{id}'].patch.responses)).toEqual(
        expect.arrayContaining(['400', '401', '403', '404', '409', '412']),
      );
      expect(paths['/campaigns/{id}'].patch.parameters).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'If-Match', in: 'header' })]),
      );
    });
  });

  describe('bad input', () => {
    it('rejects a missing token with 401', async () => {
      const response = await httpClient(service.url ?? '').get('/campaigns');
      expect(response).toMatchObject({ status: 401, body: { statusCode: 401, code: 'AUTH.TOKEN_MISSING' } });
    });

    it('rejects a token signed with another key with 401', async () => {
      const forged = await signAccessToken('another-secret-of-at-least-32-characters!', { sub: 'mallory', roles: ['maker'] });
      const response = await httpClient(service.url ?? '', forged).get('/campaigns');
      expect(response).toMatchObject({ status: 401, body: { code: 'AUTH.TOKEN_INVALID' } });
    });

    it('rejects a wrong role with 403 and appends nothing', async () => {
      const before = await eventCount();
      const advisor = httpClient(service.url ?? '', await signAccessToken(secret, { sub: 'bob', roles: ['advisor'] }));
      const response = await advisor.post('/senders', { name: 'X', senderId: 'ACME' });
      expect(response).toMatchObject({ status: 403, body: { code: 'AUTH.ROLE_REQUIRED' } });
      expect(await eventCount()).toBe(before);
    });

    it('rejects malformed JSON with 400', async () => {
      const response = await maker.post('/senders', '{"name": "x",', { contentType: 'application/json' });
      expect(response).toMatchObject({ status: 400, body: { code: 'REQUEST.MALFORMED_JSON' } });
    });

    it('rejects an unknown field naming it', async () => {
      const before = await eventCount();
      const response = await maker.post('/senders', { name: 'Support', senderId: 'ACME', colour: 'red' });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'REQUEST.INVALID',
        details: [{ field: 'colour', rule: 'property colour should not exist' }],
      });
      expect(await eventCount()).toBe(before);
    });

    it('rejects an invalid sender id naming the field, value and rule', async () => {
      const response = await maker.post('/senders', { name: 'Support', senderId: 'AB' });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'SENDER.INVALID_SENDER_ID', details: [{ field: 'senderId', value: 'AB' }] });
    });

    it('rejects an invalid phone number and a fixed line, appending nothing', async () => {
      const campaign = await newCampaign();
      const before = await eventCount();
      const invalid = await maker.post(`/campaigns/${campaign.id}/targets`, { phoneNumber: '0612' });
      expect(invalid.status).toBe(400);
      expect(invalid.body).toMatchObject({
        code: 'TARGET.INVALID_PHONE_NUMBER',
        message: "phoneNumber '0612' is not a valid number for FR",
        details: [{ field: 'phoneNumber', value: '0612', rule: 'is not a valid number for FR' }],
      });
      const fixed = await maker.post(`/campaigns/${campaign.id}/targets`, { phoneNumber: '+33 1 44 00 12 34' });
      expect(fixed.body).toMatchObject({ code: 'TARGET.INVALID_PHONE_NUMBER', message: expect.stringContaining('fixed line') });
      expect(await eventCount()).toBe(before);
    });

    it('rejects a priority out of range and an unknown time zone', async () => {
      const campaign = await newCampaign();
      const response = await maker.post(`/campaigns/${campaign.id}/targets`, {
        phoneNumber: '0612345678',
        priority: 11,
        timeZone: 'Mars/Olympus',
      });
      expect(response.status).toBe(400);
      const fields = (response.body.details as Array<{ field: string }>).map((detail) => detail.field);
      expect(fields).toEqual(expect.arrayContaining(['priority', 'timeZone']));
    });

    it('rejects a campaign whose sender does not exist', async () => {
      const template = await maker.post('/templates', { name: 'T', body: 'Hi' });
      const response = await maker.post('/campaigns', { name: 'N', reference: 'R', senderId: 'nope', templateId: template.body.id });
      expect(response).toMatchObject({
        status: 400,
        body: { code: 'CAMPAIGN.UNKNOWN_SENDER', details: [{ field: 'senderId', value: 'nope' }] },
      });
    });

    it('answers 404 for an unknown campaign', async () => {
      const response = await maker.get('/campaigns/does-not-exist');
      expect(response).toMatchObject({ status: 404, body: { code: 'CAMPAIGN.NOT_FOUND' } });
      const toggle = await maker.post('/campaigns/does-not-exist/status', { status: 'ON' });
      expect(toggle).toMatchObject({ status: 404, body: { code: 'CAMPAIGN.NOT_FOUND' } });
    });

    it('answers 412 when If-Match names an old revision', async () => {
      const campaign = await newCampaign();
      const response = await maker.post(`/campaigns/${campaign.id}/status`, { status: 'ON' }, { headers: { 'if-match': '"7"' } });
      expect(response).toMatchObject({ status: 412, body: { code: 'REQUEST.REVISION_MISMATCH' } });
    });
  });

  describe('a campaign from creation to delivery', () => {
    it('records each step on the streams and delivers each target once', async () => {
      const campaign = await newCampaign();
      const store = service.infrastructure.eventStore;
      expect((await store.readStream(`campaign-${campaign.id}`)).map((event) => event.type)).toEqual(['CampaignCreated']);

      const added = await maker.post(`/campaigns/${campaign.id}/targets`, {
        phoneNumber: '06 12 34 56 01',
        layout: { name: 'crm', values: { firstName: 'Léa' } },
      });
      expect(added.status).toBe(201);
      const duplicate = await maker.post(`/campaigns/${campaign.id}/targets`, {
        phoneNumber: '+33612345601',
        layout: { name: 'crm', values: { firstName: 'Léa' } },
      });
      expect(duplicate).toMatchObject({ status: 200, body: { duplicateOf: added.body.id } });
      const second = await maker.post(`/campaigns/${campaign.id}/targets`, {
        phoneNumber: '0033612345602',
        startDate: '2026-01-01T09:00',
        layout: { name: 'crm', values: { firstName: 'Zoé' } },
      });
      expect(second.status).toBe(201);
      const addedEvents = await store.readStream(`target-${String(second.body.id)}`);
      expect(addedEvents).toHaveLength(1);
      expect(addedEvents[0]).toMatchObject({
        type: 'TargetAdded',
        data: { phoneNumber: '+33612345602', startDate: '2026-01-01T08:00:00.000Z' },
      });
      expect(addedEvents[0].metadata.actor).toEqual({ id: 'user:alice', role: 'maker' });

      const on = await maker.post(`/campaigns/${campaign.id}/status`, { status: 'ON' });
      expect(on).toMatchObject({ status: 200, body: { status: 'ON', sessionId: expect.any(String) } });
      const toggled = (await store.readStream(`campaign-${campaign.id}`)).at(-1);
      expect(toggled).toMatchObject({ type: 'StatusToggled', data: { status: 'ON', source: 'MAKER', newSession: true } });

      const details = await eventually(
        async () => {
          const response = await maker.get(`/campaigns/${campaign.id}`);
          const counts = response.body.counts as Record<string, number>;
          return counts.delivered === 2 ? response.body : undefined;
        },
        20_000,
        'both targets delivered',
      );
      expect(details).toMatchObject({ status: 'ON', sessionId: on.body.sessionId });

      const stream = await store.readStream(`target-${String(added.body.id)}`);
      expect(stream.map((event) => event.type)).toEqual([
        'TargetAdded',
        'SmsAttemptStarted',
        'SmsSubmissionStarted',
        'SmsAttempted',
        'SmsDeliveryReported',
      ]);
      const texts = simulator.submits().map((submit) => submit.text);
      expect(texts).toEqual(expect.arrayContaining(['Bonjour Léa !', 'Bonjour Zoé !']));

      const target = await maker.get(`/campaigns/${campaign.id}/targets/${String(added.body.id)}`);
      expect(target.body).toMatchObject({
        status: 'DELIVERED',
        attempts: [{ status: 'DELIVERED', sessionId: on.body.sessionId, providerMessageId: expect.any(String) }],
      });
      const [attempt] = target.body.attempts as Array<{ startedAt: string; endedAt: string }>;
      expect(Date.parse(attempt.endedAt)).toBeGreaterThanOrEqual(Date.parse(attempt.startedAt));
      const sends = await maker.get(`/campaigns/${campaign.id}/sends?phone=0612345601`);
      expect(sends.body).toMatchObject({
        total: 1,
        items: [{ phoneNumber: '+33612345601', status: 'DELIVERED', sessionId: on.body.sessionId }],
      });
    });

    it('opens a new session only when carry-on is refused', async () => {
      const campaign = await newCampaign();
      const first = await maker.post(`/campaigns/${campaign.id}/status`, { status: 'ON' });
      await maker.post(`/campaigns/${campaign.id}/status`, { status: 'OFF' });
      const carried = await maker.post(`/campaigns/${campaign.id}/status`, { status: 'ON' });
      expect(carried.body.sessionId).toBe(first.body.sessionId);
      await maker.post(`/campaigns/${campaign.id}/status`, { status: 'OFF' });
      const fresh = await maker.post(`/campaigns/${campaign.id}/status`, { status: 'ON', carryOnSession: false });
      expect(fresh.body.sessionId).not.toBe(first.body.sessionId);
    });

    it('lists the history with actors, oldest first', async () => {
      const campaign = await newCampaign();
      await maker.post(`/campaigns/${campaign.id}/status`, { status: 'ON' });
      await maker.post(`/campaigns/${campaign.id}/status`, { status: 'OFF' });
      const auditor = httpClient(service.url ?? '', await signAccessToken(secret, { sub: 'carol', roles: ['auditor'] }));

      const history = await auditor.get<{
        items: Array<{ type: string; actor: unknown; data: Record<string, unknown>; position: number }>;
        total: number;
      }>(`/campaigns/${campaign.id}/history`);
      expect(history.status).toBe(200);
      expect(history.body.total).toBe(3);
      expect(history.body.items.map((item) => item.type)).toEqual(['CampaignCreated', 'StatusToggled', 'StatusToggled']);
      expect(history.body.items[1]).toMatchObject({ actor: { id: 'user:alice', role: 'maker' }, data: { status: 'ON', source: 'MAKER' } });
      expect(history.body.items[2].position).toBeGreaterThan(history.body.items[1].position);

      const secondPage = await maker.get(`/campaigns/${campaign.id}/history?page=2&pageSize=2`);
      expect(secondPage.body).toMatchObject({ total: 3, page: 2, items: [{ type: 'StatusToggled', data: { status: 'OFF' } }] });
      const reporter = httpClient(service.url ?? '', await signAccessToken(secret, { sub: 'dave', roles: ['reporter'] }));
      expect((await reporter.get(`/campaigns/${campaign.id}/history`)).status).toBe(403);
      expect((await maker.get('/campaigns/nope/history')).status).toBe(404);
    });

    it('shows the sender, template and calendar a campaign uses', async () => {
      const calendar = await maker.post('/calendars', { name: 'Strict', preset: 'FR_STRICT' });
      const campaign = await newCampaign({ calendarId: calendar.body.id });
      const dependencies = await eventually(
        async () => {
          const response = await maker.get(`/campaigns/${campaign.id}/dependencies`);
          return response.status === 200 ? response.body : undefined;
        },
        10_000,
        'the campaign in the read model',
      );
      expect(dependencies).toMatchObject({
        sender: { senderId: 'ACME' },
        template: { body: 'Bonjour {{firstName}} !' },
        calendar: { id: calendar.body.id, publicHolidays: 'FR' },
        profiles: [],
      });
    });

    it('edits settings under If-Match and refuses a stale revision', async () => {
      const campaign = await newCampaign();
      const read = await eventually(
        async () => {
          const response = await maker.get(`/campaigns/${campaign.id}`);
          return response.status === 200 ? response : undefined;
        },
        10_000,
        'the campaign in the read model',
      );
      const etag = read.headers.get('etag') ?? '';

      const edited = await maker.request('PATCH', `/campaigns/${campaign.id}`, {
        body: { name: 'Renamed', refreshSeconds: 30 },
        headers: { 'if-match': etag },
      });
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({ name: 'Renamed', refreshSeconds: 30, reference: expect.any(String) });
      const stale = await maker.request('PATCH', `/campaigns/${campaign.id}`, { body: { name: 'Again' }, headers: { 'if-match': etag } });
      expect(stale).toMatchObject({ status: 412, body: { code: 'REQUEST.REVISION_MISMATCH' } });

      const tagged = await maker.request('PUT', `/campaigns/${campaign.id}/tags`, { body: { tags: ['relance', 'décembre'] } });
      expect(tagged.body).toMatchObject({ tags: ['relance', 'décembre'] });
      const unknownSender = await maker.request('PATCH', `/campaigns/${campaign.id}`, { body: { senderId: 'nope' } });
      expect(unknownSender).toMatchObject({ status: 400, body: { code: 'CAMPAIGN.UNKNOWN_SENDER' } });

      const changes = (await service.infrastructure.eventStore.readStream(`campaign-${campaign.id}`)).filter(
        (event) => event.type === 'CampaignSettingsChanged',
      );
      expect(changes.map((event) => event.data.changed)).toEqual([['name', 'refreshSeconds'], ['tags']]);
      await eventually(
        async () => {
          const list = await maker.get<{ items: Array<{ id: string; name: string }> }>('/campaigns?tags=relance');
          return list.body.items.some((item) => item.id === campaign.id && item.name === 'Renamed') ? true : undefined;
        },
        10_000,
        'the renamed campaign listed under its tag',
      );
    });

    it('deletes a campaign only while it is OFF, keeping its history', async () => {
      const campaign = await newCampaign();
      await maker.post(`/campaigns/${campaign.id}/status`, { status: 'ON' });
      const whileOn = await maker.request('DELETE', `/campaigns/${campaign.id}`);
      expect(whileOn).toMatchObject({ status: 409, body: { code: 'CAMPAIGN.IS_ON' } });

      await maker.post(`/campaigns/${campaign.id}/status`, { status: 'OFF' });
      expect((await maker.request('DELETE', `/campaigns/${campaign.id}`)).status).toBe(204);
      await eventually(
        async () => ((await maker.get(`/campaigns/${campaign.id}`)).status === 404 ? true : undefined),
        10_000,
        'the campaign gone',
      );
      expect((await maker.post(`/campaigns/${campaign.id}/status`, { status: 'ON' })).status).toBe(404);
      const history = await maker.get<{ items: Array<{ type: string }> }>(`/campaigns/${campaign.id}/history`);
      expect(history.body.items.map((item) => item.type).at(-1)).toBe('CampaignDeleted');
    });

    it('finds campaigns by a part of their name, ignoring case and accents', async () => {
      await newCampaign({ name: 'Rappel échéance Décembre' });
      const response = await maker.get('/campaigns?search=ECHEANCE%20dec');
      expect((response.body.items as Array<{ name: string }>).map((item) => item.name)).toContain('Rappel échéance Décembre');
    });
  });
});
