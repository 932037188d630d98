import { signAccessToken } from '@sms/application';
import { SmscSimulatorStats } from '@sms/sms-gateway';
import { countsWhen, importCsv } from '../support/embedded-service';
import { HttpClient, httpClient } from '../support/http-client';
import { AppProcess, buildApps, isCleanExit } from '../support/processes';
import { deployServerProfile, ServerDeployment, startSimulatorApp } from '../support/server-profile';
import { sampleWithoutStartDates } from '../support/test-environment';

/**
 * The server profile as it is deployed: api, projector, scheduler and two senders as separate
 * processes on PostgreSQL and NATS JetStream, sending through the SMSC simulator app over SMPP.
 */
describe('server profile with two senders', () => {
  let simulator: AppProcess;
  let deployment: ServerDeployment;
  let maker: HttpClient;
  let statsUrl: string;

  beforeAll(async () => {
    buildApps();
    const started = await startSimulatorApp('servertest', 'secret', { SMSC_RECEIPT_DELAY_MS: '100' });
    simulator = started.app;
    statsUrl = started.statsUrl;
    deployment = await deployServerProfile(started.smppUrl, { senders: 2 });
    maker = httpClient(deployment.apiUrl, await signAccessToken(deployment.env.AUTH_JWT_SECRET, { sub: 'server-e2e', roles: ['maker'] }));
  }, 120_000);

  afterAll(async () => {
    const exits = (await deployment?.stop()) ?? [];
    await simulator?.stop();
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

    const imported = await importCsv(maker, campaignId, await sampleWithoutStartDates());
    expect(imported).toMatchObject({ status: 'DONE', processed: 10_000, imported: 9_890, duplicates: 100, rejected: 10 });

    expect((await maker.post(`/campaigns/${campaignId}/status`, { status: 'ON' })).status).toBe(200);
    const counts = await countsWhen(maker, campaignId, (current) => current.delivered === 9_890, 180_000, 'every target delivered');
    expect(counts).toMatchObject({ pending: 0, inProgress: 0, sent: 0, failed: 0, unknown: 0, delivered: 9_890 });

    const stats = (await (await fetch(statsUrl)).json()) as SmscSimulatorStats;
    expect(stats).toMatchObject({ accepted: 9_890, duplicateDestinations: 0, duplicateDestinationTexts: 0, boundSessions: 2 });
  }, 300_000);
});
