import { signAccessToken } from '@sms/application';
import { createCampaign, EmbeddedService, startEmbeddedService } from '../support/embedded-service';
import { eventually, HttpClient, httpClient } from '../support/http-client';

/** Profiles, and the Banner where advisors switch only the campaigns their profiles allow. */
describe('profiles and the Banner', () => {
  let embedded: EmbeddedService;

  beforeAll(async () => {
    embedded = await startEmbeddedService();
  });

  afterAll(async () => {
    await embedded?.stop();
  });

  async function advisorOf(profileIds: string[]): Promise<HttpClient> {
    return httpClient(embedded.service.url ?? '', await signAccessToken(embedded.secret, { sub: 'bob', roles: ['advisor'], profileIds }));
  }

  it('shows and switches only the campaigns of profiles that allow it', async () => {
    const { maker } = embedded;
    const managing = await maker.post('/profiles', { name: 'Recouvrement', manageCampaign: true });
    const watching = await maker.post('/profiles', { name: 'Accueil', manageCampaign: false });
    expect(managing.status).toBe(201);
    const allowedCampaign = await createCampaign(maker, { campaign: { name: 'Allowed' } });
    const watchedCampaign = await createCampaign(maker, { campaign: { name: 'Watched' } });
    const otherCampaign = await createCampaign(maker, { campaign: { name: 'Other' } });
    expect(
      (await maker.request('PUT', `/campaigns/${allowedCampaign}/profiles`, { body: { profileIds: [managing.body.id] } })).status,
    ).toBe(200);
    await maker.request('PUT', `/campaigns/${watchedCampaign}/profiles`, { body: { profileIds: [watching.body.id] } });
    const unknown = await maker.request('PUT', `/campaigns/${otherCampaign}/profiles`, { body: { profileIds: ['nope'] } });
    expect(unknown).toMatchObject({
      status: 400,
      body: { code: 'CAMPAIGN.UNKNOWN_PROFILE', details: [{ field: 'profileIds[0]', value: 'nope' }] },
    });

    const advisor = await advisorOf([String(managing.body.id), String(watching.body.id)]);
    const listed = await eventually(
      async () => {
        const response = await advisor.get<Array<{ id: string }>>('/banner/campaigns');
        return response.body.length === 1 ? response.body : undefined;
      },
      10_000,
      'the Banner list',
    );
    expect(listed.map((campaign) => campaign.id)).toEqual([allowedCampaign]);

    const switched = await advisor.post(`/banner/campaigns/${allowedCampaign}/status`, { status: 'ON' });
    expect(switched).toMatchObject({ status: 200, body: { status: 'ON', sessionId: expect.any(String) } });
    const makerView = await eventually(
      async () => {
        const response = await maker.get(`/campaigns/${allowedCampaign}`);
        return response.body.status === 'ON' ? response.body : undefined;
      },
      10_000,
      'the Maker to show ON',
    );
    expect(makerView).toMatchObject({ sessionId: switched.body.sessionId, profileIds: [managing.body.id] });
    const history = await maker.get<{ items: Array<{ type: string; actor: unknown; data: Record<string, unknown> }> }>(
      `/campaigns/${allowedCampaign}/history`,
    );
    expect(history.body.items.at(-1)).toMatchObject({
      type: 'StatusToggled',
      actor: { id: 'user:bob', role: 'advisor' },
      data: { source: 'BANNER' },
    });

    for (const forbiddenCampaign of [watchedCampaign, otherCampaign]) {
      const response = await advisor.post(`/banner/campaigns/${forbiddenCampaign}/status`, { status: 'ON' });
      expect(response).toMatchObject({ status: 403, body: { code: 'BANNER.NOT_ALLOWED' } });
    }
    expect((await advisor.get('/campaigns')).status).toBe(403);

    await maker.request('PATCH', `/profiles/${String(watching.body.id)}`, { body: { manageCampaign: true } });
    await eventually(
      async () => ((await advisor.get<Array<{ id: string }>>('/banner/campaigns')).body.length === 2 ? true : undefined),
      10_000,
      'the watched campaign to join the Banner',
    );
  });

  it('shows nothing to an advisor without profiles', async () => {
    const advisor = await advisorOf([]);
    expect((await advisor.get('/banner/campaigns')).body).toEqual([]);
  });
});
