import { countsWhen, createCampaign, EmbeddedService, importCsv, startEmbeddedService } from '../support/embedded-service';
import { eventually } from '../support/http-client';

const WINDOW = 10;

/** The scheduler keeps a bounded number of attempts in flight, so OFF stops sending within that window. */
describe('dispatch window', () => {
  let embedded: EmbeddedService;

  beforeAll(async () => {
    embedded = await startEmbeddedService(
      { latencyMs: 20, receiptDelayMs: 50 },
      { SENDER_CONCURRENCY: '4', SCHEDULER_MAX_IN_FLIGHT: String(WINDOW) },
    );
  });

  afterAll(async () => {
    await embedded?.stop();
  });

  it('bounds attempts in flight and stops sending after OFF', async () => {
    const { maker, simulator } = embedded;
    const campaignId = await createCampaign(maker, { body: 'Bonjour' });
    const rows = Array.from({ length: 300 }, (_, index) => `06${String(20_000_000 + index)},,5,false`);
    await importCsv(maker, campaignId, ['phoneNumber,startDate,priority,insertIfDuplicate', ...rows].join('\n'));

    await maker.post(`/campaigns/${campaignId}/status`, { status: 'ON' });
    let maxInProgress = 0;
    await eventually(
      async () => {
        const { body } = await maker.get<{ counts: Record<string, number> }>(`/campaigns/${campaignId}`);
        maxInProgress = Math.max(maxInProgress, body.counts.inProgress);
        return simulator.stats().accepted >= 40 ? true : undefined;
      },
      30_000,
      '40 messages accepted',
    );
    await maker.post(`/campaigns/${campaignId}/status`, { status: 'OFF' });

    await countsWhen(maker, campaignId, (counts) => counts.inProgress === 0, 30_000, 'the attempts in flight to end');
    const afterDrain = simulator.stats().accepted;
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    expect(maxInProgress).toBeLessThanOrEqual(WINDOW);
    expect(simulator.stats().accepted).toBe(afterDrain);
    expect(afterDrain).toBeLessThanOrEqual(40 + WINDOW);
    const { body } = await maker.get<{ counts: Record<string, number> }>(`/campaigns/${campaignId}`);
    expect(body.counts.pending).toBe(300 - afterDrain);
  }, 90_000);
});
