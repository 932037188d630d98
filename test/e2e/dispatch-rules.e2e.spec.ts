import { countsWhen, createCampaign, EmbeddedService, startEmbeddedService } from '../support/embedded-service';
import { eventually } from '../support/http-client';

type TargetView = { status: string; phoneNumber: string };

/**
 * An `Etc/GMT` zone whose local hour is `localHour` now. IANA writes these zones with the sign
 * reversed: `Etc/GMT-3` is three hours ahead of UTC.
 */
function zoneAtLocalHour(localHour: number): string {
  let offset = (localHour - new Date().getUTCHours()) % 24;
  if (offset > 14) offset -= 24;
  if (offset < -12) offset += 24;
  if (offset === 0) return 'Etc/GMT';
  return offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

/** When a target is sent: its own time zone for the calendar, and the campaign's end date. */
describe('dispatch rules', () => {
  let embedded: EmbeddedService;

  beforeAll(async () => {
    embedded = await startEmbeddedService({ receiptDelayMs: 20 });
  });

  afterAll(async () => {
    await embedded?.stop();
  });

  it("reads the calendar in each target's own time zone, else in the calendar's", async () => {
    const { maker, simulator } = embedded;
    // Open 10:00-14:00 every day. It is about noon in openZone and about midnight in closedZone.
    const openZone = zoneAtLocalHour(12);
    const closedZone = zoneAtLocalHour(0);
    const calendar = await maker.post('/calendars', {
      name: 'Midi',
      timeZone: closedZone,
      openingHours: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'].map((day) => ({ day, from: '10:00', to: '14:00' })),
    });
    const campaignId = await createCampaign(maker, { body: 'Bonjour', campaign: { calendarId: calendar.body.id } });
    const open = await maker.post(`/campaigns/${campaignId}/targets`, { phoneNumber: '0612340001', timeZone: openZone });
    const closed = await maker.post(`/campaigns/${campaignId}/targets`, { phoneNumber: '0612340002', timeZone: closedZone });
    const calendarZone = await maker.post(`/campaigns/${campaignId}/targets`, { phoneNumber: '0612340003' });
    await countsWhen(maker, campaignId, (counts) => counts.pending === 3, 10_000, 'three pending targets');

    await maker.post(`/campaigns/${campaignId}/status`, { status: 'ON' });

    await countsWhen(maker, campaignId, (counts) => counts.delivered === 1, 15_000, 'the target in the open zone to be delivered');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const statuses = await Promise.all(
      [open, closed, calendarZone].map(async (added) => {
        const target = await maker.get<TargetView>(`/campaigns/${campaignId}/targets/${String(added.body.id)}`);
        return target.body.status;
      }),
    );
    expect(statuses).toEqual(['DELIVERED', 'PENDING', 'PENDING']);
    const sentTo = simulator.submits().map((submit) => submit.destination);
    expect(sentTo.filter((destination) => destination.endsWith('612340002') || destination.endsWith('612340003'))).toEqual([]);
  }, 60_000);

  it('expires the targets still pending at the end date, whether the campaign is ON or OFF', async () => {
    const { maker } = embedded;
    const endDate = new Date(Date.now() + 3_000).toISOString();
    const campaignId = await createCampaign(maker, { body: 'Bonjour', campaign: { endDate } });
    for (const phoneNumber of ['0612340011', '0612340012']) {
      await maker.post(`/campaigns/${campaignId}/targets`, { phoneNumber, startDate: '2030-01-07T09:00:00Z' });
    }
    await countsWhen(maker, campaignId, (counts) => counts.pending === 2, 10_000, 'two pending targets');

    const counts = await countsWhen(maker, campaignId, (current) => current.expired === 2, 20_000, 'the targets to expire');

    expect(counts).toMatchObject({ pending: 0, expired: 2 });
    const targets = await eventually(
      async () => {
        const page = await maker.get<{ items: TargetView[] }>(`/campaigns/${campaignId}/targets`);
        return page.body.items.every((target) => target.status === 'EXPIRED') ? page.body.items : undefined;
      },
      10_000,
      'the targets page',
    );
    expect(targets).toHaveLength(2);
  }, 60_000);
});
