import { countsWhen, EmbeddedService, startEmbeddedService } from '../support/embedded-service';
import { HttpClient } from '../support/http-client';

/** Largest number of instants that fall within any window of `windowMs`. */
function busiestWindow(instants: readonly number[], windowMs: number): number {
  const sorted = [...instants].sort((a, b) => a - b);
  let busiest = 0;
  for (let start = 0, end = 0; start < sorted.length; start += 1) {
    while (end < sorted.length && sorted[end] - sorted[start] < windowMs) end += 1;
    busiest = Math.max(busiest, end - start);
  }
  return busiest;
}

async function campaignWithTargets(
  maker: HttpClient,
  senderId: string,
  count: number,
  firstNumber: number,
  settings: Record<string, unknown> = {},
) {
  const template = await maker.post('/templates', { name: 'T', body: 'Bonjour' });
  const campaign = await maker.post('/campaigns', {
    name: `Cadence ${firstNumber}`,
    reference: `CAD-${firstNumber}`,
    senderId,
    templateId: template.body.id,
    refreshSeconds: 1,
    ...settings,
  });
  const campaignId = String(campaign.body.id);
  for (let index = 0; index < count; index += 1) {
    await maker.post(`/campaigns/${campaignId}/targets`, { phoneNumber: `06${String(firstNumber + index).padStart(8, '0')}` });
  }
  await countsWhen(maker, campaignId, (counts) => counts.pending === count, 10_000, `${count} pending targets`);
  return campaignId;
}

/** Throughput caps per campaign and per sender, kept by send slots booked in the database. */
describe('throughput caps', () => {
  let embedded: EmbeddedService;

  beforeAll(async () => {
    embedded = await startEmbeddedService({ receiptDelayMs: 20 });
  });

  afterAll(async () => {
    await embedded?.stop();
  });

  it('shares a sender cap among its campaigns and lets two capped senders run in parallel', async () => {
    const { maker, simulator } = embedded;
    const slow = await maker.post('/senders', { name: 'Lent', senderId: 'LENT', throughputPerSecond: 2 });
    const other = await maker.post('/senders', { name: 'Autre', senderId: 'AUTRE', throughputPerSecond: 2 });
    expect(slow.body).toMatchObject({ throughputPerSecond: 2 });
    const first = await campaignWithTargets(maker, String(slow.body.id), 5, 12_000_000);
    const second = await campaignWithTargets(maker, String(slow.body.id), 5, 12_000_100);
    const parallel = await campaignWithTargets(maker, String(other.body.id), 5, 12_000_200);

    for (const campaignId of [first, second, parallel]) {
      await maker.post(`/campaigns/${campaignId}/status`, { status: 'ON' });
    }
    for (const campaignId of [first, second, parallel]) {
      await countsWhen(maker, campaignId, (counts) => counts.delivered === 5, 30_000, 'every target delivered');
    }

    const sentAt = (source: string) =>
      simulator
        .submits()
        .filter((submit) => submit.source === source)
        .map((submit) => submit.receivedAt.getTime());
    const slowTimes = sentAt('LENT');
    const otherTimes = sentAt('AUTRE');
    expect(slowTimes).toHaveLength(10);
    expect(busiestWindow(slowTimes, 1_000)).toBeLessThanOrEqual(3);
    expect(busiestWindow(slowTimes, 2_000)).toBeLessThanOrEqual(5);
    expect(Math.max(...slowTimes) - Math.min(...slowTimes)).toBeGreaterThanOrEqual(4_000);
    expect(busiestWindow(otherTimes, 1_000)).toBeLessThanOrEqual(3);
    // The other sender does not wait behind the first: its messages start before the first's end.
    expect(Math.min(...otherTimes)).toBeLessThan(Math.max(...slowTimes));
  }, 90_000);

  it('keeps a campaign under its own cap', async () => {
    const { maker, simulator } = embedded;
    const sender = await maker.post('/senders', { name: 'Libre', senderId: 'LIBRE' });
    const campaignId = await campaignWithTargets(maker, String(sender.body.id), 9, 12_000_300, { throughputPerSecond: 3 });

    await maker.post(`/campaigns/${campaignId}/status`, { status: 'ON' });
    await countsWhen(maker, campaignId, (counts) => counts.delivered === 9, 30_000, 'every target delivered');

    const times = simulator
      .submits()
      .filter((submit) => submit.source === 'LIBRE')
      .map((submit) => submit.receivedAt.getTime());
    expect(busiestWindow(times, 1_000)).toBeLessThanOrEqual(4);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(2_000);
  }, 60_000);
});
