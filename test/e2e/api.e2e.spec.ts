import { randomUUID } from 'node:crypto';
import { RunningService, signAccessToken } from '@sms/application';
import { SmscSimulator } from '@sms/sms-gateway';
import { createCampaign, EmbeddedService, startEmbeddedService } from '../support/embedded-service';
import { eventually, HttpClient, httpClient, HttpResponse } from '../support/http-client';

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

  async function newSenderAndTemplate(): Promise<{ senderId: string; templateId: string }> {
    const sender = await maker.post('/senders', { name: 'Support', senderId: 'ACME' });
    const template = await maker.post('/templates', { name: 'Template', body: 'Bonjour' });
    return { senderId: String(sender.body.id), templateId: String(template.body.id) };
  }

  /** Waits until the campaign read model contains the campaign and returns the GET response. */
  async function awaitCampaign(id: string): Promise<HttpResponse> {
    return eventually(
      async () => {
        const response = await maker.get(`/campaigns/${id}`);
        return response.status === 200 ? response : undefined;
      },
      10_000,
      `campaign ${id} in the read model`,
    );
  }

  describe('health and documentation', () => {
    it('answers health without a token', async () => {
      const response = await httpClient(service.url ?? '').get('/health');
      expect(response).toMatchObject({ status: 200, body: { status: 'ok' } });
    });

    it('describes every contract operation in OpenAPI', async () => {
      type Operation = { responses: Record<string, unknown>; parameters?: Array<{ name: string; in: string }> };
      const response = await httpClient(service.url ?? '').get<{ paths: Record<string, Record<string, Operation>> }>('/openapi.json');
      expect(response.status).toBe(200);
      const paths = response.body.paths;
      const served = new Set(
        Object.entries(paths).flatMap(([path, item]) =>
          Object.keys(item)
            .filter((method) => HTTP_METHODS.includes(method))
            .map((method) => `${method.toUpperCase()} ${path}`),
        ),
      );

      expect(CONTRACT_OPERATIONS.filter((operation) => !served.has(operation))).toEqual([]);
      expect(Object.keys(paths['/campaigns/{id}'].patch.responses)).toEqual(
        expect.arrayContaining(['400', '401', '403', '404', '409', '412']),
      );
      expect(paths['/campaigns/{id}'].patch.parameters).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'If-Match', in: 'header' })]),
      );
    });

    it('serves Swagger UI as HTML', async () => {
      const response = await maker.get<string>('/docs');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.body).toContain('swagger-ui');
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

  describe('campaign settings', () => {
    it('stores and returns every setting', async () => {
      const { senderId, templateId } = await newSenderAndTemplate();
      const calendar = await maker.post('/calendars', { name: 'Strict', preset: 'FR_STRICT' });
      const settings = {
        name: 'Relance impayés',
        reference: `REL-${randomUUID()}`,
        alias: 'Impayés juin',
        senderId,
        templateId,
        calendarId: calendar.body.id,
        endDate: '2030-06-15T18:00',
        timeZone: 'Europe/Paris',
        language: 'fr',
        refreshSeconds: 120,
        chatFlow: { enabled: true, flowId: 'flow-42' },
        throughputPerSecond: 25,
        maxAttempts: 3,
        retryDelaySeconds: 900,
        tags: ['relance', 'juin'],
      };
      // 18:00 in Paris on a June day is 16:00 UTC (CEST, UTC+2).
      const stored = { ...settings, endDate: '2030-06-15T16:00:00.000Z' };

      const created = await maker.post('/campaigns', settings);

      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: expect.any(String), status: 'OFF', sessionId: null, ...stored });
      const [event] = await service.infrastructure.eventStore.readStream(`campaign-${String(created.body.id)}`);
      expect(event).toMatchObject({ type: 'CampaignCreated', data: { id: created.body.id, ...stored } });
      const read = await awaitCampaign(String(created.body.id));
      expect(read.body).toMatchObject({ ...stored, id: created.body.id, status: 'OFF', sessionId: null, profileIds: [] });
    });

    it('applies defaults to omitted settings', async () => {
      const { senderId, templateId } = await newSenderAndTemplate();
      const reference = `REL-${randomUUID()}`;
      const defaults = {
        alias: null,
        calendarId: null,
        endDate: null,
        timeZone: 'UTC',
        language: null,
        refreshSeconds: 60,
        chatFlow: { enabled: false, flowId: null },
        throughputPerSecond: null,
        maxAttempts: 1,
        retryDelaySeconds: 300,
        tags: [],
      };

      const created = await maker.post('/campaigns', { name: 'Minimal', reference, senderId, templateId });

      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        status: 'OFF',
        sessionId: null,
        name: 'Minimal',
        reference,
        senderId,
        templateId,
        ...defaults,
      });
      const read = await awaitCampaign(String(created.body.id));
      expect(read.body).toMatchObject({ name: 'Minimal', reference, ...defaults });
    });

    it.each([
      ['maxAttempts', 0, 'must not be less than 1'],
      ['maxAttempts', 11, 'must not be greater than 10'],
      ['refreshSeconds', 0, 'must not be less than 1'],
    ])('rejects %s %p', async (field, value, rule) => {
      const { senderId, templateId } = await newSenderAndTemplate();
      const before = await eventCount();

      const response = await maker.post('/campaigns', { name: 'Out of range', reference: 'OOR', senderId, templateId, [field]: value });

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, code: 'REQUEST.INVALID', details: [{ field, value, rule }] });
      expect(await eventCount()).toBe(before);
    });
  });

  describe('campaign list filters', () => {
    type CampaignPage = { items: Array<{ id: string; name: string; reference: string; alias: string | null; status: string }> };

    async function listedIds(query: string, expectedCount: number): Promise<string[]> {
      return eventually(
        async () => {
          const response = await maker.get<CampaignPage>(`/campaigns?${query}`);
          expect(response.status).toBe(200);
          return response.body.items.length === expectedCount ? response.body.items.map((item) => item.id) : undefined;
        },
        10_000,
        `${expectedCount} campaigns for ${query}`,
      );
    }

    it('finds a campaign by partial reference', async () => {
      const token = randomUUID().slice(0, 8);
      const campaign = await newCampaign({ reference: `NOEL-${token.toUpperCase()}-2026` });

      expect(await listedIds(`search=${token.toLowerCase()}-20`, 1)).toEqual([campaign.id]);
    });

    it('finds an alias typed without accents', async () => {
      const token = randomUUID().slice(0, 8);
      const campaign = await newCampaign({ alias: `Réveillon éclair ${token}` });

      const ids = await listedIds(`search=${encodeURIComponent(`REVEILLON eclair ${token}`)}`, 1);

      expect(ids).toEqual([campaign.id]);
    });

    it('filters by status ON and OFF', async () => {
      const tag = `status-${randomUUID().slice(0, 8)}`;
      const switchedOn = await newCampaign({ tags: [tag] });
      const left = await newCampaign({ tags: [tag] });
      expect((await maker.post(`/campaigns/${switchedOn.id}/status`, { status: 'ON' })).status).toBe(200);

      expect(await listedIds(`tags=${tag}&status=ON`, 1)).toEqual([switchedOn.id]);
      expect(await listedIds(`tags=${tag}&status=OFF`, 1)).toEqual([left.id]);

      await maker.post(`/campaigns/${switchedOn.id}/status`, { status: 'OFF' });
    });

    it('rejects an unknown status filter', async () => {
      const response = await maker.get('/campaigns?status=MAYBE');

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        statusCode: 400,
        code: 'REQUEST.INVALID',
        details: [{ field: 'status', value: 'MAYBE', rule: expect.stringContaining('ON, OFF') }],
      });
    });
  });

  describe('unknown ids and stale revisions', () => {
    it.each([
      ['DELETE', '/campaigns/nope', undefined],
      ['PUT', '/campaigns/nope/tags', { tags: ['relance'] }],
      ['PUT', '/campaigns/nope/profiles', { profileIds: [] }],
      ['GET', '/campaigns/nope/dependencies', undefined],
    ])('returns 404 to %s %s', async (method, path, body) => {
      const response = await maker.request(method, path, { body });

      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ statusCode: 404, code: 'CAMPAIGN.NOT_FOUND', message: expect.stringContaining("'nope'") });
    });

    it('rejects a DELETE with a stale If-Match', async () => {
      const campaign = await newCampaign();

      const response = await maker.request('DELETE', `/campaigns/${campaign.id}`, { headers: { 'if-match': '"5"' } });

      expect(response.status).toBe(412);
      expect(response.body).toMatchObject({ statusCode: 412, code: 'REQUEST.REVISION_MISMATCH' });
      const events = await service.infrastructure.eventStore.readStream(`campaign-${campaign.id}`);
      expect(events.map((event) => event.type)).toEqual(['CampaignCreated']);
    });

    it('rejects a PATCH to an unknown template', async () => {
      const campaign = await newCampaign();
      await awaitCampaign(campaign.id);

      const response = await maker.request('PATCH', `/campaigns/${campaign.id}`, { body: { templateId: 'nope' } });

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        statusCode: 400,
        code: 'CAMPAIGN.UNKNOWN_TEMPLATE',
        details: [{ field: 'templateId', value: 'nope', rule: expect.stringContaining('template') }],
      });
      const events = await service.infrastructure.eventStore.readStream(`campaign-${campaign.id}`);
      expect(events.map((event) => event.type)).toEqual(['CampaignCreated']);
    });
  });

  describe('profiles', () => {
    type ProfileView = { id: string; name: string; manageCampaign: boolean };

    it('lists profiles in a page', async () => {
      const created = await maker.post<ProfileView>('/profiles', { name: `Accueil ${randomUUID().slice(0, 8)}`, manageCampaign: false });
      expect(created.status).toBe(201);

      const page = await eventually(
        async () => {
          const response = await maker.get<{ items: ProfileView[]; total: number; page: number; pageSize: number }>('/profiles');
          return response.body.items.some((item) => item.id === created.body.id) ? response : undefined;
        },
        10_000,
        'the profile in the list',
      );

      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ page: 1, pageSize: 50 });
      expect(page.body.total).toBeGreaterThanOrEqual(1);
      expect(page.body.items.find((item) => item.id === created.body.id)).toMatchObject(created.body);
    });

    it('returns 404 to a PATCH of an unknown profile', async () => {
      const response = await maker.request('PATCH', '/profiles/nope', { body: { name: 'Renamed' } });

      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ statusCode: 404, code: 'PROFILE.NOT_FOUND', message: expect.stringContaining("'nope'") });
    });

    it('edits a profile under If-Match', async () => {
      const created = await maker.post<ProfileView>('/profiles', { name: 'Recouvrement', manageCampaign: true });
      const etag = created.headers.get('etag') ?? '';
      expect(etag).toMatch(/^"\d+"$/);

      const stale = await maker.request('PATCH', `/profiles/${created.body.id}`, {
        body: { manageCampaign: false },
        headers: { 'if-match': `"${Number(etag.replace(/"/g, '')) + 3}"` },
      });
      expect(stale.status).toBe(412);
      expect(stale.body).toMatchObject({ statusCode: 412, code: 'REQUEST.REVISION_MISMATCH' });

      const edited = await maker.request('PATCH', `/profiles/${created.body.id}`, {
        body: { manageCampaign: false },
        headers: { 'if-match': etag },
      });
      expect(edited.status).toBe(200);
      expect(edited.body).toEqual({ id: created.body.id, name: 'Recouvrement', manageCampaign: false });
      expect(edited.headers.get('etag')).not.toBe(etag);
      const events = await service.infrastructure.eventStore.readStream(`profile-${created.body.id}`);
      expect(events.map((event) => event.type)).toEqual(['ProfileCreated', 'ProfileChanged']);
    });
  });
});

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation of the REST contract that front ends are built against, with paths in OpenAPI form. */
const CONTRACT_OPERATIONS = [
  'POST /senders',
  'GET /senders',
  'GET /senders/{id}',
  'POST /templates',
  'POST /templates/{id}/preview',
  'POST /calendars',
  'GET /calendars/{id}/next-open',
  'POST /profiles',
  'PATCH /profiles/{id}',
  'GET /profiles',
  'POST /campaigns',
  'GET /campaigns',
  'GET /campaigns/{id}',
  'PATCH /campaigns/{id}',
  'POST /campaigns/{id}/status',
  'PUT /campaigns/{id}/tags',
  'PUT /campaigns/{id}/profiles',
  'POST /campaigns/{id}/duplicate',
  'POST /campaigns/{id}/empty',
  'DELETE /campaigns/{id}',
  'GET /campaigns/{id}/history',
  'GET /campaigns/{id}/as-of',
  'GET /campaigns/{id}/dependencies',
  'PUT /campaigns/{id}/layouts',
  'POST /campaigns/{campaignId}/targets',
  'GET /campaigns/{campaignId}/targets',
  'GET /campaigns/{campaignId}/targets/{targetId}',
  'POST /campaigns/{campaignId}/targets/{targetId}/reschedule',
  'POST /campaigns/{campaignId}/targets/{targetId}/remove',
  'POST /campaigns/{campaignId}/targets/{targetId}/duplicate',
  'DELETE /campaigns/{campaignId}/targets/{targetId}',
  'POST /campaigns/{campaignId}/targets/calibrate',
  'GET /campaigns/{campaignId}/targets/export',
  'GET /campaigns/{campaignId}/targets/import-template',
  'POST /campaigns/{campaignId}/imports',
  'GET /imports/{id}',
  'GET /campaigns/{campaignId}/sends',
  'GET /reporter/sms-campaign-attempts',
  'GET /banner/campaigns',
  'POST /banner/campaigns/{id}/status',
  'GET /opt-outs',
  'POST /opt-outs',
  'DELETE /opt-outs/{phoneNumber}',
  'GET /health',
  'GET /metrics',
];
