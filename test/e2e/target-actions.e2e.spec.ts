import { countsWhen, createCampaign, EmbeddedService, startEmbeddedService } from '../support/embedded-service';
import { eventually, HttpClient } from '../support/http-client';

type TargetView = { id: string; phoneNumber: string | null; startDate: string | null; priority: number; status: string; layout: unknown };

/** Reschedule, duplicate, delete and calibrate, through HTTP on the embedded profile. */
describe('target actions', () => {
  let embedded: EmbeddedService;
  let maker: HttpClient;

  beforeAll(async () => {
    embedded = await startEmbeddedService();
    maker = embedded.maker;
  });

  afterAll(async () => {
    await embedded?.stop();
  });

  async function addTarget(campaignId: string, body: Record<string, unknown>): Promise<string> {
    const response = await maker.post(`/campaigns/${campaignId}/targets`, { startDate: '2030-01-07T09:00', ...body });
    if (response.status !== 201) throw new Error(`target add returned ${response.status}: ${JSON.stringify(response.body)}`);
    return String(response.body.id);
  }

  function targetWhen(campaignId: string, targetId: string, probe: (target: TargetView) => boolean, what: string): Promise<TargetView> {
    return eventually(
      async () => {
        const response = await maker.get<TargetView>(`/campaigns/${campaignId}/targets/${targetId}`);
        return response.status === 200 && probe(response.body) ? response.body : undefined;
      },
      10_000,
      what,
    );
  }

  describe('reschedule', () => {
    it("reads a local start date in the campaign's time zone", async () => {
      const campaignId = await createCampaign(maker);
      const targetId = await addTarget(campaignId, { phoneNumber: '0612345101' });

      const response = await maker.post(`/campaigns/${campaignId}/targets/${targetId}/reschedule`, { startDate: '2026-12-07T09:00' });

      expect(response).toMatchObject({ status: 200, body: { id: targetId, status: 'PENDING' } });
      expect(response.headers.get('etag')).toBe('"1"');
      await targetWhen(campaignId, targetId, (target) => target.startDate === '2026-12-07T08:00:00.000Z', 'the new start date');
    });

    it('answers 409 for a target that is no longer pending, 400 for a bad date and 404 for an unknown target', async () => {
      const campaignId = await createCampaign(maker);
      const targetId = await addTarget(campaignId, { phoneNumber: '0612345102' });
      await maker.post(`/campaigns/${campaignId}/targets/${targetId}/remove`);

      const cancelled = await maker.post(`/campaigns/${campaignId}/targets/${targetId}/reschedule`, { startDate: '2026-12-07T09:00' });
      const badDate = await maker.post(`/campaigns/${campaignId}/targets/${targetId}/reschedule`, { startDate: '07/12/2026' });
      const unknown = await maker.post(`/campaigns/${campaignId}/targets/nope/reschedule`, { startDate: '2026-12-07T09:00' });

      expect(cancelled).toMatchObject({ status: 409, body: { code: 'TARGET.NOT_PENDING' } });
      expect(badDate).toMatchObject({ status: 400, body: { details: [{ field: 'startDate', value: '07/12/2026' }] } });
      expect(unknown).toMatchObject({ status: 404, body: { code: 'TARGET.NOT_FOUND' } });
    });
  });

  describe('duplicate', () => {
    it('adds a new pending target with the same number, priority and layout values', async () => {
      const campaignId = await createCampaign(maker);
      const layout = { name: 'crm', values: { firstName: 'Zoé' } };
      const targetId = await addTarget(campaignId, { phoneNumber: '0612345103', priority: 8, layout });

      const response = await maker.post(`/campaigns/${campaignId}/targets/${targetId}/duplicate`);

      expect(response).toMatchObject({ status: 201, body: { id: expect.any(String), status: 'PENDING', duplicateOf: targetId } });
      expect(response.body.id).not.toBe(targetId);
      const copy = await targetWhen(campaignId, String(response.body.id), () => true, 'the copy');
      expect(copy).toMatchObject({
        phoneNumber: '+33612345103',
        priority: 8,
        startDate: '2030-01-07T08:00:00.000Z',
        layout,
        status: 'PENDING',
      });
      expect((await maker.post(`/campaigns/${campaignId}/targets/nope/duplicate`)).status).toBe(404);
    });
  });

  describe('delete', () => {
    it('erases the number and layout values, cancels the target and keeps it listed', async () => {
      const campaignId = await createCampaign(maker);
      const targetId = await addTarget(campaignId, { phoneNumber: '0612345104', layout: { name: 'crm', values: { firstName: 'Zoé' } } });

      const response = await maker.request('DELETE', `/campaigns/${campaignId}/targets/${targetId}`);

      expect(response.status).toBe(204);
      const erased = await targetWhen(campaignId, targetId, (target) => target.phoneNumber === null, 'the erasure');
      expect(erased).toMatchObject({ status: 'CANCELLED', layout: null });
      const listed = await maker.get<{ items: TargetView[] }>(`/campaigns/${campaignId}/targets`);
      expect(listed.body.items.map((target) => [target.id, target.phoneNumber])).toEqual([[targetId, null]]);
      expect((await maker.request('DELETE', `/campaigns/${campaignId}/targets/${targetId}`)).status).toBe(204);
      expect(await maker.post(`/campaigns/${campaignId}/targets/${targetId}/duplicate`)).toMatchObject({
        status: 409,
        body: { code: 'TARGET.ERASED' },
      });
      expect((await maker.request('DELETE', `/campaigns/${campaignId}/targets/nope`)).status).toBe(404);
    });
  });

  describe('calibrate', () => {
    it("spreads pending targets over the calendar's open time in dispatch order", async () => {
      const calendar = await maker.post('/calendars', {
        name: 'Bureau',
        timeZone: 'Europe/Paris',
        openingHours: ['MON', 'TUE', 'WED', 'THU', 'FRI'].map((day) => ({ day, from: '09:00', to: '17:00' })),
      });
      const campaignId = await createCampaign(maker, { campaign: { calendarId: calendar.body.id } });
      const low = await addTarget(campaignId, { phoneNumber: '0612345110', priority: 1, startDate: '2030-01-01T09:00' });
      const laterNormal = await addTarget(campaignId, { phoneNumber: '0612345111', priority: 5, startDate: '2030-01-03T09:00' });
      const high = await addTarget(campaignId, { phoneNumber: '0612345112', priority: 9, startDate: '2030-01-09T09:00' });
      const earlierNormal = await addTarget(campaignId, { phoneNumber: '0612345113', priority: 5, startDate: '2030-01-02T09:00' });
      const removed = await addTarget(campaignId, { phoneNumber: '0612345114', priority: 10 });
      await maker.post(`/campaigns/${campaignId}/targets/${removed}/remove`);
      await countsWhen(maker, campaignId, (counts) => counts.pending === 4 && counts.cancelled === 1, 10_000, 'four pending targets');

      // Monday 6 January 2031 09:00 to Tuesday 17:00 in Paris: 16 open hours, one target every 4 hours.
      const response = await maker.post(`/campaigns/${campaignId}/targets/calibrate`, { from: '2031-01-06T08:00', to: '2031-01-07T20:00' });

      expect(response).toMatchObject({ status: 200, body: { rescheduled: 4 } });
      const expected: Array<[string, string]> = [
        [high, '2031-01-06T08:00:00.000Z'],
        [earlierNormal, '2031-01-06T12:00:00.000Z'],
        [laterNormal, '2031-01-07T08:00:00.000Z'],
        [low, '2031-01-07T12:00:00.000Z'],
      ];
      for (const [targetId, startDate] of expected) {
        await targetWhen(campaignId, targetId, (target) => target.startDate === startDate, `target ${targetId} at ${startDate}`);
      }
      const untouched = await maker.get<TargetView>(`/campaigns/${campaignId}/targets/${removed}`);
      expect(untouched.body).toMatchObject({ status: 'CANCELLED', startDate: '2030-01-07T08:00:00.000Z' });
    });

    it('rejects a range that ends before it starts or in which the calendar never opens', async () => {
      const calendar = await maker.post('/calendars', {
        name: 'Semaine',
        timeZone: 'Europe/Paris',
        openingHours: [{ day: 'MON', from: '09:00', to: '17:00' }],
      });
      const campaignId = await createCampaign(maker, { campaign: { calendarId: calendar.body.id } });
      await addTarget(campaignId, { phoneNumber: '0612345120' });
      await countsWhen(maker, campaignId, (counts) => counts.pending === 1, 10_000, 'one pending target');

      const backwards = await maker.post(`/campaigns/${campaignId}/targets/calibrate`, {
        from: '2031-01-07T08:00',
        to: '2031-01-06T08:00',
      });
      const closed = await maker.post(`/campaigns/${campaignId}/targets/calibrate`, { from: '2031-01-07T08:00', to: '2031-01-10T20:00' });
      const missing = await maker.post(`/campaigns/${campaignId}/targets/calibrate`, { from: '2031-01-07T08:00' });

      expect(backwards).toMatchObject({ status: 400, body: { code: 'TARGET.INVALID_CALIBRATION', details: [{ field: 'to' }] } });
      expect(closed).toMatchObject({ status: 400, body: { code: 'TARGET.INVALID_CALIBRATION', details: [{ field: 'from' }] } });
      expect(missing).toMatchObject({ status: 400, body: { details: [{ field: 'to' }] } });
      expect((await maker.post('/campaigns/nope/targets/calibrate', { from: '2031-01-06T08:00', to: '2031-01-07T20:00' })).status).toBe(
        404,
      );
    });

    it('rejects a range that ends in the past', async () => {
      const campaignId = await createCampaign(maker);
      const targetId = await addTarget(campaignId, { phoneNumber: '0612345130', startDate: '2030-01-07T09:00' });
      await countsWhen(maker, campaignId, (counts) => counts.pending === 1, 10_000, 'one pending target');

      const response = await maker.post(`/campaigns/${campaignId}/targets/calibrate`, { from: '2020-12-08T00:00', to: '2020-12-09T00:00' });

      expect(response).toMatchObject({
        status: 400,
        body: {
          code: 'TARGET.INVALID_CALIBRATION',
          details: [{ field: 'to', value: '2020-12-09T00:00', rule: expect.stringContaining('must be after the current time') }],
        },
      });
      expect(response.body.message).toContain("to '2020-12-09T00:00' must be after the current time");
      const target = await maker.get<TargetView>(`/campaigns/${campaignId}/targets/${targetId}`);
      expect(target.body.startDate).toBe('2030-01-07T08:00:00.000Z');
    });
  });

  describe('add with layout values named like object properties', () => {
    it.each(['toString', 'constructor', 'hasOwnProperty'])('answers 400 for %s on a campaign with layouts', async (key) => {
      const campaignId = await createCampaign(maker);
      const layout = { name: 'relance', fields: [{ key: 'firstName', label: 'Prénom', type: 'string' }] };
      await maker.request('PUT', `/campaigns/${campaignId}/layouts`, { body: { layouts: [layout] } });

      const response = await maker.post(`/campaigns/${campaignId}/targets`, {
        phoneNumber: '0612345180',
        layout: { name: 'relance', values: { firstName: 'a', [key]: 'x' } },
      });

      expect(response).toMatchObject({ status: 400, body: { details: [{ field: `layout.values.${key}` }] } });
    });

    it.each(['toString', 'constructor'])('answers 400 for %s on a campaign without layouts', async (key) => {
      const campaignId = await createCampaign(maker);

      const response = await maker.post(`/campaigns/${campaignId}/targets`, {
        phoneNumber: '0612345181',
        layout: { name: 'import', values: { firstName: 'a', [key]: 'x' } },
      });

      expect(response).toMatchObject({ status: 400, body: { details: [{ field: `layout.values.${key}` }] } });
    });
  });
});
