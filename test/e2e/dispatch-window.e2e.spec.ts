import { RunningService, signAccessToken, startService } from '@sms/application';
import { SmscSimulator } from '@sms/sms-gateway';
import { eventually, HttpClient, httpClient } from '../support/http-client';
import { createTempDirectory, isolatedEnvironment } from '../support/test-environment';

const WINDOW = 10;

/** The scheduler keeps a bounded number of attempts in flight, so OFF stops sending within that window. */
describe('dispatch window', () => {
  let service: RunningService;
  let simulator: SmscSimulator;
  let dataDir: { path: string; remove(): Promise<void> };
  let maker: HttpClient;

  beforeAll(async () => {
    simulator = new SmscSimulator({
      host: '127.0.0.1',
      port: 0,
      systemId: 'window',
      password: 'secret',
      latencyMs: 20,
      receiptDelayMs: 50,
    });
    await simulator.start();
    dataDir = await createTempDirectory();
    const env: Record<string, string> = {
      ...isolatedEnvironment(),
      DATA_DIR: dataDir.path,
      PORT: '0',
      SMS_GATEWAY: 'smpp',
      SMPP_URL: `smpp://window:secret@127.0.0.1:${simulator.port}`,
      SENDER_CONCURRENCY: '4',
      SCHEDULER_MAX_IN_FLIGHT: String(WINDOW),
    };
    service = await startService(['projector', 'api', 'scheduler', 'sender'], env, 'dispatch-window');
    maker = httpClient(service.url ?? '', await signAccessToken(env.AUTH_JWT_SECRET, { sub: 'window', roles: ['maker'] }));
  });

  afterAll(async () => {
    await service?.stop();
    await simulator?.close();
    await dataDir?.remove();
  });

  it('bounds attempts in flight and stops sending after OFF', async () => {
    const sender = await maker.post('/senders', { name: 'W', senderId: 'WINDOW' });
    const template = await maker.post('/templates', { name: 'W', body: 'Bonjour' });
    const campaign = await maker.post('/campaigns', {
      name: 'W',
      reference: 'W-1',
      senderId: sender.body.id,
      templateId: template.body.id,
      refreshSeconds: 1,
    });
    const campaignId = String(campaign.body.id);
    const rows = Array.from({ length: 300 }, (_, index) => `06${String(20_000_000 + index)},,5,false`);
    const upload = await maker.post<{ importId: string }>(
      `/campaigns/${campaignId}/imports`,
      ['phoneNumber,startDate,priority,insertIfDuplicate', ...rows].join('\n'),
      {
        contentType: 'text/csv',
      },
    );
    await eventually(
      async () => ((await maker.get(`/imports/${upload.body.importId}`)).body.status === 'DONE' ? true : undefined),
      30_000,
      'import',
    );

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

    await eventually(
      async () =>
        (await maker.get<{ counts: Record<string, number> }>(`/campaigns/${campaignId}`)).body.counts.inProgress === 0 ? true : undefined,
      30_000,
      'the attempts in flight to end',
    );
    const afterDrain = simulator.stats().accepted;
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    expect(maxInProgress).toBeLessThanOrEqual(WINDOW);
    expect(simulator.stats().accepted).toBe(afterDrain);
    expect(afterDrain).toBeLessThanOrEqual(40 + WINDOW);
    const { body } = await maker.get<{ counts: Record<string, number> }>(`/campaigns/${campaignId}`);
    expect(body.counts.pending).toBe(300 - afterDrain);
  }, 90_000);
});
