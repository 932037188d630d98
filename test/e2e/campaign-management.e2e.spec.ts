import { signAccessToken } from '@sms/application';
import { countsWhen, createCampaign, EmbeddedService, startEmbeddedService } from '../support/embedded-service';
import { eventually, HttpClient, httpClient } from '../support/http-client';

type HistoryItem = { type: string; at: string; actor: { id: string; role: string }; data: Record<string, unknown> };

const LATER = '2030-01-07T09:00:00Z';
const GREETING = 'Bonjour {{firstName}} !';
const relance = { name: 'relance', fields: [{ key: 'firstName', label: 'Prénom', type: 'string' }] };
const payment = {
  name: 'paiement',
  fields: [
    { key: 'firstName', label: 'Prénom', type: 'string' },
    { key: 'amount', label: 'Montant', type: 'number' },
    { key: 'dueDate', label: 'Échéance', type: 'date' },
  ],
};

/** Target layouts, duplicate, empty, remove, history and state as of an instant, through HTTP. */
describe('campaign management', () => {
  let embedded: EmbeddedService;
  let maker: HttpClient;

  beforeAll(async () => {
    embedded = await startEmbeddedService();
    maker = embedded.maker;
  });

  afterAll(async () => {
    await embedded?.stop();
  });

  async function clientFor(claims: Parameters<typeof signAccessToken>[1]): Promise<HttpClient> {
    return httpClient(embedded.service.url ?? '', await signAccessToken(embedded.secret, claims));
  }

  async function addTarget(campaignId: string, body: Record<string, unknown>) {
    return maker.post(`/campaigns/${campaignId}/targets`, { startDate: LATER, ...body });
  }

  describe('target layouts', () => {
    it('defines layouts that hold the template placeholders and shows them on the campaign', async () => {
      const campaignId = await createCampaign(maker, { body: GREETING });

      const response = await maker.request('PUT', `/campaigns/${campaignId}/layouts`, { body: { layouts: [relance, payment] } });

      expect(response).toMatchObject({ status: 200, body: { id: campaignId, layouts: [relance, payment] } });
      expect(response.headers.get('etag')).toBe('"1"');
      const campaign = await eventually(
        async () => {
          const current = await maker.get<{ layouts: unknown[] }>(`/campaigns/${campaignId}`);
          return current.body.layouts.length === 2 ? current.body : undefined;
        },
        10_000,
        'the layouts on the campaign',
      );
      expect(campaign.layouts).toEqual([relance, payment]);
    });

    it('rejects a layout that lacks a placeholder of the template, naming the layout and the key', async () => {
      const campaignId = await createCampaign(maker, { body: GREETING });
      const layout = { name: 'court', fields: [{ key: 'city', label: 'Ville', type: 'string' }] };

      const response = await maker.request('PUT', `/campaigns/${campaignId}/layouts`, { body: { layouts: [relance, layout] } });

      expect(response).toMatchObject({
        status: 400,
        body: {
          code: 'CAMPAIGN.TEMPLATE_NOT_COVERED',
          details: [{ field: 'layouts[1].fields', value: ['firstName'], rule: expect.stringContaining("must define 'firstName'") }],
        },
      });
      expect((await maker.get<{ items: HistoryItem[] }>(`/campaigns/${campaignId}/history`)).body.items).toHaveLength(1);
    });

    it('rejects malformed layouts with the field and the rule', async () => {
      const campaignId = await createCampaign(maker, { body: GREETING });
      const badType = { name: 'x', fields: [{ key: 'firstName', label: 'Prénom', type: 'text' }] };
      const reserved = {
        name: 'x',
        fields: [
          { key: 'firstName', label: 'Prénom', type: 'string' },
          { key: 'priority', label: 'P', type: 'number' },
        ],
      };
      const twice = [relance, { ...relance, name: 'RELANCE' }];

      const responses = await Promise.all(
        [[badType], [reserved], twice, 'none'].map((layouts) =>
          maker.request('PUT', `/campaigns/${campaignId}/layouts`, { body: { layouts } }),
        ),
      );

      expect(responses.map((response) => response.status)).toEqual([400, 400, 400, 400]);
      expect(responses[0].body).toMatchObject({ details: [{ field: 'layouts[0].fields[0].type', value: 'text' }] });
      expect(responses[1].body).toMatchObject({
        code: 'CAMPAIGN.INVALID_LAYOUTS',
        details: [{ field: 'layouts[0].fields[1].key', value: 'priority' }],
      });
      expect(responses[2].body).toMatchObject({ details: [{ field: 'layouts[1].name', rule: expect.stringContaining('unique') }] });
    });

    it('answers 404 for an unknown campaign and 412 for a stale If-Match', async () => {
      const campaignId = await createCampaign(maker, { body: GREETING });

      const unknown = await maker.request('PUT', '/campaigns/nope/layouts', { body: { layouts: [relance] } });
      const stale = await maker.request('PUT', `/campaigns/${campaignId}/layouts`, {
        body: { layouts: [relance] },
        headers: { 'if-match': '"7"' },
      });

      expect(unknown).toMatchObject({ status: 404, body: { code: 'CAMPAIGN.NOT_FOUND' } });
      expect(stale.status).toBe(412);
    });

    it('refuses a new template whose placeholders a layout lacks', async () => {
      const campaignId = await createCampaign(maker, { body: GREETING });
      await maker.request('PUT', `/campaigns/${campaignId}/layouts`, { body: { layouts: [relance] } });
      const template = await maker.post('/templates', {
        name: 'Paiement',
        body: '{{firstName}}, réglez {{amount}} € avant le {{dueDate}}',
      });

      const response = await maker.request('PATCH', `/campaigns/${campaignId}`, { body: { templateId: template.body.id } });

      expect(response).toMatchObject({
        status: 400,
        body: {
          code: 'CAMPAIGN.TEMPLATE_NOT_COVERED',
          details: [{ field: 'templateId', rule: expect.stringContaining("'amount', 'dueDate'") }],
        },
      });
    });

    it('checks target layout values against the layouts and shows them on the target', async () => {
      const campaignId = await createCampaign(maker, { body: GREETING });
      await maker.request('PUT', `/campaigns/${campaignId}/layouts`, { body: { layouts: [relance, payment] } });
      const values = { firstName: 'Zoé', amount: 42.5, dueDate: '2026-12-31' };

      const added = await addTarget(campaignId, { phoneNumber: '0612345001', layout: { name: 'paiement', values } });
      const unknownLayout = await addTarget(campaignId, { phoneNumber: '0612345002', layout: { name: 'import', values: {} } });
      const wrongType = await addTarget(campaignId, {
        phoneNumber: '0612345003',
        layout: { name: 'paiement', values: { amount: 'beaucoup' } },
      });
      const unknownField = await addTarget(campaignId, { phoneNumber: '0612345004', layout: { name: 'relance', values: { amount: 3 } } });

      expect(added.status).toBe(201);
      expect(unknownLayout).toMatchObject({
        status: 400,
        body: { code: 'TARGET.INVALID_LAYOUT', details: [{ field: 'layout.name', value: 'import' }] },
      });
      expect(wrongType).toMatchObject({
        status: 400,
        body: { details: [{ field: 'layout.values.amount', rule: 'must be a finite number' }] },
      });
      const missing = await addTarget(campaignId, { phoneNumber: '0612345005', layout: { name: 'relance', values: { firstName: '' } } });
      const none = await addTarget(campaignId, { phoneNumber: '0612345006' });
      expect(missing).toMatchObject({
        status: 400,
        body: {
          code: 'TARGET.MISSING_VALUES',
          details: [{ field: 'layout.values.firstName', rule: expect.stringContaining('{{firstName}}') }],
        },
      });
      expect(none).toMatchObject({ status: 400, body: { code: 'TARGET.MISSING_VALUES', details: [{ field: 'layout' }] } });
      expect(unknownField).toMatchObject({
        status: 400,
        body: { details: [{ field: 'layout.values.amount', rule: "is not a field of layout 'relance'" }] },
      });
      const target = await eventually(
        async () => {
          const response = await maker.get(`/campaigns/${campaignId}/targets/${String(added.body.id)}`);
          return response.status === 200 ? response.body : undefined;
        },
        10_000,
        'the target',
      );
      expect(target.layout).toEqual({ name: 'paiement', values });
      await countsWhen(maker, campaignId, (counts) => counts.pending === 1, 10_000, 'one target only');
    });
  });

  describe('remove a target', () => {
    it('cancels a pending target once, then answers 409', async () => {
      const campaignId = await createCampaign(maker);
      const added = await addTarget(campaignId, { phoneNumber: '0612345010' });
      const targetId = String(added.body.id);

      const removed = await maker.post(`/campaigns/${campaignId}/targets/${targetId}/remove`);
      const again = await maker.post(`/campaigns/${campaignId}/targets/${targetId}/remove`);

      expect(removed).toMatchObject({ status: 200, body: { id: targetId, status: 'CANCELLED' } });
      expect(again).toMatchObject({ status: 409, body: { code: 'TARGET.NOT_PENDING', message: expect.stringContaining('CANCELLED') } });
      await countsWhen(maker, campaignId, (counts) => counts.cancelled === 1 && counts.pending === 0, 10_000, 'the target to be cancelled');
    });

    it('answers 404 for a target of another campaign and 412 for a stale If-Match', async () => {
      const campaignId = await createCampaign(maker);
      const otherId = await createCampaign(maker);
      const added = await addTarget(campaignId, { phoneNumber: '0612345011' });
      const targetId = String(added.body.id);

      const elsewhere = await maker.post(`/campaigns/${otherId}/targets/${targetId}/remove`);
      const unknown = await maker.post(`/campaigns/${campaignId}/targets/nope/remove`);
      const stale = await maker.post(`/campaigns/${campaignId}/targets/${targetId}/remove`, undefined, { headers: { 'if-match': '"3"' } });

      expect(elsewhere).toMatchObject({ status: 404, body: { code: 'TARGET.NOT_FOUND' } });
      expect(unknown).toMatchObject({ status: 404, body: { code: 'TARGET.NOT_FOUND' } });
      expect(stale.status).toBe(412);
      expect((await maker.post(`/campaigns/${campaignId}/targets/${targetId}/remove`)).status).toBe(200);
    });
  });

  describe('empty', () => {
    it('cancels every pending target once and records how many', async () => {
      const campaignId = await createCampaign(maker);
      for (const phoneNumber of ['0612345020', '0612345021', '0612345022']) {
        await addTarget(campaignId, { phoneNumber });
      }
      await countsWhen(maker, campaignId, (counts) => counts.pending === 3, 10_000, 'three pending targets');

      const first = await maker.post(`/campaigns/${campaignId}/empty`);
      const second = await maker.post(`/campaigns/${campaignId}/empty`);

      expect(first).toMatchObject({ status: 200, body: { removed: 3 } });
      expect(second).toMatchObject({ status: 200, body: { removed: 0 } });
      await countsWhen(maker, campaignId, (counts) => counts.cancelled === 3 && counts.pending === 0, 10_000, 'three cancelled targets');
      const history = await maker.get<{ items: HistoryItem[] }>(`/campaigns/${campaignId}/history`);
      expect(history.body.items.filter((item) => item.type === 'CampaignEmptied').map((item) => item.data)).toEqual([{ removed: 3 }]);
      expect((await maker.post('/campaigns/nope/empty')).status).toBe(404);
      const stale = await maker.post(`/campaigns/${campaignId}/empty`, undefined, { headers: { 'if-match': '"0"' } });
      expect(stale.status).toBe(412);
    });
  });

  describe('duplicate', () => {
    it('copies settings, layouts and profiles into an OFF campaign, and its targets when asked', async () => {
      const profile = await maker.post('/profiles', { name: 'Recouvrement', manageCampaign: true });
      const sourceId = await createCampaign(maker, {
        body: GREETING,
        campaign: { name: 'Relance décembre', tags: ['relance'], maxAttempts: 3 },
      });
      await maker.request('PUT', `/campaigns/${sourceId}/layouts`, { body: { layouts: [relance] } });
      await maker.request('PUT', `/campaigns/${sourceId}/profiles`, { body: { profileIds: [profile.body.id] } });
      await addTarget(sourceId, { phoneNumber: '0612345030', priority: 9, layout: { name: 'relance', values: { firstName: 'Zoé' } } });
      const leo = { name: 'relance', values: { firstName: 'Léo' } };
      await addTarget(sourceId, { phoneNumber: '0612345031', layout: leo });
      await addTarget(sourceId, { phoneNumber: '0612345031', insertIfDuplicate: true, layout: leo });
      await maker.post(`/campaigns/${sourceId}/status`, { status: 'ON' });
      await countsWhen(maker, sourceId, (counts) => counts.pending === 3, 10_000, 'three source targets');

      const withTargets = await maker.post(`/campaigns/${sourceId}/duplicate`, { withTargets: true, reference: 'REL-COPY' });
      const bare = await maker.post(`/campaigns/${sourceId}/duplicate`, { name: 'Relance janvier' });

      expect(withTargets).toMatchObject({ status: 201, body: { id: expect.any(String), importId: expect.any(String) } });
      expect(bare.status).toBe(201);
      expect(bare.body.importId).toBeUndefined();
      const copyImport = await eventually(
        async () => {
          const response = await maker.get(`/imports/${String(withTargets.body.importId)}`);
          return response.body.status === 'DONE' ? response.body : undefined;
        },
        20_000,
        'the target copy',
      );
      expect(copyImport).toMatchObject({ processed: 3, imported: 3, duplicates: 0, rejected: 0 });
      const copyId = String(withTargets.body.id);
      await countsWhen(maker, copyId, (counts) => counts.pending === 3, 10_000, 'three copied targets');
      const copy = (await maker.get(`/campaigns/${copyId}`)).body;
      expect(copy).toMatchObject({
        name: 'Relance décembre (copy)',
        reference: 'REL-COPY',
        status: 'OFF',
        sessionId: null,
        copiedFrom: sourceId,
        tags: ['relance'],
        maxAttempts: 3,
        layouts: [relance],
        profileIds: [profile.body.id],
      });
      const copiedTargets = (await maker.get<{ items: Array<{ phoneNumber: string; priority: number }> }>(`/campaigns/${copyId}/targets`))
        .body.items;
      expect(copiedTargets.map((target) => [target.phoneNumber, target.priority])).toEqual([
        ['+33612345030', 9],
        ['+33612345031', 5],
        ['+33612345031', 5],
      ]);
      await eventually(
        async () => ((await maker.get(`/campaigns/${String(bare.body.id)}`)).body.name === 'Relance janvier' ? true : undefined),
        10_000,
        'the bare copy',
      );
      expect((await maker.get(`/campaigns/${String(bare.body.id)}`)).body.counts).toMatchObject({ pending: 0 });
    });

    it('answers 404 for an unknown campaign and 400 for a bad body', async () => {
      const campaignId = await createCampaign(maker);

      expect((await maker.post('/campaigns/nope/duplicate', {})).status).toBe(404);
      expect(await maker.post(`/campaigns/${campaignId}/duplicate`, { withTargets: 'yes' })).toMatchObject({
        status: 400,
        body: { details: [{ field: 'withTargets' }] },
      });
    });
  });

  describe('history and state as of an instant', () => {
    it('shows Maker and Banner changes with their actors, and the status between two toggles', async () => {
      const profile = await maker.post('/profiles', { name: 'Plateau', manageCampaign: true });
      const campaignId = await createCampaign(maker, { campaign: { name: 'Audit' } });
      await maker.request('PUT', `/campaigns/${campaignId}/profiles`, { body: { profileIds: [profile.body.id] } });
      const first = await addTarget(campaignId, { phoneNumber: '0612345040' });
      await addTarget(campaignId, { phoneNumber: '0612345041' });
      const advisor = await clientFor({ sub: 'bob', roles: ['advisor'], profileIds: [String(profile.body.id)] });
      const auditor = await clientFor({ sub: 'carol', roles: ['auditor'] });

      await maker.post(`/campaigns/${campaignId}/status`, { status: 'ON' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await eventually(
        async () => ((await advisor.get<{ total: number }>('/banner/campaigns')).body.total === 1 ? true : undefined),
        10_000,
        'the Banner list',
      );
      expect((await advisor.post(`/banner/campaigns/${campaignId}/status`, { status: 'OFF' })).status).toBe(200);
      await maker.post(`/campaigns/${campaignId}/targets/${String(first.body.id)}/remove`);

      const history = (await auditor.get<{ items: HistoryItem[] }>(`/campaigns/${campaignId}/history`)).body.items;
      expect(history.map((item) => [item.type, item.actor.id, item.data.source])).toEqual([
        ['CampaignCreated', 'user:alice', undefined],
        ['CampaignProfilesAssigned', 'user:alice', undefined],
        ['StatusToggled', 'user:alice', 'MAKER'],
        ['StatusToggled', 'user:bob', 'BANNER'],
      ]);
      const [switchedOn, switchedOff] = history.filter((item) => item.type === 'StatusToggled').map((item) => Date.parse(item.at));
      const between = new Date((switchedOn + switchedOff) / 2).toISOString();

      await countsWhen(maker, campaignId, (counts) => counts.cancelled === 1, 10_000, 'the removal');
      const then = await auditor.get(`/campaigns/${campaignId}/as-of?at=${between}`);
      const now = await maker.get(`/campaigns/${campaignId}/as-of?at=${new Date().toISOString()}`);
      const before = await maker.get(`/campaigns/${campaignId}/as-of?at=2020-01-01T00:00:00Z`);

      expect(then).toMatchObject({
        status: 200,
        body: { id: campaignId, name: 'Audit', status: 'ON', at: between, counts: { pending: 2, cancelled: 0 } },
      });
      expect(now).toMatchObject({ status: 200, body: { status: 'OFF', counts: { pending: 1, cancelled: 1 } } });
      expect(before).toMatchObject({ status: 404, body: { code: 'CAMPAIGN.NOT_FOUND_AT' } });
      expect((await maker.get(`/campaigns/${campaignId}/as-of?at=yesterday`)).status).toBe(400);
      expect((await maker.get(`/campaigns/${campaignId}/as-of`)).status).toBe(400);
      expect((await advisor.get(`/campaigns/${campaignId}/as-of?at=${between}`)).status).toBe(403);
    });

    it('lists the profiles among the dependencies', async () => {
      const profile = await maker.post('/profiles', { name: 'Soir', manageCampaign: false });
      const campaignId = await createCampaign(maker);
      await maker.request('PUT', `/campaigns/${campaignId}/profiles`, { body: { profileIds: [profile.body.id] } });

      const dependencies = await eventually(
        async () => {
          const response = await maker.get<{ profiles: unknown[] }>(`/campaigns/${campaignId}/dependencies`);
          return response.body.profiles.length === 1 ? response.body : undefined;
        },
        10_000,
        'the profile among the dependencies',
      );

      expect(dependencies).toMatchObject({
        sender: { senderId: 'ACME' },
        profiles: [{ id: profile.body.id, name: 'Soir', manageCampaign: false }],
      });
    });
  });

  describe('input a new user tried', () => {
    it('rejects null for a setting that cannot be cleared and clears one that can', async () => {
      const campaignId = await createCampaign(maker, { campaign: { alias: 'old' } });

      const responses = await Promise.all(
        [{ tags: null }, { name: null }, { timeZone: null }, { maxAttempts: null }, { chatFlow: null }].map((body) =>
          maker.request('PATCH', `/campaigns/${campaignId}`, { body }),
        ),
      );
      const cleared = await maker.request('PATCH', `/campaigns/${campaignId}`, { body: { alias: null } });

      expect(responses.map((response) => response.status)).toEqual([400, 400, 400, 400, 400]);
      expect(responses[0].body).toMatchObject({
        details: [{ field: 'tags', value: null, rule: expect.stringContaining('must not be null') }],
      });
      expect(cleared).toMatchObject({ status: 200, body: { alias: null, tags: [] } });
    });

    it('keeps layouts that pending targets use and rejects object built-in keys', async () => {
      const campaignId = await createCampaign(maker, { body: GREETING });
      await maker.request('PUT', `/campaigns/${campaignId}/layouts`, { body: { layouts: [relance] } });
      await addTarget(campaignId, { phoneNumber: '0612345050', layout: { name: 'relance', values: { firstName: 'Zoé' } } });
      await countsWhen(maker, campaignId, (counts) => counts.pending === 1, 10_000, 'the target');
      const renamed = { ...relance, name: 'autre' };
      const builtIn = { name: 'x', fields: [...relance.fields, { key: 'constructor', label: 'C', type: 'string' }] };

      const dropped = await maker.request('PUT', `/campaigns/${campaignId}/layouts`, { body: { layouts: [renamed] } });
      const withBuiltIn = await maker.request('PUT', `/campaigns/${campaignId}/layouts`, { body: { layouts: [relance, builtIn] } });

      expect(dropped).toMatchObject({
        status: 409,
        body: { code: 'CAMPAIGN.LAYOUT_IN_USE', message: expect.stringContaining("'relance'") },
      });
      expect(withBuiltIn).toMatchObject({ status: 400, body: { details: [{ field: 'layouts[1].fields[1].key', value: 'constructor' }] } });
    });

    it('gives a target its revision as a strong ETag', async () => {
      const campaignId = await createCampaign(maker);
      const targetId = String((await addTarget(campaignId, { phoneNumber: '0612345051' })).body.id);

      const target = await eventually(
        async () => {
          const response = await maker.get(`/campaigns/${campaignId}/targets/${targetId}`);
          return response.status === 200 ? response : undefined;
        },
        10_000,
        'the target',
      );

      expect(target.headers.get('etag')).toBe('"0"');
    });

    it('checks If-Match on a Banner toggle and answers 404 for an unknown campaign', async () => {
      const profile = await maker.post('/profiles', { name: 'Nuit', manageCampaign: true });
      const campaignId = await createCampaign(maker);
      await maker.request('PUT', `/campaigns/${campaignId}/profiles`, { body: { profileIds: [profile.body.id] } });
      const advisor = await clientFor({ sub: 'dan', roles: ['advisor'], profileIds: [String(profile.body.id)] });
      await eventually(
        async () => ((await advisor.get<{ total: number }>('/banner/campaigns')).body.total === 1 ? true : undefined),
        10_000,
        'the Banner list',
      );

      const stale = await advisor.post(`/banner/campaigns/${campaignId}/status`, { status: 'ON' }, { headers: { 'if-match': '"0"' } });
      const unknown = await advisor.post('/banner/campaigns/nope/status', { status: 'ON' });

      expect(stale.status).toBe(412);
      expect(unknown).toMatchObject({ status: 404, body: { code: 'CAMPAIGN.NOT_FOUND' } });
    });

    it('answers 404 for the targets of a deleted campaign', async () => {
      const campaignId = await createCampaign(maker);
      await addTarget(campaignId, { phoneNumber: '0612345052' });
      await maker.request('DELETE', `/campaigns/${campaignId}`);

      const targets = await eventually(
        async () => {
          const response = await maker.get(`/campaigns/${campaignId}/targets`);
          return response.status === 404 ? response : undefined;
        },
        10_000,
        'the deletion',
      );

      expect(targets.body).toMatchObject({ code: 'CAMPAIGN.NOT_FOUND' });
    });

    it('rejects a preview variable that is not text or a number', async () => {
      const template = await maker.post('/templates', { name: 'T', body: 'Bonjour {{firstName}}' });

      const response = await maker.post(`/templates/${String(template.body.id)}/preview`, { variables: { firstName: { a: 1 } } });

      expect(response).toMatchObject({ status: 400, body: { details: [{ field: 'variables' }] } });
    });
  });
});
