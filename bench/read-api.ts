import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { signAccessToken } from '@sms/application';
import { HttpClient, httpClient } from '../test/support/http-client';
import { deployServerProfile, ServerDeployment } from '../test/support/server-profile';
import { freePort } from '../test/support/test-environment';
import { currentLoad, flagValue, formatNumber, RowCollector, sleep, writeReport } from './support';

/**
 * The read API under load at 1,000,000 targets: autocannon with 100 connections against the
 * campaign list, a campaign's targets list and its send history, for requests per second and p99.
 *
 *   npm run bench -- --only read-api
 *   node bench/out/build/bench/read-api.js --targets 1000000 --runs 3 --json /tmp/read-api.json
 *   node bench/out/build/bench/read-api.js --runs 1 --cpu-prof /tmp/profiles    V8 CPU profile of the api under load
 *
 * The server profile runs on a fresh PostgreSQL database, dropped at the end. Campaigns are
 * created through the API; the targets and attempts of the large campaign are inserted as
 * read-model rows by SQL, because building them from events would take minutes per run. The
 * figures therefore measure reads only. While autocannon runs, `pg_stat_activity` is sampled to
 * show which statements the time goes to.
 */
const BUILD_DIR = join(__dirname, '..');
/** The autocannon command-line script, its package's main file. */
const AUTOCANNON = require.resolve('autocannon');

const CONNECTIONS = 100;
const DURATION_SECONDS = 10;
const OTHER_CAMPAIGNS = 100;
const INSERT_CHUNK = 100_000;
/** Share of targets with one attempt: every target whose index ends in 2 to 9 (see `targetStatusSql`). */
const ATTEMPTED_SHARE = 0.8;
const ACTIVITY_SAMPLE_MS = 50;
/** autocannon's default request timeout. */
const AUTOCANNON_TIMEOUT_MS = 10_000;
/** Maximum wait for the statements of one endpoint's run to end before the next run starts. */
const DRAIN_TIMEOUT_MS = 120_000;
const P99_GOAL_MS = 50;

interface Endpoint {
  readonly name: string;
  readonly path: string;
}

interface AutocannonResult {
  readonly requests: { average: number; total: number };
  readonly latency: { p50: number; p99: number };
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const targets = Number(flagValue(args, '--targets') ?? 1_000_000);
  const runs = Number(flagValue(args, '--runs') ?? 3);
  console.log(
    `bench read-api: ${formatNumber(targets)} targets, ${CONNECTIONS} connections, ${DURATION_SECONDS} s per run, ${runs} run(s), ` +
      `${new Date().toISOString()}`,
  );

  // No sender runs, so the SMPP URL, which the profile's configuration requires, is never dialled.
  const deployment = await deployServerProfile('smpp://bench:bench@127.0.0.1:9', { senders: 0, buildDir: BUILD_DIR });
  const rows = new RowCollector();
  const profiles: string[] = [];
  const unanswered: string[] = [];
  let api: MeasuredApi | undefined;
  try {
    const token = await signAccessToken(deployment.env.AUTH_JWT_SECRET, { sub: 'bench', roles: ['maker'] });
    api = await startMeasuredApi(deployment.env, flagValue(args, '--cpu-prof'));
    const maker = httpClient(api.url, token);
    const campaignId = await createCampaigns(maker);
    const seedStarted = performance.now();
    await seedTargets(deployment.databaseUrl, campaignId, targets);
    console.log(`seeded ${formatNumber(targets)} targets and their attempts in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

    const endpoints: Endpoint[] = [
      { name: 'campaign list', path: '/campaigns' },
      { name: 'targets list', path: `/campaigns/${campaignId}/targets` },
      { name: 'send history', path: `/campaigns/${campaignId}/sends` },
    ];
    for (const endpoint of endpoints) {
      const check = await maker.get(endpoint.path);
      if (check.status !== 200)
        throw new Error(`GET ${endpoint.path} returned ${check.status}: ${JSON.stringify(check.body).slice(0, 500)}`);
    }

    for (let run = 1; run <= runs; run += 1) {
      for (const endpoint of endpoints) {
        const load = currentLoad();
        const sampler = sampleActivity(deployment.databaseUrl);
        const result = await autocannon(`${api.url}${endpoint.path}`, token);
        const activity = await sampler.stop();
        // When no request completed, autocannon reports a p99 of 0, so its timeout is recorded as the only known bound.
        const p99 = result.requests.total === 0 ? AUTOCANNON_TIMEOUT_MS : result.latency.p99;
        rows.record(`${endpoint.name}: requests/s`, 'req/s', result.requests.average, load);
        rows.record(`${endpoint.name}: p99`, 'ms', p99, load, { higherIsBetter: false, goal: P99_GOAL_MS });
        if (result.requests.total === 0) unanswered.push(`run ${run} ${endpoint.name}`);
        const failures = result.non2xx + result.errors + result.timeouts;
        console.log(
          `run ${run} ${endpoint.name} (load ${load}): ${formatNumber(result.requests.average)} req/s, p50 ${result.latency.p50} ms, ` +
            `p99 ${result.latency.p99} ms, ${failures} failed`,
        );
        if (run === 1) profiles.push(`${endpoint.name}: ${activity}`);
        console.log(`  pg_stat_activity: ${activity}`);
        await waitForIdleReads(deployment.databaseUrl);
      }
    }
  } finally {
    await api?.stop();
    await stopDeployment(deployment);
  }

  writeReport(flagValue(args, '--json'), {
    comparison: 'read-api',
    title: `Read API at ${formatNumber(targets)} targets (autocannon 9.0.0, ${CONNECTIONS} connections, ${DURATION_SECONDS} s per run)`,
    rows: rows.toRows(),
    ratios: ['campaign list', 'targets list', 'send history'].map((name) => ({ label: `${name}: p99 / goal`, ours: `${name}: p99` })),
    notes: [
      `Server profile (api process reading PostgreSQL) on a fresh database. ${OTHER_CAMPAIGNS + 1} campaigns created through the API; ` +
        `one holds ${formatNumber(targets)} targets and ${formatNumber(targets * ATTEMPTED_SHARE)} attempts, inserted as read-model rows ` +
        'by SQL, so the figures measure reads only, not the projection.',
      'Each request is the first page (50 rows) without filters. autocannon runs as its own process on the same two vCPUs.',
      ...(unanswered.length === 0
        ? []
        : [
            `No request was answered within autocannon's ${AUTOCANNON_TIMEOUT_MS / 1000} s timeout in ${unanswered.join(', ')}; its p99 is shown as that timeout.`,
          ]),
      ...profiles.map((profile) => `Statements seen active in pg_stat_activity during run 1, ${profile}`),
    ],
  });
}

/** Creates OTHER_CAMPAIGNS small campaigns and the one that gets the targets; returns the latter's id. */
async function createCampaigns(maker: HttpClient): Promise<string> {
  const sender = await maker.post('/senders', { name: 'Bench', senderId: 'BENCH' });
  const template = await maker.post('/templates', { name: 'Bench', body: 'Bonjour {{firstName}}, solde {{amount}} EUR.' });
  let campaignId = '';
  for (let index = 0; index <= OTHER_CAMPAIGNS; index += 1) {
    const campaign = await maker.post('/campaigns', {
      name: `Bench read ${index}`,
      reference: `BR-${index}-${Date.now()}`,
      senderId: sender.body.id,
      templateId: template.body.id,
      timeZone: 'Europe/Paris',
    });
    if (campaign.status !== 201) throw new Error(`campaign creation returned ${campaign.status}: ${JSON.stringify(campaign.body)}`);
    campaignId = String(campaign.body.id);
  }
  // The projector builds the campaigns table in its own process; the seed updates the last row, so it must exist first.
  const deadline = Date.now() + 60_000;
  while ((await maker.get(`/campaigns/${campaignId}`)).status !== 200) {
    if (Date.now() > deadline) throw new Error(`campaign ${campaignId} was not projected within 60 s`);
    await sleep(100);
  }
  return campaignId;
}

/**
 * Inserts the campaign's targets and one attempt for each target not pending, then sets the
 * campaign's count columns to match, as the targets projection would.
 */
async function seedTargets(databaseUrl: string, campaignId: string, targets: number): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const sessionId = randomUUID();
    for (let first = 0; first < targets; first += INSERT_CHUNK) {
      const last = Math.min(targets, first + INSERT_CHUNK) - 1;
      await client.query(
        `INSERT INTO read_models.targets (id, campaign_id, phone_number, start_date, priority, status, layout, revision, attempts, last_attempt_at)
         SELECT 'bench' || lpad(i::text, 10, '0'), $1, '+336' || (10000000 + i),
                CASE WHEN i % 10 = 0 THEN timestamptz '2027-01-05 08:30Z' + (i % 28) * interval '1 day' END,
                (i / 7) % 10 + 1, ${targetStatusSql('i')},
                jsonb_build_object('name', 'paiement', 'values', jsonb_build_object('firstName', 'Camille', 'amount', (i % 500) + 0.5)),
                CASE WHEN i % 10 < 2 THEN 0 ELSE 3 END, CASE WHEN i % 10 < 2 THEN 0 ELSE 1 END,
                CASE WHEN i % 10 < 2 THEN NULL ELSE timestamptz '2026-12-01Z' + i * interval '10 ms' END
         FROM generate_series($2::integer, $3::integer) AS i`,
        [campaignId, first, last],
      );
      await client.query(
        `INSERT INTO read_models.attempts (attempt_id, target_id, campaign_id, session_id, attempt_number, status, phone_number,
                                           started_at, ended_at, provider_message_id, encoding, segments)
         SELECT 'attempt' || lpad(i::text, 10, '0'), 'bench' || lpad(i::text, 10, '0'), $1, $4, 1, ${targetStatusSql('i')},
                '+336' || (10000000 + i), timestamptz '2026-12-01Z' + i * interval '10 ms',
                timestamptz '2026-12-01Z' + i * interval '10 ms' + interval '300 ms', 'msg' || i, 'UCS2', 1
         FROM generate_series($2::integer, $3::integer) AS i WHERE i % 10 >= 2`,
        [campaignId, first, last, sessionId],
      );
      process.stdout.write(`  ${formatNumber(last + 1)} targets inserted\n`);
    }
    await client.query(
      `UPDATE read_models.campaigns SET
         (pending, delivered, undelivered, sent, failed) =
         (SELECT count(*) FILTER (WHERE status = 'PENDING'), count(*) FILTER (WHERE status = 'DELIVERED'),
                 count(*) FILTER (WHERE status = 'UNDELIVERED'), count(*) FILTER (WHERE status = 'SENT'),
                 count(*) FILTER (WHERE status = 'FAILED')
          FROM read_models.targets WHERE campaign_id = $1)
       WHERE id = $1`,
      [campaignId],
    );
    await client.query('ANALYZE read_models.targets');
    await client.query('ANALYZE read_models.attempts');
  } finally {
    await client.end();
  }
}

/** 20% PENDING, 50% DELIVERED, 10% each UNDELIVERED, SENT and FAILED, by the last digit of the index. */
function targetStatusSql(index: string): string {
  return `CASE WHEN ${index} % 10 < 2 THEN 'PENDING' WHEN ${index} % 10 < 7 THEN 'DELIVERED' WHEN ${index} % 10 = 7 THEN 'UNDELIVERED'
               WHEN ${index} % 10 = 8 THEN 'SENT' ELSE 'FAILED' END`;
}

function autocannon(url: string, token: string): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [AUTOCANNON, '-c', String(CONNECTIONS), '-d', String(DURATION_SECONDS), '-j', '-H', `authorization=Bearer ${token}`, url],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`autocannon exited with ${code}: ${errors.slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(output) as AutocannonResult);
    });
  });
}

/**
 * Samples the active statements of the benchmark's database every ACTIVITY_SAMPLE_MS; `stop()`
 * returns the most frequent ones with their share of the samples.
 */
function sampleActivity(databaseUrl: string): { stop(): Promise<string> } {
  const client = new Client({ connectionString: databaseUrl });
  const seen = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query<{ query: string; wait: string | null }>(
        `SELECT regexp_replace(query, '\\s+', ' ', 'g') AS query, wait_event_type || ':' || wait_event AS wait
         FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`,
      );
      samples += 1;
      for (const row of rows) {
        const key = `${row.query.slice(0, 90)}${row.wait === null ? '' : ` [${row.wait}]`}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
      await sleep(ACTIVITY_SAMPLE_MS);
    }
    await client.end();
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      const top = [...seen.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4);
      const total = [...seen.values()].reduce((sum, count) => sum + count, 0);
      const mean = samples === 0 ? 0 : total / samples;
      return (
        `${samples} samples, ${mean.toFixed(1)} active statements per sample; ` +
        top.map(([query, count]) => `${((100 * count) / Math.max(1, total)).toFixed(0)}% \`${query}\``).join('; ')
      );
    },
  };
}

/**
 * Waits until no read-model query is still running. PostgreSQL goes on with the statements of
 * requests that autocannon abandoned at its timeout, and they would slow the next endpoint's run.
 */
async function waitForIdleReads(databaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + DRAIN_TIMEOUT_MS;
    for (;;) {
      const { rows } = await client.query<{ running: number }>(
        `SELECT count(*)::integer AS running FROM pg_stat_activity
         WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%read_models%'`,
      );
      if (rows[0].running === 0 || Date.now() > deadline) return;
      await sleep(500);
    }
  } finally {
    await client.end();
  }
}

interface MeasuredApi {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts one more api process on the deployment's environment, the one autocannon loads. It is
 * spawned here rather than by the deployment so that `--cpu-prof` can be given: Node.js rejects
 * that flag in NODE_OPTIONS. The profile is written when the process exits on SIGTERM.
 */
async function startMeasuredApi(env: Readonly<Record<string, string>>, cpuProfileDir: string | undefined): Promise<MeasuredApi> {
  const port = await freePort();
  const nodeArgs = cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`];
  const child = spawn(process.execPath, [...nodeArgs, join(BUILD_DIR, 'apps', 'api', 'main.js')], {
    env: { ...process.env, NODE_OPTIONS: '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const keepTail = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout.on('data', keepTail);
  child.stderr.on('data', keepTail);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };

  const deadline = Date.now() + 60_000;
  while (!output.includes('"msg":"service started"')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`the measured api did not start:\n${output.slice(-3000)}`);
    }
    await sleep(100);
  }
  return { url: `http://127.0.0.1:${port}`, stop };
}

async function stopDeployment(deployment: ServerDeployment): Promise<void> {
  const exits = await deployment.stop();
  for (const exit of exits) {
    if (exit.exit.code !== 0 && exit.exit.signal !== 'SIGTERM')
      console.error(`${exit.name} ended with ${exit.exit.code ?? exit.exit.signal}`);
  }
}

main().catch((error: unknown) => {
  console.error(`bench read-api failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
