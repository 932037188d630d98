import { countsWhen, createCampaign, EmbeddedService, importCsv, startEmbeddedService } from '../support/embedded-service';
import { sampleWithoutStartDates } from '../support/test-environment';

/** The bundled sample on the embedded profile: import, switch ON, every target sent once over SMPP. */
describe('sample campaign on the embedded profile', () => {
  let embedded: EmbeddedService;

  beforeAll(async () => {
    embedded = await startEmbeddedService({ receiptDelayMs: 100, uppercaseMessageIds: true });
  });

  afterAll(async () => {
    await embedded?.stop();
  });

  it('imports and sends the sample once', async () => {
    const { maker, simulator } = embedded;
    const campaignId = await createCampaign(maker, { body: 'Bonjour {{firstName}}, solde {{amount}} EUR' });

    const imported = await importCsv(maker, campaignId, await sampleWithoutStartDates());
    expect(imported).toMatchObject({ status: 'DONE', processed: 10_000, imported: 9_890, duplicates: 100, rejected: 10 });
    expect(imported.errors).toEqual([
      { line: 15, value: '06 39', reason: "phoneNumber '06 39' is not a valid number for FR" },
      { line: 1012, value: 'abc', reason: expect.stringContaining("phoneNumber 'abc'") },
      {
        line: 2009,
        value: '+33 1 44 00 12 34',
        reason: "phoneNumber '+33 1 44 00 12 34' is a fixed line number, which cannot receive SMS",
      },
      { line: 3006, value: '', reason: 'phoneNumber is required' },
      { line: 4003, value: '0600010000000', reason: "phoneNumber '0600010000000' is not a valid number for FR" },
      { line: 5997, value: '06 39', reason: expect.any(String) },
      { line: 6994, value: 'abc', reason: expect.any(String) },
      { line: 7991, value: '+33 1 44 00 12 34', reason: expect.any(String) },
      { line: 8988, value: '', reason: expect.any(String) },
      { line: 9985, value: '0600010000000', reason: expect.any(String) },
    ]);

    const reimported = await importCsv(maker, campaignId, await sampleWithoutStartDates());
    expect(reimported).toMatchObject({ status: 'DONE', imported: 0, duplicates: 9_990, rejected: 10 });

    await maker.post(`/campaigns/${campaignId}/status`, { status: 'ON' });
    const counts = await countsWhen(maker, campaignId, (current) => current.delivered === 9_890, 120_000, 'every target delivered');
    expect(counts).toMatchObject({ pending: 0, inProgress: 0, sent: 0, failed: 0, unknown: 0, delivered: 9_890 });
    expect(simulator.stats()).toMatchObject({ accepted: 9_890, duplicateDestinations: 0 });
  }, 240_000);
});
