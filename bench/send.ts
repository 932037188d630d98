import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningService, signAccessToken, startService } from '@sms/application';
import { createPostgresEventStore, EventStore } from '@sms/event-store';
import { SmscSimulatorStats } from '@sms/sms-gateway';
import { countsWhen, importCsv } from '../test/support/embedded-service';
import { httpClient, HttpClient } from '../test/support/http-client';
import { deployServerProfile, startSimulatorApp } from '../test/support/server-profile';
import { isolatedEnvironment } from '../test/support/test-environment';

/**
 * End-to-end send rate: N targets, due at once, from the campaign switched ON until every one
 * has its SmsAttempted recorded, through the SMSC simulator running as its own process.
 *
 *   npm run bench:send                          both profiles, 20,000 targets, 3 runs each
 *   npm run bench:send -- --profile embedded --targets 5000 --runs 1
 *
 * Prints one line per run and the medians. Needs PostgreSQL and NATS on 127.0.0.1 for the server
 * profile.
 */
type Profile = 'embedded' | 'server';

interface RunResult {
  readonly smsPerSecond: number;
  readonly seconds: number;
  /** Time from the claim (SmsAttemptStarted) to the provider's response (SmsAttempted), in milliseconds. */
  readonly claimToAnswer: { p50: number; p99: number };
  /** GET /campaigns/:id while sending, in milliseconds. */
  readonly api: { p50: number; p99: number; max: number };
  readonly duplicates: number;
}

interface Deployment {
  readonly apiUrl: string;
  readonly secret: string;
  readonly eventStore: EventStore;
  stop(): Promise<void>;
}

const BUILD_DIR = join(__dirname, '..');

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  console.log(`bench:send ${args.targets} targets, ${args.runs} run(s) per profile, node ${process.version}, ${new Date().toISOString()}`);
  const medians: string[] = [];
  for (const profile of args.profiles) {
    const results: RunResult[] = [];
    for (let run = 1; run <= args.runs; run += 1) {
      const result = await runOnce(profile, args.targets);
      results.push(result);
      console.log(`${profile} run ${run}: ${format(result)}`);
    }
    const median = [...results].sort((a, b) => a.smsPerSecond - b.smsPerSecond)[Math.floor(results.length / 2)];
    medians.push(`${profile} median: ${format(median)}`);
  }
  console.log(medians.join('\n'));
}

async function runOnce(profile: Profile, targets: number): Promise<RunResult> {
  const simulator = await startSimulatorApp('bench', 'bench', { SMSC_RECEIPT_DELAY_MS: '100' }, BUILD_DIR);
  const deployment = await (profile === 'embedded' ? deployEmbedded(simulator.smppUrl) : deployServer(simulator.smppUrl)).catch(
    async (error: unknown) => {
      await simulator.app.stop();
      throw error;
    },
  );
  try {
    const maker = httpClient(deployment.apiUrl, await signAccessToken(deployment.secret, { sub: 'bench', roles: ['maker'] }));
    const campaignId = await prepareCampaign(maker, targets);

    const probe = startLatencyProbe(maker, `/campaigns/${campaignId}`);
    const started = Date.now();
    await maker.post(`/campaigns/${campaignId}/status`, { status: 'ON' });
    const recordedStatuses = ['sent', 'delivered', 'undelivered', 'failed', 'unknown'];
    await countsWhen(
      maker,
      campaignId,
      (counts) => recordedStatuses.reduce((sum, status) => sum + (counts[status] ?? 0), 0) >= targets,
      600_000,
      'every attempt recorded',
    );
    const seconds = (Date.now() - started) / 1000;
    const apiLatencies = await probe.stop();

    const stats = (await (await fetch(simulator.statsUrl)).json()) as SmscSimulatorStats;
    return {
      smsPerSecond: targets / seconds,
      seconds,
      claimToAnswer: await claimToAnswerLatencies(deployment.eventStore),
      api: { p50: percentile(apiLatencies, 0.5), p99: percentile(apiLatencies, 0.99), max: Math.max(...apiLatencies) },
      duplicates: stats.duplicateDestinations,
    };
  } finally {
    await deployment.stop();
    await simulator.app.stop();
  }
}

async function deployEmbedded(smppUrl: string): Promise<Deployment> {
  const dataDir = await mkdtemp(join(tmpdir(), 'bench-send-'));
  const env: Record<string, string> = { ...isolatedEnvironment(), DATA_DIR: dataDir, PORT: '0', SMS_GATEWAY: 'smpp', SMPP_URL: smppUrl };
  const service: RunningService = await startService(['projector', 'api', 'scheduler', 'sender'], env, 'bench-embedded');
  return {
    apiUrl: service.url ?? '',
    secret: env.AUTH_JWT_SECRET,
    eventStore: service.infrastructure.eventStore,
    stop: async () => {
      await service.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function deployServer(smppUrl: string): Promise<Deployment> {
  const deployment = await deployServerProfile(smppUrl, { senders: 2, buildDir: BUILD_DIR });
  const eventStore = await createPostgresEventStore({ connectionString: deployment.databaseUrl, schema: 'event_store' });
  return {
    apiUrl: deployment.apiUrl,
    secret: deployment.env.AUTH_JWT_SECRET,
    eventStore,
    stop: async () => {
      await eventStore.close();
      await deployment.stop();
    },
  };
}

async function prepareCampaign(maker: HttpClient, targets: number): Promise<string> {
  const sender = await maker.post('/senders', { name: 'Bench', senderId: 'BENCH' });
  const template = await maker.post('/templates', { name: 'Bench', body: 'Bonjour {{firstName}}, votre commande est prête.' });
  const campaign = await maker.post('/campaigns', {
    name: 'Bench',
    reference: `B-${Date.now()}`,
    senderId: sender.body.id,
    templateId: template.body.id,
    refreshSeconds: 1,
  });
  const campaignId = String(campaign.body.id);
  const rows = Array.from({ length: targets }, (_, index) => `06${String(10_000_000 + index)},,${(index % 10) + 1},false,Client${index}`);
  const csv = ['phoneNumber,startDate,priority,insertIfDuplicate,firstName', ...rows].join('\n');
  await importCsv(maker, campaignId, csv, 300_000);
  return campaignId;
}

function startLatencyProbe(client: HttpClient, path: string) {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await client.get(path);
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return latencies;
    },
  };
}

async function claimToAnswerLatencies(store: EventStore): Promise<{ p50: number; p99: number }> {
  const startedAt = new Map<string, number>();
  const latencies: number[] = [];
  let after;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 10_000, filter: { eventTypes: ['SmsAttemptStarted', 'SmsAttempted'] } });
    if (page.length === 0) break;
    for (const event of page) {
      const data = event.data as { attemptId: string; startedAt?: string; at?: string };
      if (event.type === 'SmsAttemptStarted' && data.startedAt !== undefined) startedAt.set(data.attemptId, Date.parse(data.startedAt));
      const start = startedAt.get(data.attemptId);
      if (event.type === 'SmsAttempted' && data.at !== undefined && start !== undefined) latencies.push(Date.parse(data.at) - start);
    }
    after = page[page.length - 1].position;
  }
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

function format(result: RunResult): string {
  return [
    `${result.smsPerSecond.toFixed(0)} SMS/s (${result.seconds.toFixed(1)} s)`,
    `claim-to-answer p50 ${result.claimToAnswer.p50.toFixed(0)} ms p99 ${result.claimToAnswer.p99.toFixed(0)} ms`,
    `API during send p50 ${result.api.p50.toFixed(0)} ms p99 ${result.api.p99.toFixed(0)} ms max ${result.api.max.toFixed(0)} ms`,
    `duplicate submits ${result.duplicates}`,
  ].join(' | ');
}

function parseArgs(args: readonly string[]) {
  const value = (flag: string) => {
    const index = args.indexOf(flag);
    return index === -1 ? undefined : args[index + 1];
  };
  const profile = value('--profile');
  const profiles: Profile[] = profile === 'embedded' || profile === 'server' ? [profile] : ['embedded', 'server'];
  return { profiles, targets: Number(value('--targets') ?? 20_000), runs: Number(value('--runs') ?? 3) };
}

main().catch((error: unknown) => {
  console.error(`bench:send failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
