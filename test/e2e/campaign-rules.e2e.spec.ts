import { signAccessToken } from '@sms/application';
import { countsWhen, createCampaign, EmbeddedService, importCsv, startEmbeddedService } from '../support/embedded-service';
import { eventually, HttpClient, httpClient } from '../support/http-client';

type HistoryItem = { type: string; data: Record<string, unknown> };

const LATER = '2030-01-07T09:00:00Z';
const PAYMENT_BODY = 'Bonjour {{firstName}}, montant {{amount}}';

/**
 * Rules that a Maker call checks when it is made, not when a target is sent. They cover a new
 * template against the pending targets, the length of the message that a target's values render,
 * and the If-Match revision before any other rule. The Banner list's paging is checked too.
 */
describe('campaign rules', () => {
  let embedded: EmbeddedService;
  let maker: HttpClient;

  beforeAll(async () => {
    embedded = await startEmbeddedService();
    maker = embedded.maker;
  });

  afterAll(async () => {
    await embedded?.stop();
  });

  async function createTemplate(body: string): Promise<string> {
    const template = await maker.post('/templates', { name: 'Paiement', body });
    expect(template.status).toBe(201);
    return String(template.body.id);
  }

  async function addTarget(campaignId: string, body: Record<string, unknown>) {
    return maker.post(`/campaigns/${campaignId}/targets`, { startDate: LATER, ...body });
  }

  async function historyTypes(campaignId: string): Promise<string[]> {
    const history = await maker.get<{ items: HistoryItem[] }>(`/campaigns/${campaignId}/history`);
    return history.body.items.map((item) => item.type);
  }

  function pendingIs(campaignId: string, pending: number): Promise<Record<string, number>> {
    return countsWhen(maker, campaignId, (counts) => counts.pending === pending, 10_000, `${pending} pending targets`);
  }

  describe('a new template', () => {
    it('gets 409 while a pending target has no value for its added placeholders', async () => {
      const campaignId = await createCampaign(maker);
      const target = await addTarget(campaignId, { phoneNumber: '0612000001' });
      expect(target.status).toBe(201);
      await pendingIs(campaignId, 1);
      const templateId = await createTemplate(PAYMENT_BODY);

      const rejected = await maker.request('PATCH', `/campaigns/${campaignId}`, { body: { templateId } });

      expect(rejected.status).toBe(409);
      expect(rejected.body).toMatchObject({
        code: 'CAMPAIGN.TARGET_VALUES_MISSING',
        details: [{ field: 'templateId', value: templateId }],
      });
      expect(rejected.body.message).toContain(`templateId '${templateId}'`);
      expect(rejected.body.message).toContain('{{firstName}} (1 target), {{amount}} (1 target)');
      expect(await historyTypes(campaignId)).not.toContain('CampaignSettingsChanged');

      const removed = await maker.post(`/campaigns/${campaignId}/targets/${String(target.body.id)}/remove`);
      expect(removed.status).toBe(200);
      await pendingIs(campaignId, 0);
      const accepted = await maker.request('PATCH', `/campaigns/${campaignId}`, { body: { templateId } });
      expect(accepted).toMatchObject({ status: 200, body: { templateId } });
    });

    it('is accepted when every pending target has the values', async () => {
      const campaignId = await createCampaign(maker);
      const target = await addTarget(campaignId, {
        phoneNumber: '0612000002',
        layout: { name: 'libre', values: { firstName: 'Ana', amount: 12.5 } },
      });
      expect(target.status).toBe(201);
      await pendingIs(campaignId, 1);
      const templateId = await createTemplate(PAYMENT_BODY);

      const response = await maker.request('PATCH', `/campaigns/${campaignId}`, { body: { templateId } });

      expect(response).toMatchObject({ status: 200, body: { templateId } });
    });

    it('gets 409 for an empty layout value', async () => {
      const campaignId = await createCampaign(maker, { body: 'Bonjour {{firstName}}' });
      const layout = {
        name: 'paiement',
        fields: [
          { key: 'firstName', label: 'Prénom', type: 'string' },
          { key: 'amount', label: 'Montant', type: 'number' },
        ],
      };
      expect((await maker.request('PUT', `/campaigns/${campaignId}/layouts`, { body: { layouts: [layout] } })).status).toBe(200);
      const target = await addTarget(campaignId, {
        phoneNumber: '0612000003',
        layout: { name: 'paiement', values: { firstName: 'Ana', amount: null } },
      });
      expect(target.status).toBe(201);
      await pendingIs(campaignId, 1);
      const templateId = await createTemplate(PAYMENT_BODY);

      const response = await maker.request('PATCH', `/campaigns/${campaignId}`, { body: { templateId } });

      expect(response).toMatchObject({ status: 409, body: { code: 'CAMPAIGN.TARGET_VALUES_MISSING' } });
      expect(response.body.message).toContain('{{amount}} (1 target)');
      expect(response.body.message).not.toContain('{{firstName}}');
    });

    it('gets 400 when a layout lacks a placeholder', async () => {
      const campaignId = await createCampaign(maker, { body: 'Bonjour {{firstName}}' });
      const layout = { name: 'relance', fields: [{ key: 'firstName', label: 'Prénom', type: 'string' }] };
      await maker.request('PUT', `/campaigns/${campaignId}/layouts`, { body: { layouts: [layout] } });
      const templateId = await createTemplate(PAYMENT_BODY);

      const response = await maker.request('PATCH', `/campaigns/${campaignId}`, { body: { templateId } });

      expect(response).toMatchObject({
        status: 400,
        body: {
          code: 'CAMPAIGN.TEMPLATE_NOT_COVERED',
          details: [{ field: 'templateId', value: templateId, rule: expect.stringContaining("'amount'") }],
        },
      });
    });
  });

  describe('a message longer than 255 segments', () => {
    it('is rejected when the target is added, as the preview counts it', async () => {
      const campaignId = await createCampaign(maker, { body: '{{x}}' });
      const campaign = await maker.get<{ templateId: string }>(`/campaigns/${campaignId}`);
      const value = 'a'.repeat(80_000);

      const preview = await maker.post(`/templates/${campaign.body.templateId}/preview`, { variables: { x: value } });
      const response = await addTarget(campaignId, { phoneNumber: '0612000004', layout: { name: 'libre', values: { x: value } } });

      expect(preview.body).toMatchObject({ encoding: 'GSM-7', segments: 523 });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'TARGET.MESSAGE_TOO_LONG', details: [{ field: 'layout.values.x' }] });
      expect(response.body.message).toContain('523 segments long (GSM-7), over the maximum of 255 segments');
    });

    it('accepts exactly 255 segments', async () => {
      const campaignId = await createCampaign(maker, { body: '{{x}}' });

      const response = await addTarget(campaignId, {
        phoneNumber: '0612000005',
        layout: { name: 'libre', values: { x: 'a'.repeat(255 * 153) } },
      });

      expect(response.status).toBe(201);
    });

    it('rejects the import row with its line and keeps the others', async () => {
      const campaignId = await createCampaign(maker, { body: 'Bonjour {{x}}' });
      // "Bonjour " and 20,000 Cyrillic letters: 20,008 UCS-2 units, 299 segments of 67.
      const csv = ['phoneNumber,x', '0612000006,Ana', `0612000007,${'ж'.repeat(20_000)}`, '0612000008,Léa', ''].join('\n');

      const result = await importCsv(maker, campaignId, csv);

      expect(result).toMatchObject({ status: 'DONE', processed: 3, imported: 2, rejected: 1 });
      expect(result.errors).toEqual([
        {
          line: 3,
          value: '+33612000007',
          reason: expect.stringContaining('x makes the message of template'),
        },
      ]);
      expect((result.errors as Array<{ reason: string }>)[0].reason).toContain('299 segments long (UCS-2)');
    });
  });

  describe('a stale If-Match', () => {
    it('gets 412 before the layout in use check', async () => {
      const campaignId = await createCampaign(maker, { body: 'Bonjour {{firstName}}' });
      const relance = { name: 'relance', fields: [{ key: 'firstName', label: 'Prénom', type: 'string' }] };
      await maker.request('PUT', `/campaigns/${campaignId}/layouts`, { body: { layouts: [relance] } });
      await addTarget(campaignId, { phoneNumber: '0612000009', layout: { name: 'relance', values: { firstName: 'Ana' } } });
      await pendingIs(campaignId, 1);

      const stale = await maker.request('PUT', `/campaigns/${campaignId}/layouts`, {
        body: { layouts: [] },
        headers: { 'if-match': '"99"' },
      });
      const current = await maker.request('PUT', `/campaigns/${campaignId}/layouts`, {
        body: { layouts: [] },
        headers: { 'if-match': '"1"' },
      });

      expect(stale).toMatchObject({ status: 412, body: { code: 'REQUEST.REVISION_MISMATCH' } });
      expect(current).toMatchObject({ status: 409, body: { code: 'CAMPAIGN.LAYOUT_IN_USE' } });
    });

    it('gets 412 before an unknown sender or profile', async () => {
      const campaignId = await createCampaign(maker);

      const staleSender = await maker.request('PATCH', `/campaigns/${campaignId}`, {
        body: { senderId: 'nope' },
        headers: { 'if-match': '"99"' },
      });
      const staleProfile = await maker.request('PUT', `/campaigns/${campaignId}/profiles`, {
        body: { profileIds: ['nope'] },
        headers: { 'if-match': '"99"' },
      });
      const currentSender = await maker.request('PATCH', `/campaigns/${campaignId}`, {
        body: { senderId: 'nope' },
        headers: { 'if-match': '"0"' },
      });

      expect(staleSender).toMatchObject({ status: 412, body: { code: 'REQUEST.REVISION_MISMATCH' } });
      expect(staleProfile).toMatchObject({ status: 412, body: { code: 'REQUEST.REVISION_MISMATCH' } });
      expect(currentSender).toMatchObject({ status: 400, body: { code: 'CAMPAIGN.UNKNOWN_SENDER' } });
    });

    it('gets 412 before a new template that pending targets cannot fill', async () => {
      const campaignId = await createCampaign(maker);
      await addTarget(campaignId, { phoneNumber: '0612000010' });
      await pendingIs(campaignId, 1);
      const templateId = await createTemplate(PAYMENT_BODY);

      const response = await maker.request('PATCH', `/campaigns/${campaignId}`, { body: { templateId }, headers: { 'if-match': '"99"' } });

      expect(response.status).toBe(412);
    });

    it('leaves an unknown campaign a 404', async () => {
      const response = await maker.request('PATCH', '/campaigns/no-such-campaign', {
        body: { senderId: 'nope' },
        headers: { 'if-match': '"3"' },
      });

      expect(response).toMatchObject({ status: 404, body: { code: 'CAMPAIGN.NOT_FOUND' } });
    });
  });

  describe('the Banner list', () => {
    it('returns pages with their total, ordered by name', async () => {
      const profile = await maker.post('/profiles', { name: 'Pages', manageCampaign: true });
      const names = ['Banner C', 'Banner A', 'Banner B'];
      const ids: string[] = [];
      for (const name of names) {
        const campaignId = await createCampaign(maker, { campaign: { name } });
        await maker.request('PUT', `/campaigns/${campaignId}/profiles`, { body: { profileIds: [profile.body.id] } });
        ids.push(campaignId);
      }
      const advisor = httpClient(
        embedded.service.url ?? '',
        await signAccessToken(embedded.secret, { sub: 'bob', roles: ['advisor'], profileIds: [String(profile.body.id)] }),
      );
      await eventually(
        async () => ((await advisor.get<{ total: number }>('/banner/campaigns')).body.total === 3 ? true : undefined),
        10_000,
        'three campaigns on the Banner',
      );

      const first = await advisor.get<{ items: Array<{ name: string }> }>('/banner/campaigns?page=1&pageSize=2');
      const second = await advisor.get<{ items: Array<{ name: string }> }>('/banner/campaigns?page=2&pageSize=2');

      expect(first.body).toMatchObject({ total: 3, page: 1, pageSize: 2 });
      expect(first.body.items.map((campaign) => campaign.name)).toEqual(['Banner A', 'Banner B']);
      expect(second.body).toMatchObject({ total: 3, page: 2, pageSize: 2 });
      expect(second.body.items.map((campaign) => campaign.name)).toEqual(['Banner C']);
    });

    it('rejects an unknown query parameter and a page size over 500', async () => {
      const advisor = httpClient(
        embedded.service.url ?? '',
        await signAccessToken(embedded.secret, { sub: 'bob', roles: ['advisor'], profileIds: [] }),
      );

      const search = await advisor.get('/banner/campaigns?search=ban');
      const tooLarge = await advisor.get('/banner/campaigns?pageSize=501');

      expect(search).toMatchObject({ status: 400, body: { message: expect.stringContaining('search') } });
      expect(tooLarge).toMatchObject({ status: 400, body: { details: [expect.objectContaining({ field: 'pageSize' })] } });
    });
  });
});
