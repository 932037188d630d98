import { randomUUID } from 'node:crypto';
import { RunningService, signAccessToken, startService } from '@sms/application';
import { HttpClient, httpClient } from '../support/http-client';
import { createTempDirectory, isolatedEnvironment } from '../support/test-environment';

type HistoryItem = { type: string; data: Record<string, unknown> };

/**
 * Maker commands sent before any projection has run. The service runs the api role alone on
 * PGlite, so the read models never see the new campaigns: every response below comes from the
 * event streams, as it must in the server profile while the projector lags behind.
 */
describe('campaign commands before projection', () => {
  let service: RunningService;
  let dataDir: { path: string; remove(): Promise<void> };
  let maker: HttpClient;

  beforeAll(async () => {
    dataDir = await createTempDirectory();
    const env: Record<string, string> = { ...isolatedEnvironment(), DATA_DIR: dataDir.path, PORT: '0' };
    service = await startService(['api'], env, 'e2e-api');
    maker = httpClient(service.url ?? '', await signAccessToken(env.AUTH_JWT_SECRET, { sub: 'alice', roles: ['maker'] }));
  });

  afterAll(async () => {
    await service?.stop();
    await dataDir?.remove();
  });

  /** Creates a sender, a template and a campaign in Europe/Paris; returns the campaign id. */
  async function createUnprojectedCampaign(): Promise<string> {
    const sender = await maker.post('/senders', { name: 'Support', senderId: 'ACME' });
    const template = await maker.post('/templates', { name: 'Relance', body: 'Bonjour {{firstName}}' });
    const campaign = await maker.post('/campaigns', {
      name: 'Relance',
      reference: `REF-${randomUUID()}`,
      senderId: sender.body.id,
      templateId: template.body.id,
      timeZone: 'Europe/Paris',
    });
    expect(campaign.status).toBe(201);
    const id = String(campaign.body.id);
    expect((await maker.get(`/campaigns/${id}`)).status).toBe(404);
    return id;
  }

  async function historyOf(campaignId: string): Promise<HistoryItem[]> {
    return (await maker.get<{ items: HistoryItem[] }>(`/campaigns/${campaignId}/history`)).body.items;
  }

  describe('PATCH with an end date without offset', () => {
    it('reads it in the campaign time zone', async () => {
      const campaignId = await createUnprojectedCampaign();

      const response = await maker.request('PATCH', `/campaigns/${campaignId}`, {
        body: { endDate: '2030-07-01T09:00' },
        headers: { 'if-match': '"0"' },
      });

      expect(response).toMatchObject({ status: 200, body: { id: campaignId, endDate: '2030-07-01T07:00:00.000Z' } });
      expect(response.headers.get('etag')).toBe('"1"');
      const changed = (await historyOf(campaignId)).at(-1);
      expect(changed?.type).toBe('CampaignSettingsChanged');
      expect(changed?.data).toMatchObject({ changed: ['endDate'], settings: { endDate: '2030-07-01T07:00:00.000Z' } });
    });

    it('reads it in the time zone the same request sets', async () => {
      const campaignId = await createUnprojectedCampaign();

      const response = await maker.request('PATCH', `/campaigns/${campaignId}`, {
        body: { timeZone: 'America/New_York', endDate: '2030-01-15T09:00' },
      });

      expect(response).toMatchObject({
        status: 200,
        body: { timeZone: 'America/New_York', endDate: '2030-01-15T14:00:00.000Z' },
      });
    });

    it('reads a date alone as midnight in the campaign time zone', async () => {
      const campaignId = await createUnprojectedCampaign();

      const response = await maker.request('PATCH', `/campaigns/${campaignId}`, { body: { endDate: '2030-12-24' } });

      expect(response).toMatchObject({ status: 200, body: { endDate: '2030-12-23T23:00:00.000Z' } });
    });

    it('rejects a local end date already past in the campaign time zone', async () => {
      const campaignId = await createUnprojectedCampaign();

      const response = await maker.request('PATCH', `/campaigns/${campaignId}`, { body: { endDate: '2020-01-01T09:00' } });

      expect(response).toMatchObject({ status: 400, body: { code: 'CAMPAIGN.END_DATE_IN_PAST' } });
      expect(await historyOf(campaignId)).toHaveLength(1);
    });

    it('answers 404 for a campaign that has no stream', async () => {
      const unknownId = randomUUID();

      const response = await maker.request('PATCH', `/campaigns/${unknownId}`, { body: { endDate: '2030-07-01T09:00' } });

      expect(response).toMatchObject({
        status: 404,
        body: { code: 'CAMPAIGN.NOT_FOUND', message: `campaign '${unknownId}' was not found` },
      });
    });

    it('answers 404 for a deleted campaign', async () => {
      const campaignId = await createUnprojectedCampaign();
      expect((await maker.request('DELETE', `/campaigns/${campaignId}`)).status).toBe(204);

      const response = await maker.request('PATCH', `/campaigns/${campaignId}`, { body: { endDate: '2030-07-01T09:00' } });

      expect(response).toMatchObject({ status: 404, body: { code: 'CAMPAIGN.NOT_FOUND' } });
    });
  });

  describe('other state-changing calls', () => {
    it('succeed on a campaign the read models do not show yet', async () => {
      const campaignId = await createUnprojectedCampaign();
      const profile = await maker.post('/profiles', { name: 'Équipe A', manageCampaign: true });
      const layouts = [{ name: 'relance', fields: [{ key: 'firstName', label: 'Prénom', type: 'string' }] }];

      const tags = await maker.request('PUT', `/campaigns/${campaignId}/tags`, { body: { tags: ['vip'] } });
      const profiles = await maker.request('PUT', `/campaigns/${campaignId}/profiles`, { body: { profileIds: [profile.body.id] } });
      const defined = await maker.request('PUT', `/campaigns/${campaignId}/layouts`, { body: { layouts } });
      const switchedOn = await maker.post(`/campaigns/${campaignId}/status`, { status: 'ON' });
      const switchedOff = await maker.post(`/campaigns/${campaignId}/status`, { status: 'OFF' });
      const copy = await maker.post(`/campaigns/${campaignId}/duplicate`, {});
      const emptied = await maker.post(`/campaigns/${campaignId}/empty`);
      const deleted = await maker.request('DELETE', `/campaigns/${campaignId}`);

      expect(tags).toMatchObject({ status: 200, body: { tags: ['vip'] } });
      expect(profiles).toMatchObject({ status: 200, body: { profileIds: [profile.body.id] } });
      expect(defined).toMatchObject({ status: 200, body: { layouts } });
      expect(switchedOn).toMatchObject({ status: 200, body: { status: 'ON' } });
      expect(switchedOff).toMatchObject({ status: 200, body: { status: 'OFF' } });
      expect(copy.status).toBe(201);
      expect(emptied).toMatchObject({ status: 200, body: { removed: 0 } });
      expect(deleted.status).toBe(204);
      expect((await historyOf(campaignId)).map((event) => event.type)).toEqual([
        'CampaignCreated',
        'CampaignSettingsChanged',
        'CampaignProfilesAssigned',
        'TargetLayoutsDefined',
        'StatusToggled',
        'StatusToggled',
        'CampaignDeleted',
      ]);
    });
  });

  describe('queries on a catalog item before projection', () => {
    it('previews a template from its stream', async () => {
      const template = await maker.post('/templates', { name: 'Relance', body: 'Bonjour {{firstName}} <b>' });
      expect((await maker.get(`/templates/${String(template.body.id)}`)).status).toBe(404);

      const preview = await maker.post(`/templates/${String(template.body.id)}/preview`, { variables: { firstName: 'Léa' } });

      expect(preview).toMatchObject({ status: 200, body: { text: 'Bonjour Léa <b>', encoding: 'GSM-7', segments: 1 } });
    });

    it('finds the next open instant from its stream', async () => {
      const calendar = await maker.post('/calendars', {
        name: 'Bureau',
        timeZone: 'Europe/Paris',
        openingHours: [{ day: 'MON', from: '09:00', to: '18:00' }],
      });
      expect((await maker.get(`/calendars/${String(calendar.body.id)}`)).status).toBe(404);

      const next = await maker.get(`/calendars/${String(calendar.body.id)}/next-open?after=2026-12-05T12:00:00Z`);

      expect(next).toMatchObject({ status: 200, body: { at: '2026-12-07T08:00:00.000Z' } });
    });

    it('answers 404 for a template or calendar that was never created', async () => {
      const preview = await maker.post('/templates/nope/preview', { variables: {} });
      const next = await maker.get('/calendars/nope/next-open');

      expect(preview).toMatchObject({ status: 404, body: { code: 'TEMPLATE.NOT_FOUND' } });
      expect(next).toMatchObject({ status: 404, body: { code: 'CALENDAR.NOT_FOUND' } });
    });
  });
});
