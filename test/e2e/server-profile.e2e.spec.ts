import { signAccessToken } from '@sms/application';
import { SmscSimulatorStats } from '@sms/sms-gateway';
import { eventually, HttpClient, httpClient } from '../support/http-client';
import { AppProcess, buildApps, isCleanExit, startApp } from '../support/processes';
import { createTestDatabase, freePort, isolatedEnvironment, NATS_URL, sampleWithoutStartDates } from '../support/test-environment';

/**
 * The server profile as it is deployed: api, projector, scheduler and two senders as separate
 * processes on PostgreSQL and NATS JetStream, sending through the SMSC simulator app over SMPP.
 */
describe('server profile with two senders', () => {
  const processes: AppProcess[] = [];
  let database: { url: string; drop(): Promise<void> };
  let maker: HttpClient;
  let statsUrl: string;

  beforeAll(async () => {
    buildApps();
    database = await createTestDatabase();
    const [smppPort, statsPort, apiPort] = await Promise.all([freePort(), freePort(), freePort()]);
    statsUrl = `http://127.0.0.1:${statsPort}/stats`;
    const env: Record<string, string> = {
      ...isolatedEnvironment(),
      EVENT_STORE: 'postgres',
      READ_STORE: 'postgres',
      TRANSPORT: 'nats',
      DATABASE_URL: database.url,
      NATS_URL,
      SMS_GATEWAY: 'smpp',
      SMPP_URL: `smpp://servertest:secret@127.0.0.1:${smppPort}`,
      PORT: String(apiPort),
      LOG_LEVEL: 'info',
    };
    const simulator = startApp('smsc-simulator', {
      SMSC_PORT: String(smppPort),
      SMSC_STATS_PORT: String(statsPort),
      SMSC_SYSTEM_ID: 'servertest',
      SMSC_PASSWORD: 'secret',
      SMSC_RECEIPT_DELAY_MS: '100',
      LOG_LEVEL: 'warn',
    });
    processes.push(simulator);
    await waitForHttp(statsUrl);

    // The projector creates the schemas first; the others then start side by side.
    const projector = startApp('projector', env);
    processes.push(projector);
    await projector.waitForOutput(/"msg":"service started"/, 30_000);
    const others = [
      startApp('api', env),
      startApp('scheduler', env),
      startApp('sender', env, 'sender-1'),
      startApp('sender', env, 'sender-2'),
    ];
    processes.push(...others);
    await Promise.all(others.map((app) => app.waitForOutput(/"msg":"service started"/, 30_000)));
    maker = httpClient(`http://127.0.0.1:${apiPort}`, await signAccessToken(env.AUTH_JWT_SECRET, { sub: 'server-e2e', roles: ['maker'] }));
  }, 120_000);

  afterAll(async () => {
    const exits = await Promise.all(
      processes.map(async (app) => ({ name: app.name, exit: await app.stop(), output: app.output().slice(-2000) })),
    );
    await database?.drop();
    expect(exits.filter(({ exit }) => !isCleanExit(exit))).toEqual([]);
  }, 60_000);

  it('imports the sample and sends each of its 9,890 targets exactly once', async () => {
    const sender = await maker.post('/senders', { name: 'Server', senderId: 'SERVER' });
    const template = await maker.post('/templates', { name: 'T', body: 'Bonjour {{firstName}}, solde {{amount}} EUR' });
    const campaign = await maker.post('/campaigns', {
      name: 'Server profile',
      reference: 'SRV-1',
      senderId: sender.body.id,
      templateId: template.body.id,
      timeZone: 'Europe/Paris',
      refreshSeconds: 1,
    });
    expect(campaign.status).toBe(201);
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

    expect((await maker.post(`/campaigns/${campaignId}/status`, { status: 'ON' })).status).toBe(200);
    const counts = await eventually(
      async () => {
        const response = await maker.get<{ counts: Record<string, number> }>(`/campaigns/${campaignId}`);
        return response.body.counts.delivered === 9_890 ? response.body.counts : undefined;
      },
      180_000,
      'every target delivered',
    );
    expect(counts).toMatchObject({ pending: 0, inProgress: 0, sent: 0, failed: 0, unknown: 0, delivered: 9_890 });

    const stats = (await (await fetch(statsUrl)).json()) as SmscSimulatorStats;
    expect(stats).toMatchObject({ accepted: 9_890, duplicateDestinations: 0, duplicateDestinationTexts: 0, boundSessions: 2 });
  }, 300_000);
});

async function waitForHttp(url: string): Promise<void> {
  await eventually(
    async () => {
      try {
        return (await fetch(url)).ok ? true : undefined;
      } catch {
        return undefined;
      }
    },
    20_000,
    url,
  );
}
