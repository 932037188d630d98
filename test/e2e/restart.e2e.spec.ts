import { existsSync } from 'node:fs';
import { signAccessToken } from '@sms/application';
import { SmscSimulator } from '@sms/sms-gateway';
import pino from 'pino';
import { NATS_SERVER_BINARY, NatsServerProcess } from '../../libs/messaging/src/nats/nats-server-process';
import { campaignCounts, generatedTargetsCsv, sleep, switchOn, waitUntilAttempted, waitUntilSettled } from '../support/campaign-run';
import { auditDispatch, describeAudit, FINAL_STATUSES, readTargetHistories } from '../support/dispatch-audit';
import { createCampaign, importCsv } from '../support/embedded-service';
import { HttpClient, httpClient } from '../support/http-client';
import { PostgresCluster, POSTGRES_BIN_DIR, postgresServerInstalled } from '../support/postgres-cluster';
import { buildApps, isCleanExit } from '../support/processes';
import { deployServerProfile, ServerDeployment, ServerProfileOptions } from '../support/server-profile';

const TARGETS = 4_000;
/** How long the broker or the database stays down. */
const OUTAGE_MS = 4_000;
/**
 * A send command whose ack was lost in the outage comes back after the sender's ack wait of 60 s,
 * so settling may take that long plus the time to send.
 */
const SETTLE_TIMEOUT_MS = 100_000;

const natsInstalled = existsSync(NATS_SERVER_BINARY);
const postgresInstalled = postgresServerInstalled();

/**
 * The server profile on a NATS server and a PostgreSQL cluster of the test's own, stopped for a
 * few seconds in the middle of a campaign and started again. The shared servers on 4222 and 5432
 * are never stopped.
 */
(natsInstalled ? describe : describe.skip)(
  `server profile - NATS restart${natsInstalled ? '' : ` (skipped: no ${NATS_SERVER_BINARY})`}`,
  () => {
    let nats: NatsServerProcess;
    let run: CampaignRun;

    beforeAll(async () => {
      run = new CampaignRun();
      nats = await NatsServerProcess.start();
      await run.deploy({ natsUrl: nats.url });
    }, 300_000);

    afterAll(async () => {
      try {
        await run?.stop();
      } finally {
        await nats?.dispose();
      }
    }, 60_000);

    it('resumes after a broker restart', async () => {
      await run.startCampaign();

      await nats.kill('SIGTERM');
      await sleep(OUTAGE_MS);
      await nats.restart();

      await run.expectSettledOnce();
    }, 240_000);
  },
);

(postgresInstalled ? describe : describe.skip)(
  `server profile - PostgreSQL restart${postgresInstalled ? '' : ` (skipped: no initdb in ${POSTGRES_BIN_DIR})`}`,
  () => {
    let cluster: PostgresCluster;
    let run: CampaignRun;

    beforeAll(async () => {
      run = new CampaignRun();
      cluster = await PostgresCluster.start();
      await run.deploy({ adminDatabaseUrl: cluster.adminUrl });
    }, 300_000);

    afterAll(async () => {
      try {
        await run?.stop();
      } finally {
        await cluster?.dispose();
      }
    }, 60_000);

    it('resumes after a database restart', async () => {
      await run.startCampaign();

      await cluster.pause();
      await sleep(OUTAGE_MS);
      await cluster.resume();

      await run.expectSettledOnce();
    }, 240_000);
  },
);

/** One deployment, its simulator and one campaign of TARGETS targets, stopped once a quarter of them have an outcome. */
class CampaignRun {
  private simulator: SmscSimulator | undefined;
  private deployment: ServerDeployment | undefined;
  private maker: HttpClient | undefined;
  private campaignId = '';

  async deploy(options: ServerProfileOptions): Promise<void> {
    buildApps();
    this.simulator = new SmscSimulator({
      systemId: 'restarttest',
      password: 'secret',
      receiptDelayMs: { min: 50, max: 300 },
      logger: pino({ level: 'silent' }),
    });
    await this.simulator.start();
    this.deployment = await deployServerProfile(`smpp://restarttest:secret@127.0.0.1:${this.simulator.port}`, { senders: 2, ...options });
    const token = await signAccessToken(this.deployment.env.AUTH_JWT_SECRET, { sub: 'restart-e2e', roles: ['maker'] });
    this.maker = httpClient(this.deployment.apiUrl, token);
  }

  /** Imports the targets, switches the campaign ON and resolves once a quarter of them have an outcome. */
  async startCampaign(): Promise<void> {
    const maker = this.client();
    this.campaignId = await createCampaign(maker, { body: 'Bonjour {{firstName}}, votre commande est prête.' });
    const imported = await importCsv(maker, this.campaignId, generatedTargetsCsv(TARGETS), 120_000);
    expect(imported).toMatchObject({ status: 'DONE', imported: TARGETS });
    await switchOn(maker, this.campaignId);
    await waitUntilAttempted(maker, this.campaignId, TARGETS / 4, 120_000);
  }

  /** Waits for every target to end, then checks the event store against what the SMSC received. */
  async expectSettledOnce(): Promise<void> {
    const maker = this.client();
    const simulator = this.simulator as SmscSimulator;
    const deployment = this.deployment as ServerDeployment;
    const settled = await waitUntilSettled(maker, this.campaignId, SETTLE_TIMEOUT_MS);

    const histories = await readTargetHistories(deployment.databaseUrl, deployment.env.NUMBER_HASH_KEY, this.campaignId);
    const audit = auditDispatch(histories, simulator.submits());
    const stats = simulator.stats();
    console.log(`${expect.getState().currentTestName}: ${settled ? 'settled' : 'NOT settled'}; ${describeAudit(audit)}`);

    expect(stats.duplicateDestinationTexts).toBe(0);
    expect(audit.violations).toEqual([]);
    expect(audit.targets).toBe(TARGETS);
    // Senders keep trying to record an outcome for 30 s, longer than the outage: none is lost to UNKNOWN.
    expect(audit.byStatus.UNKNOWN ?? 0).toBe(0);
    const unfinished = histories.filter((target) => !FINAL_STATUSES.has(target.status));
    expect(unfinished.map((target) => `${target.targetId} ${target.status} ${JSON.stringify(target.attempts)}`)).toEqual([]);
    expect(await campaignCounts(maker, this.campaignId)).toMatchObject({
      pending: 0,
      inProgress: 0,
      sent: 0,
      delivered: audit.byStatus.DELIVERED ?? 0,
      unknown: audit.byStatus.UNKNOWN ?? 0,
    });
  }

  async stop(): Promise<void> {
    const exits = (await this.deployment?.stop()) ?? [];
    await this.simulator?.close();
    expect(exits.filter(({ exit }) => !isCleanExit(exit))).toEqual([]);
  }

  private client(): HttpClient {
    if (this.maker === undefined) throw new Error('deploy() must run before the campaign starts');
    return this.maker;
  }
}
