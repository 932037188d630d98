import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Client } from 'pg';
import { signAccessToken } from '@sms/application';
import { httpClient, HttpClient } from '../test/support/http-client';
import { freePort, isolatedEnvironment, POSTGRES_ADMIN_URL } from '../test/support/test-environment';

/**
 * CSV import of a large file: from the upload until every row is a pending target in the read
 * model, with the peak memory of the service process.
 *
 *   npm run bench:import                                        both profiles, 1,000,000 rows, 3 runs each
 *   npm run bench:import -- --profile postgres --rows 200000 --runs 1
 *   npm run bench:import -- --profile postgres --runs 1 --cpu-prof /tmp/profiles
 *   npm run bench:import -- --floor                             PostgreSQL's share alone (see measureFloor)
 *
 * The service is the standalone app (api, projector, scheduler and sender in one process), started
 * as a child process so that its memory is measured apart from the benchmark's own. The postgres
 * profile needs PostgreSQL on 127.0.0.1:5432, where it creates a database and drops it after each run.
 */
type Profile = 'embedded' | 'postgres';

interface RunResult {
  readonly rows: number;
  readonly imported: number;
  /** From the first byte sent until the targets are all in the read model. */
  readonly seconds: number;
  /** Until POST returned 202, the file spooled to disk. */
  readonly uploadSeconds: number;
  /** Until GET /imports/:id returned DONE. */
  readonly importSeconds: number;
  /** Peak resident memory of the service and its child processes, in MiB (sum of their VmHWM). */
  readonly peakRssMib: number;
  /** CPU time of the service process (user + system), in seconds. */
  readonly serviceCpuSeconds: number;
  /** CPU time of the PostgreSQL backends connected to the run's database; undefined on the embedded profile. */
  readonly postgresCpuSeconds: number | undefined;
}

interface Service {
  readonly url: string;
  readonly secret: string;
  readonly pid: number;
  /** The PostgreSQL database of the run, on the postgres profile. */
  readonly databaseName?: string;
  stop(): Promise<void>;
}

const BUILD_DIR = join(__dirname, '..');

/** Interval between two GET requests while waiting for the import and the read model. */
const POLL_MS = 250;

const TIMEOUT_MS = 30 * 60_000;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const workDir = await mkdtemp(join(tmpdir(), 'bench-import-'));
  try {
    if (args.floor) {
      await measureFloor(args.rows, workDir);
      return;
    }
    const file = join(workDir, 'targets.csv');
    const bytes = await writeTargetsCsv(file, args.rows);
    console.log(
      `bench:import ${args.rows} rows (${(bytes / 1024 / 1024).toFixed(1)} MiB), ${args.runs} run(s) per profile, ` +
        `node ${process.version}, ${new Date().toISOString()}`,
    );

    const medians: string[] = [];
    for (const profile of args.profiles) {
      const results: RunResult[] = [];
      for (let run = 1; run <= args.runs; run += 1) {
        const result = await runOnce(profile, file, bytes, args, workDir);
        results.push(result);
        console.log(`${profile} run ${run}: ${format(result)}`);
      }
      const median = [...results].sort((a, b) => a.seconds - b.seconds)[Math.floor(results.length / 2)];
      medians.push(`${profile} median: ${format(median)}`);
    }
    console.log(medians.join('\n'));
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function runOnce(profile: Profile, file: string, bytes: number, args: Args, workDir: string): Promise<RunResult> {
  const service = await (profile === 'embedded' ? startEmbedded(workDir, args.cpuProfileDir) : startPostgres(args.cpuProfileDir));
  const memory = startMemorySampler(service.pid);
  const backends = service.databaseName === undefined ? undefined : await startBackendCpuSampler(service.databaseName);
  try {
    const token = await signAccessToken(service.secret, { sub: 'bench', roles: ['maker'] });
    const maker = httpClient(service.url, token);
    const campaignId = await createCampaign(maker);

    const started = performance.now();
    const importId = await uploadCsv(service.url, token, campaignId, file, bytes);
    const uploadSeconds = (performance.now() - started) / 1000;

    const done = await waitForImport(maker, importId, started);
    const importSeconds = (performance.now() - started) / 1000;
    if (done.status !== 'DONE') {
      throw new Error(`import ended ${String(done.status)}: ${JSON.stringify(done).slice(0, 2000)}`);
    }

    const imported = Number(done.imported);
    await waitForPendingTargets(maker, campaignId, imported, started);
    const seconds = (performance.now() - started) / 1000;
    return {
      rows: args.rows,
      imported,
      seconds,
      uploadSeconds,
      importSeconds,
      peakRssMib: memory.peakMib(),
      serviceCpuSeconds: cpuSecondsOf(service.pid) ?? 0,
      postgresCpuSeconds: await backends?.cpuSeconds(),
    };
  } finally {
    memory.stop();
    await backends?.stop();
    await service.stop();
  }
}

/**
 * Writes a CSV of distinct valid French mobile numbers in three spellings, a start date on one row
 * in ten, priorities 1 to 10, a first name and an amount. Returns its size in bytes.
 */
async function writeTargetsCsv(path: string, rows: number): Promise<number> {
  const out = createWriteStream(path);
  const names = ['Camille', 'Léa', 'Chloé', 'Inès', 'Hugo', 'Théo', 'Noé', 'Françoise'];
  out.write('phoneNumber,startDate,priority,firstName,amount\n');
  let lines: string[] = [];
  for (let index = 0; index < rows; index += 1) {
    // Numbers from 0600000000 up: 060 to 062 are valid French mobile prefixes in libphonenumber-js 1.13.
    const digits = String(600_000_000 + index).padStart(9, '0');
    const phone =
      index % 3 === 0
        ? `0${digits}`
        : index % 3 === 1
          ? `+33 ${digits[0]} ${digits.slice(1, 3)} ${digits.slice(3, 5)} ${digits.slice(5, 7)} ${digits.slice(7)}`
          : `0${digits.slice(0, 1)}.${digits.slice(1, 3)}.${digits.slice(3, 5)}.${digits.slice(5, 7)}.${digits.slice(7)}`;
    const startDate = index % 10 === 0 ? `2027-01-${String((index % 28) + 1).padStart(2, '0')}T09:30` : '';
    lines.push(`${phone},${startDate},${(index % 10) + 1},${names[index % names.length]},${(index % 500) + 0.5}`);
    if (lines.length === 10_000) {
      if (!out.write(`${lines.join('\n')}\n`)) await once(out, 'drain');
      lines = [];
    }
  }
  if (lines.length > 0) out.write(`${lines.join('\n')}\n`);
  out.end();
  await once(out, 'finish');
  return (await stat(path)).size;
}

async function startEmbedded(workDir: string, cpuProfileDir: string | undefined): Promise<Service> {
  const dataDir = await mkdtemp(join(workDir, 'data-'));
  const service = await startStandalone({ DATA_DIR: dataDir }, cpuProfileDir);
  return {
    ...service,
    stop: async () => {
      await service.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function startPostgres(cpuProfileDir: string | undefined): Promise<Service> {
  const database = await createBenchDatabase();
  try {
    const service = await startStandalone({ EVENT_STORE: 'postgres', READ_STORE: 'postgres', DATABASE_URL: database.url }, cpuProfileDir);
    return {
      ...service,
      databaseName: database.name,
      stop: async () => {
        await service.stop();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

async function createBenchDatabase(): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `sms_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = POSTGRES_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return { name, url, drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * Measures the least PostgreSQL can spend on the rows an import of `rows` targets leaves behind,
 * with no client work at all. A real import of 1,000 rows creates the schema and one genuine row of each
 * kind; the service is then stopped, and one `INSERT ... SELECT` per table copies that row
 * `rows` times with the keys an import would give it (random target ids and event ids), so
 * every index is maintained as in an import. The statements run one after another in one
 * session, as the server would run them on one core.
 */
async function measureFloor(rows: number, workDir: string): Promise<void> {
  const database = await createBenchDatabase();
  try {
    const sample = join(workDir, 'sample.csv');
    const sampleBytes = await writeTargetsCsv(sample, 1_000);
    const service = await startStandalone({ EVENT_STORE: 'postgres', READ_STORE: 'postgres', DATABASE_URL: database.url }, undefined);
    try {
      const token = await signAccessToken(service.secret, { sub: 'bench', roles: ['maker'] });
      const maker = httpClient(service.url, token);
      const campaignId = await createCampaign(maker);
      const started = performance.now();
      await waitForImport(maker, await uploadCsv(service.url, token, campaignId, sample, sampleBytes), started);
      await waitForPendingTargets(maker, campaignId, 1_000, started);
    } finally {
      await service.stop();
    }

    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('SET synchronous_commit = off');
      const walBefore = (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn() AS lsn')).rows[0].lsn;
      const series = `generate_series(1, ${rows}) AS i`;
      const steps: Array<[string, string]> = [
        [
          'event_store.streams',
          `INSERT INTO event_store.streams (stream_name, revision) SELECT 'target-f' || md5(i::text), 0 FROM ${series}`,
        ],
        [
          'event_store.events',
          `INSERT INTO event_store.events (stream_name, revision, event_id, event_type, data, metadata)
           SELECT 'target-f' || md5(i::text), 0, gen_random_uuid(), s.event_type, s.data, s.metadata
           FROM ${series}, (SELECT * FROM event_store.events WHERE event_type = 'TargetAdded' LIMIT 1) AS s`,
        ],
        [
          'event_store.subject_keys',
          `INSERT INTO event_store.subject_keys (subject, key_id, data_key, number_hash)
           SELECT 'target-f' || md5(i::text), gen_random_uuid(), s.data_key, md5('number' || i)
           FROM ${series}, (SELECT * FROM event_store.subject_keys LIMIT 1) AS s`,
        ],
        [
          'read_models.targets',
          `INSERT INTO read_models.targets (id, campaign_id, phone_number, start_date, priority, status, time_zone, layout, import_id, revision, attempts)
           SELECT 'f' || md5(i::text), s.campaign_id, '+33' || (700000000 + i), s.start_date, i % 10 + 1, s.status, s.time_zone, s.layout, s.import_id, 0, 0
           FROM ${series}, (SELECT * FROM read_models.targets LIMIT 1) AS s`,
        ],
      ];
      let total = 0;
      for (const [table, statement] of steps) {
        const started = performance.now();
        await client.query(statement);
        const seconds = (performance.now() - started) / 1000;
        total += seconds;
        console.log(`${table}: ${rows.toLocaleString('en-US')} rows in ${seconds.toFixed(1)} s`);
      }
      const wal = await client.query<{ bytes: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS bytes', [walBefore]);
      console.log(
        `floor: ${total.toFixed(1)} s of one PostgreSQL backend for ${rows.toLocaleString('en-US')} targets, ` +
          `${(Number(wal.rows[0].bytes) / 1024 / 1024).toFixed(0)} MiB of WAL | load average ${loadavg()
            .map((load) => load.toFixed(2))
            .join(' ')}`,
      );
    } finally {
      await client.end();
    }
  } finally {
    await database.drop();
  }
}

/**
 * Starts the standalone app with the built-in SMSC simulator; resolves once it logs that it started.
 * It is spawned here rather than with the test helpers because Node.js rejects `--cpu-prof` in
 * NODE_OPTIONS, so the flag must be a command-line argument.
 */
async function startStandalone(settings: Record<string, string>, cpuProfileDir: string | undefined): Promise<Service> {
  const port = await freePort();
  const env: Record<string, string> = { ...isolatedEnvironment(), PORT: String(port), LOG_LEVEL: 'info', ...settings };
  // The profile is written when the process exits, so the service must be stopped cleanly.
  const nodeArgs = cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`];
  const child = spawn(process.execPath, [...nodeArgs, join(BUILD_DIR, 'apps', 'standalone', 'main.js')], {
    cwd: join(BUILD_DIR, '..'),
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let output = '';
  const keepTail = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout.on('data', keepTail);
  child.stderr.on('data', keepTail);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const exit = await exited;
    if (exit.code !== 0 && exit.signal !== 'SIGTERM') {
      console.error(`the service ended with ${exit.code ?? exit.signal}:\n${output.slice(-3000)}`);
    }
  };
  const started = await Promise.race([waitFor(() => output.includes('"msg":"service started"'), 60_000), exited.then(() => false)]);
  if (!started) {
    await stop();
    throw new Error(`the service did not start:\n${output.slice(-3000)}`);
  }
  return { url: `http://127.0.0.1:${port}`, secret: env.AUTH_JWT_SECRET, pid: child.pid ?? 0, stop };
}

/** Resolves true once `condition` holds, or false after `timeoutMs`. */
async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

async function adminQuery(sql: string): Promise<void> {
  const admin = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

async function createCampaign(maker: HttpClient): Promise<string> {
  const sender = await maker.post('/senders', { name: 'Bench', senderId: 'BENCH' });
  const template = await maker.post('/templates', { name: 'Bench', body: 'Bonjour {{firstName}}, solde {{amount}} EUR.' });
  const campaign = await maker.post('/campaigns', {
    name: 'Bench import',
    reference: `BI-${Date.now()}`,
    senderId: sender.body.id,
    templateId: template.body.id,
    timeZone: 'Europe/Paris',
    refreshSeconds: 1,
  });
  if (campaign.status !== 201) {
    throw new Error(`campaign creation returned ${campaign.status}: ${JSON.stringify(campaign.body)}`);
  }
  return String(campaign.body.id);
}

/** Streams the file as a text/csv body, so the benchmark never loads the whole file into memory; returns the import id. */
async function uploadCsv(baseUrl: string, token: string, campaignId: string, file: string, bytes: number): Promise<string> {
  const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const upload = request(
      `${baseUrl}/campaigns/${campaignId}/imports`,
      { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'content-length': bytes } },
      (answer) => {
        let body = '';
        answer.setEncoding('utf8');
        answer.on('data', (chunk: string) => (body += chunk));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body }));
        answer.on('error', reject);
      },
    );
    upload.on('error', reject);
    createReadStream(file).on('error', reject).pipe(upload);
  });
  if (response.status !== 202) {
    throw new Error(`import returned ${response.status}: ${response.body}`);
  }
  return String((JSON.parse(response.body) as { importId: string }).importId);
}

async function waitForImport(maker: HttpClient, importId: string, started: number): Promise<Record<string, unknown>> {
  let lastReport = 0;
  for (;;) {
    const response = await maker.get(`/imports/${importId}`);
    const status = response.status === 200 ? String(response.body.status) : 'NOT YET PROJECTED';
    if (status === 'DONE' || status === 'FAILED') return response.body;
    const elapsed = performance.now() - started;
    if (elapsed - lastReport >= 5_000) {
      lastReport = elapsed;
      console.log(`  ${(elapsed / 1000).toFixed(1)} s: import ${status}, ${String(response.body.processed ?? 0)} rows processed`);
    }
    if (elapsed > TIMEOUT_MS) throw new Error(`the import did not end within ${TIMEOUT_MS / 1000} s`);
    await sleep(POLL_MS);
  }
}

async function waitForPendingTargets(maker: HttpClient, campaignId: string, expected: number, started: number): Promise<void> {
  for (;;) {
    const response = await maker.get<{ counts: Record<string, number> }>(`/campaigns/${campaignId}`);
    const pending = response.body.counts?.pending ?? 0;
    if (pending >= expected) return;
    if (performance.now() - started > TIMEOUT_MS) {
      throw new Error(`only ${pending} of ${expected} targets were pending after ${TIMEOUT_MS / 1000} s`);
    }
    await sleep(POLL_MS);
  }
}

/**
 * Samples the peak resident memory (VmHWM) of a process and of every process below it, so that
 * workers or helpers the service may start are counted too.
 */
function startMemorySampler(rootPid: number) {
  const peaks = new Map<number, number>();
  const sample = () => {
    for (const pid of processTree(rootPid)) {
      const peak = readStatusKib(pid, 'VmHWM');
      if (peak !== undefined) peaks.set(pid, Math.max(peaks.get(pid) ?? 0, peak));
    }
  };
  sample();
  const timer = setInterval(sample, 200);
  return {
    peakMib: () => {
      sample();
      return [...peaks.values()].reduce((sum, kib) => sum + kib, 0) / 1024;
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * Samples, every 200 ms, the CPU time of each PostgreSQL backend connected to `databaseName`, and
 * sums the last sample of each. The service keeps its pool connections open for the whole run, so
 * few backends end between two samples; any that do are undercounted by at most 200 ms of CPU.
 */
async function startBackendCpuSampler(databaseName: string) {
  const admin = new Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  const seconds = new Map<number, number>();
  let sampling: Promise<void> = Promise.resolve();
  const sample = async () => {
    const result = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [databaseName]);
    for (const { pid } of result.rows) {
      const cpu = cpuSecondsOf(pid);
      if (cpu !== undefined) seconds.set(pid, Math.max(seconds.get(pid) ?? 0, cpu));
    }
  };
  const timer = setInterval(() => {
    sampling = sampling.then(sample).catch(() => undefined);
  }, 200);
  return {
    cpuSeconds: async () => {
      await sampling;
      await sample();
      return [...seconds.values()].reduce((sum, cpu) => sum + cpu, 0);
    },
    stop: async () => {
      clearInterval(timer);
      await sampling;
      await admin.end();
    },
  };
}

/** CPU ticks per second in /proc/<pid>/stat (USER_HZ), 100 on Linux for x86 and ARM. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Reads utime + stime of a process from /proc/<pid>/stat, in seconds; undefined once it is gone. */
function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in brackets may hold spaces, so the fields are counted after its closing bracket.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function processTree(rootPid: number): number[] {
  const tree = [rootPid];
  for (let index = 0; index < tree.length; index += 1) {
    tree.push(...childrenOf(tree[index]));
  }
  return tree;
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return children;
  }
  for (const task of tasks) {
    try {
      const listed = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (listed !== '') children.push(...listed.split(/\s+/).map(Number));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return children;
}

/** Reads a `kB` field of /proc/<pid>/status; undefined once the process is gone. */
function readStatusKib(pid: number, field: string): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function format(result: RunResult): string {
  return [
    `${result.seconds.toFixed(1)} s, ${Math.round(result.rows / result.seconds).toLocaleString('en-US')} rows/s`,
    `upload ${result.uploadSeconds.toFixed(1)} s, import DONE at ${result.importSeconds.toFixed(1)} s`,
    `${result.imported} imported`,
    `peak RSS ${result.peakRssMib.toFixed(0)} MiB`,
    `CPU: service ${result.serviceCpuSeconds.toFixed(1)} s` +
      (result.postgresCpuSeconds === undefined ? '' : `, PostgreSQL backends ${result.postgresCpuSeconds.toFixed(1)} s`),
    `load average ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  ].join(' | ');
}

interface Args {
  readonly profiles: Profile[];
  readonly rows: number;
  readonly runs: number;
  readonly cpuProfileDir: string | undefined;
  /** Measures PostgreSQL's share alone instead of timing imports (see measureFloor). */
  readonly floor: boolean;
}

function parseArgs(args: readonly string[]): Args {
  const value = (flag: string) => {
    const index = args.indexOf(flag);
    return index === -1 ? undefined : args[index + 1];
  };
  const profile = value('--profile');
  const profiles: Profile[] = profile === 'embedded' || profile === 'postgres' ? [profile] : ['embedded', 'postgres'];
  return {
    profiles,
    rows: Number(value('--rows') ?? 1_000_000),
    runs: Number(value('--runs') ?? 3),
    cpuProfileDir: value('--cpu-prof'),
    floor: args.includes('--floor'),
  };
}

main().catch((error: unknown) => {
  console.error(`bench:import failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
