import { RunningService, signAccessToken, startService } from '@sms/application';
import { SmscSimulator } from '@sms/sms-gateway';
import { eventually, HttpClient, httpClient } from '../support/http-client';
import { createTempDirectory, isolatedEnvironment, sampleWithoutStartDates } from '../support/test-environment';

/** The bundled sample on the embedded profile: import, switch ON, every target sent once over SMPP. */
describe('sample campaign on the embedded profile', () => {
  let service: RunningService;
  let simulator: SmscSimulator;
  let dataDir: { path: string; remove(): Promise<void> };
  let maker: HttpClient;

  beforeAll(async () => {
    simulator = new SmscSimulator({
      host: '127.0.0.1',
      port: 0,
      systemId: 'sample',
      password: 'secret',
      receiptDelayMs: 100,
      uppercaseMessageIds: true,
    });
    await simulator.start();
    dataDir = await createTempDirectory();
    const env: Record<string, string> = {
      ...isolatedEnvironment(),
      DATA_DIR: dataDir.path,
      PORT: '0',
      SMS_GATEWAY: 'smpp',
      SMPP_URL: `smpp://sample:secret@127.0.0.1:${simulator.port}`,
    };
    service = await startService(['projector', 'api', 'scheduler', 'sender'], env, 'embedded-sample');
    maker = httpClient(service.url ?? '', await signAccessToken(env.AUTH_JWT_SECRET, { sub: 'sample', roles: ['maker'] }));
  });

  afterAll(async () => {
    await service?.stop();
    await simulator?.close();
    await dataDir?.remove();
  });

  it('imports and sends the sample once', async () => {
    const sender = await maker.post('/senders', { name: 'Sample', senderId: 'SAMPLE' });
    const template = await maker.post('/templates', { name: 'T', body: 'Bonjour {{firstName}}, solde {{amount}} EUR' });
    const campaign = await maker.post('/campaigns', {
      name: 'Sample',
      reference: 'S-1',
      senderId: sender.body.id,
      templateId: template.body.id,
      refreshSeconds: 1,
    });
    const campaignId = String(campaign.body.id);

    const upload = await maker.post<{ importId: string }>(`/campaigns/${campaignId}/imports`, await sampleWithoutStartDates(), {
      contentType: 'text/csv',
    });
    expect(upload.status).toBe(202);
    const imported = await eventually(
      async () => {
        const response = await maker.get(`/imports/${upload.body.importId}`);
        return response.body.status === 'DONE' ? response.body : undefined;
      },
      60_000,
      'the import to finish',
    );
    expect(imported).toMatchObject({ processed: 10_000, imported: 9_890, duplicates: 100, rejected: 10 });
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

    const again = await maker.post<{ importId: string }>(`/campaigns/${campaignId}/imports`, await sampleWithoutStartDates(), {
      contentType: 'text/csv',
    });
    const reimported = await eventually(
      async () => {
        const response = await maker.get(`/imports/${again.body.importId}`);
        return response.body.status === 'DONE' ? response.body : undefined;
      },
      60_000,
      'the second import to finish',
    );
    expect(reimported).toMatchObject({ imported: 0, duplicates: 9_990, rejected: 10 });

    await maker.post(`/campaigns/${campaignId}/status`, { status: 'ON' });
    const counts = await eventually(
      async () => {
        const response = await maker.get<{ counts: Record<string, number> }>(`/campaigns/${campaignId}`);
        return response.body.counts.delivered === 9_890 ? response.body.counts : undefined;
      },
      120_000,
      'every target delivered',
    );
    expect(counts).toMatchObject({ pending: 0, inProgress: 0, sent: 0, failed: 0, unknown: 0, delivered: 9_890 });
    expect(simulator.stats()).toMatchObject({ accepted: 9_890, duplicateDestinations: 0 });
  }, 240_000);
});
