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
        const response = await advisor.get<{ items: Array<{ id: string }> }>('/banner/campaigns');
        return response.body.items.length === 1 ? response.body.items : undefined;
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
      async () => ((await advisor.get<{ total: number }>('/banner/campaigns')).body.total === 2 ? true : undefined),
      10_000,
      'the watched campaign to join the Banner',
    );
  });

  it('shows nothing to an advisor without profiles', async () => {
    const advisor = await advisorOf([]);
    expect((await advisor.get('/banner/campaigns')).body).toEqual({ items: [], total: 0, page: 1, pageSize: 50 });
  });

  it('rejects a maker token on the Banner', async () => {
    const response = await embedded.maker.get('/banner/campaigns');

    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ statusCode: 403, code: 'AUTH.ROLE_REQUIRED' });
  });

  it('shares one status with the Maker both ways', async () => {
    const { maker } = embedded;
    const profile = await maker.post('/profiles', { name: 'Relances', manageCampaign: true });
    const campaign = await createCampaign(maker, { campaign: { name: 'Shared status' } });
    await maker.request('PUT', `/campaigns/${campaign}/profiles`, { body: { profileIds: [profile.body.id] } });
    const advisor = await advisorOf([String(profile.body.id)]);
    await bannerStatusWhen(advisor, campaign, 'OFF');

    const makerOn = await maker.post(`/campaigns/${campaign}/status`, { status: 'ON' });
    expect(makerOn.status).toBe(200);
    expect(await bannerStatusWhen(advisor, campaign, 'ON')).toMatchObject({ id: campaign, status: 'ON' });

    const bannerOff = await advisor.post(`/banner/campaigns/${campaign}/status`, { status: 'OFF' });
    expect(bannerOff).toMatchObject({ status: 200, body: { status: 'OFF', sessionId: makerOn.body.sessionId } });
    const makerView = await eventually(
      async () => {
        const response = await maker.get(`/campaigns/${campaign}`);
        return response.body.status === 'OFF' ? response.body : undefined;
      },
      10_000,
      'the Maker to show OFF',
    );
    expect(makerView).toMatchObject({ status: 'OFF', sessionId: makerOn.body.sessionId });
  });

  it('drops campaigns of a profile that stops managing', async () => {
    const { maker } = embedded;
    const profile = await maker.post('/profiles', { name: 'Temporaire', manageCampaign: true });
    const campaign = await createCampaign(maker, { campaign: { name: 'Withdrawn' } });
    await maker.request('PUT', `/campaigns/${campaign}/profiles`, { body: { profileIds: [profile.body.id] } });
    const advisor = await advisorOf([String(profile.body.id)]);
    await bannerStatusWhen(advisor, campaign, 'OFF');

    const changed = await maker.request('PATCH', `/profiles/${String(profile.body.id)}`, { body: { manageCampaign: false } });
    expect(changed).toMatchObject({ status: 200, body: { manageCampaign: false } });
    await eventually(
      async () => ((await advisor.get<{ total: number }>('/banner/campaigns')).body.total === 0 ? true : undefined),
      10_000,
      'the campaign to leave the Banner',
    );

    const toggle = await advisor.post(`/banner/campaigns/${campaign}/status`, { status: 'ON' });
    expect(toggle.status).toBe(403);
    expect(toggle.body).toMatchObject({ statusCode: 403, code: 'BANNER.NOT_ALLOWED', message: expect.stringContaining(campaign) });
    const events = await embedded.service.infrastructure.eventStore.readStream(`campaign-${campaign}`);
    expect(events.map((event) => event.type)).not.toContain('StatusToggled');
  });
});

/** Waits until the advisor's Banner lists the campaign with `status` and returns its entry. */
async function bannerStatusWhen(advisor: HttpClient, campaignId: string, status: 'ON' | 'OFF'): Promise<{ id: string; status: string }> {
  return eventually(
    async () => {
      const response = await advisor.get<{ items: Array<{ id: string; status: string }> }>('/banner/campaigns');
      return response.body.items.find((campaign) => campaign.id === campaignId && campaign.status === status);
    },
    10_000,
    `the Banner to show campaign ${campaignId} ${status}`,
  );
}
