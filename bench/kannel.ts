import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, createServer, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signAccessToken } from '@sms/application';
import { SmscSimulatorStats } from '@sms/sms-gateway';
import { countsWhen, importCsv } from '../test/support/embedded-service';
import { httpClient } from '../test/support/http-client';
import { deployServerProfile, startSimulatorApp } from '../test/support/server-profile';
import { freePort } from '../test/support/test-environment';
import { currentLoad, flagValue, formatNumber, RowCollector, sleep, writeReport } from './support';

/**
 * Send rate against Kannel: the same number of SMS, all due at once, submitted over SMPP to the
 * same SMSC simulator. One side is Debian's Kannel, bearerbox and smsbox fed through the sendsms
 * HTTP interface. The other is our server profile: projector, api, scheduler and two senders over
 * PostgreSQL and NATS.
 *
 *   npm run bench -- --only kannel
 *   node bench/out/build/bench/kannel.js --messages 20000 --runs 3 --json /tmp/kannel.json
 *   node bench/out/build/bench/kannel.js --side kannel --runs 1            one side only
 *
 * Needs `bearerbox` and `smsbox` from the `kannel` package (`apt-get install -y kannel`),
 * PostgreSQL on 127.0.0.1:5432 and NATS on 127.0.0.1:4222. Every Kannel daemon is bound to
 * 127.0.0.1, runs from a temporary folder and is stopped by its PID at the end of each run.
 */
const BUILD_DIR = join(__dirname, '..');

const BEARERBOX = '/usr/sbin/bearerbox';
const SMSBOX = '/usr/sbin/smsbox';

/** Interval at which the simulator's submit counter is read; it bounds the error of the first and last submit times. */
const STATS_POLL_MS = 10;

/** submit_sm Kannel may send before their responses arrive; its default is 10, raised so the window does not cap it. */
const KANNEL_MAX_PENDING_SUBMITS = 100;

const RUN_TIMEOUT_MS = 10 * 60_000;

const RECORDED_STATUSES = ['sent', 'delivered', 'undelivered', 'failed', 'unknown'];

interface SubmitWindow {
  /** When the simulator's counter was first seen above zero, in performance.now() milliseconds. */
  readonly firstAt: number;
  /** When it was first seen at the expected count. */
  readonly lastAt: number;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const messages = Number(flagValue(args, '--messages') ?? 20_000);
  const runs = Number(flagValue(args, '--runs') ?? 3);
  const concurrency = Number(flagValue(args, '--concurrency') ?? 64);
  /** `kannel` or `ours` to run one side only, when looking into it. */
  const only = flagValue(args, '--side');
  console.log(`bench kannel: ${messages} SMS, ${runs} run(s) each, ${concurrency} HTTP connections to smsbox, ${new Date().toISOString()}`);

  const rows = new RowCollector();
  for (let run = 1; run <= runs; run += 1) {
    // Alternate which side goes first, so a load that builds up over a run pair does not always fall on the same side.
    const sides = run % 2 === 1 ? (['kannel', 'ours'] as const) : (['ours', 'kannel'] as const);
    for (const side of sides.filter((name) => only === undefined || name === only)) {
      const load = currentLoad();
      if (side === 'kannel') {
        for (const reports of [true, false]) {
          const variant = reports ? 'Kannel, delivery reports on' : 'Kannel, delivery reports off';
          const variantLoad = currentLoad();
          const result = await runKannel(messages, concurrency, reports);
          rows.record(`${variant}: first to last submit_sm`, 'SMS/s', messages / result.submitSeconds, variantLoad);
          rows.record(`${variant}: first sendsms request to last submit_sm`, 'SMS/s', messages / result.endToEndSeconds, variantLoad);
          console.log(
            `run ${run} ${variant} (load ${variantLoad}): ${formatNumber(messages / result.submitSeconds)} SMS/s first to last submit_sm ` +
              `(${result.submitSeconds.toFixed(2)} s), ${formatNumber(messages / result.endToEndSeconds)} SMS/s from the first request, ` +
              `HTTP requests ${result.requestSeconds.toFixed(2)} s, ${result.deliveryReports} delivery reports back`,
          );
        }
      } else {
        const result = await runOurs(messages);
        rows.record('ours: first to last submit_sm', 'SMS/s', messages / result.submitSeconds, load);
        rows.record('ours: switch ON to last SmsAttempted recorded', 'SMS/s', messages / result.endToEndSeconds, load);
        console.log(
          `run ${run} ours (load ${load}): ${formatNumber(messages / result.submitSeconds)} SMS/s first to last submit_sm ` +
            `(${result.submitSeconds.toFixed(2)} s), ${formatNumber(messages / result.endToEndSeconds)} SMS/s switch ON to every ` +
            `SmsAttempted recorded (${result.endToEndSeconds.toFixed(2)} s), duplicate submits ${result.duplicates}`,
        );
      }
    }
  }

  writeReport(flagValue(args, '--json'), {
    comparison: 'kannel',
    title: `Send rate against Kannel 1.4.5 (${formatNumber(messages)} SMS to the SMSC simulator)`,
    rows: rows.toRows(),
    ratios: [
      {
        label: 'submit rate at the SMSC, ours / Kannel with delivery reports',
        ours: 'ours: first to last submit_sm',
        peer: 'Kannel, delivery reports on: first to last submit_sm',
      },
      {
        label: 'submit rate at the SMSC, ours / Kannel without delivery reports',
        ours: 'ours: first to last submit_sm',
        peer: 'Kannel, delivery reports off: first to last submit_sm',
      },
      {
        label: 'end to end, ours (switch ON to recorded) / Kannel with reports (first request to last submit_sm)',
        ours: 'ours: switch ON to last SmsAttempted recorded',
        peer: 'Kannel, delivery reports on: first sendsms request to last submit_sm',
      },
    ],
    notes: [
      `Kannel: bearerbox and smsbox of Debian's kannel 1.4.5-12, SMPP transceiver with max-pending-submits ${KANNEL_MAX_PENDING_SUBMITS}, ` +
        `file store on, fed by ${concurrency} keep-alive HTTP connections. With delivery reports on, each request asks for them ` +
        '(dlr-mask 3) and smsbox forwards each to a local HTTP sink, as our pipeline records each one as an event; ' +
        'with them off, Kannel only submits.',
      'Ours: the server profile (projector, api, scheduler, two senders, PostgreSQL, NATS JetStream), targets imported and projected before the clock starts.',
      `Both send to the SMSC simulator as its own process (receipts 100 ms after submit); first and last submit_sm are read from its ` +
        `stats counter every ${STATS_POLL_MS} ms.`,
    ],
  });
}

async function runKannel(
  messages: number,
  concurrency: number,
  withReports: boolean,
): Promise<{ submitSeconds: number; endToEndSeconds: number; requestSeconds: number; deliveryReports: number }> {
  const simulator = await startSimulatorApp('bench', 'bench', { SMSC_RECEIPT_DELAY_MS: '100' }, BUILD_DIR);
  const workDir = await mkdtemp(join(tmpdir(), 'bench-kannel-'));
  const daemons: ChildProcess[] = [];
  const sink = await startDeliveryReportSink();
  try {
    const ports = { admin: await freePort(), smsbox: await freePort(), sendsms: await freePort() };
    const adminPassword = randomBytes(12).toString('hex');
    const configPath = join(workDir, 'kannel.conf');
    await writeFile(configPath, kannelConfig(workDir, ports, adminPassword, new URL(simulator.smppUrl)));

    daemons.push(startDaemon(BEARERBOX, configPath, workDir, 'bearerbox'));
    await waitUntil(() => smscOnline(ports.admin, adminPassword), 30_000, 'Kannel bearerbox to bind to the simulator', workDir);
    daemons.push(startDaemon(SMSBOX, configPath, workDir, 'smsbox'));
    await waitUntil(() => sendsmsAnswers(ports.sendsms), 30_000, 'Kannel smsbox to accept sendsms requests', workDir);

    const watcher = watchSubmits(simulator.statsUrl, messages);
    const started = performance.now();
    await sendAll(ports.sendsms, withReports ? sink.port : undefined, messages, concurrency);
    const requestSeconds = (performance.now() - started) / 1000;
    const window = await watcher.done;

    // Delivery reports reach the sink about 100 ms after the last submit; they are counted, not timed.
    const reportsDeadline = Date.now() + 10_000;
    while (withReports && sink.count() < messages && Date.now() < reportsDeadline) await sleep(100);
    return {
      submitSeconds: (window.lastAt - window.firstAt) / 1000,
      endToEndSeconds: (window.lastAt - started) / 1000,
      requestSeconds,
      deliveryReports: sink.count(),
    };
  } finally {
    for (const daemon of daemons.reverse()) await stopByPid(daemon);
    await sink.close();
    await simulator.app.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * Kannel's configuration: every listener on 127.0.0.1, logs and the message store in the
 * temporary folder, one SMPP transceiver to the simulator, one sendsms user.
 */
function kannelConfig(
  workDir: string,
  ports: { admin: number; smsbox: number; sendsms: number },
  adminPassword: string,
  smpp: URL,
): string {
  return `group = core
admin-port = ${ports.admin}
admin-interface = 127.0.0.1
admin-password = ${adminPassword}
admin-allow-ip = 127.0.0.1
smsbox-port = ${ports.smsbox}
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "${join(workDir, 'bearerbox.log')}"
log-level = 2
store-type = file
store-location = "${join(workDir, 'kannel.store')}"
dlr-storage = internal

group = smsc
smsc = smpp
smsc-id = simulator
host = 127.0.0.1
port = ${smpp.port}
transceiver-mode = true
smsc-username = ${decodeURIComponent(smpp.username)}
smsc-password = ${decodeURIComponent(smpp.password)}
system-type = ""
max-pending-submits = ${KANNEL_MAX_PENDING_SUBMITS}

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = ${ports.smsbox}
sendsms-port = ${ports.sendsms}
sendsms-interface = 127.0.0.1
log-file = "${join(workDir, 'smsbox.log')}"
log-level = 2

group = sendsms-user
username = bench
password = bench
max-messages = 1

group = sms-service
keyword = default
text = ""
max-messages = 0
`;
}

function startDaemon(binary: string, configPath: string, workDir: string, name: string): ChildProcess {
  const daemon = spawn(binary, ['-v', '2', configPath], { cwd: workDir, stdio: ['ignore', 'ignore', 'ignore'] });
  daemon.once('error', (error) => console.error(`${name} failed to start: ${error.message}`));
  return daemon;
}

/** Sends SIGTERM to the daemon's PID and waits for it to end; SIGKILL after 10 s. */
async function stopByPid(daemon: ChildProcess): Promise<void> {
  if (daemon.pid === undefined || daemon.exitCode !== null || daemon.signalCode !== null) return;
  const exited = once(daemon, 'exit');
  process.kill(daemon.pid, 'SIGTERM');
  const killTimer = setTimeout(() => {
    if (daemon.pid !== undefined && daemon.exitCode === null) process.kill(daemon.pid, 'SIGKILL');
  }, 10_000);
  await exited;
  clearTimeout(killTimer);
}

async function smscOnline(adminPort: number, password: string): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${adminPort}/status.txt?password=${password}`).catch(() => undefined);
  if (response === undefined) return false;
  return /simulator\[simulator\].*\(online/.test(await response.text());
}

/** Returns true once smsbox responds on its sendsms port, whatever the HTTP status. */
async function sendsmsAnswers(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/cgi-bin/sendsms`).catch(() => undefined);
  return response !== undefined;
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number, what: string, workDir: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      const logs = await Promise.all(['bearerbox.log', 'smsbox.log'].map((file) => readFile(join(workDir, file), 'utf8').catch(() => '')));
      throw new Error(`timed out waiting for ${what}; last log lines:\n${logs.map((log) => log.slice(-2000)).join('\n')}`);
    }
    await sleep(100);
  }
}

/**
 * Requests every SMS through smsbox's sendsms interface, `concurrency` requests at a time over
 * keep-alive connections. The text has an `ê`, outside the GSM 7-bit alphabet, so both sides send
 * it as UCS-2, as our pipeline does for the same template.
 */
async function sendAll(port: number, sinkPort: number | undefined, messages: number, concurrency: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  // Kannel fills in %d with the report type (1 delivered, 2 undelivered, ...) when it calls the URL.
  const reports = sinkPort === undefined ? '' : `&dlr-mask=3&dlr-url=${encodeURIComponent(`http://127.0.0.1:${sinkPort}/dlr?type=%d`)}`;
  let next = 0;
  const worker = async () => {
    while (next < messages) {
      const index = next;
      next += 1;
      const to = encodeURIComponent(`+336${10_000_000 + index}`);
      const text = encodeURIComponent(`Bonjour Client${index}, votre commande est prête.`);
      const path = `/cgi-bin/sendsms?username=bench&password=bench&from=BENCH&to=${to}&text=${text}` + `&charset=UTF-8&coding=2${reports}`;
      const status = await httpGet(agent, port, path);
      if (status !== 202) throw new Error(`sendsms returned HTTP ${status} for message ${index}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
}

function httpGet(agent: Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = get({ host: '127.0.0.1', port, path, agent }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
    });
    request.once('error', reject);
  });
}

/** Starts an HTTP server on 127.0.0.1 that counts the delivery reports smsbox forwards. */
async function startDeliveryReportSink(): Promise<{ port: number; count(): number; close(): Promise<void> }> {
  let received = 0;
  const server = createServer((request, response) => {
    received += 1;
    request.resume();
    response.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    count: () => received,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Reads the simulator's submit counter until it reaches `expected`; resolves with when it first moved and when it got there. */
function watchSubmits(statsUrl: string, expected: number): { done: Promise<SubmitWindow> } {
  const done = (async () => {
    const deadline = performance.now() + RUN_TIMEOUT_MS;
    let firstAt: number | undefined;
    for (;;) {
      const stats = (await (await fetch(statsUrl)).json()) as SmscSimulatorStats;
      const now = performance.now();
      if (firstAt === undefined && stats.submitsTotal > 0) firstAt = now;
      if (firstAt !== undefined && stats.submitsTotal >= expected) return { firstAt, lastAt: now };
      if (now > deadline)
        throw new Error(`the simulator counted ${stats.submitsTotal} of ${expected} submits after ${RUN_TIMEOUT_MS / 1000} s`);
      await sleep(STATS_POLL_MS);
    }
  })();
  // The caller awaits `done` later; this keeps a failure before then from being an unhandled rejection.
  done.catch(() => undefined);
  return { done };
}

/**
 * Our server profile: targets imported and projected first, then the clock runs from the switch
 * ON until every target has its SmsAttempted in the read model.
 */
async function runOurs(messages: number): Promise<{ submitSeconds: number; endToEndSeconds: number; duplicates: number }> {
  const simulator = await startSimulatorApp('bench', 'bench', { SMSC_RECEIPT_DELAY_MS: '100' }, BUILD_DIR);
  try {
    const deployment = await deployServerProfile(simulator.smppUrl, { senders: 2, buildDir: BUILD_DIR });
    try {
      const maker = httpClient(
        deployment.apiUrl,
        await signAccessToken(deployment.env.AUTH_JWT_SECRET, { sub: 'bench', roles: ['maker'] }),
      );
      const sender = await maker.post('/senders', { name: 'Bench', senderId: 'BENCH' });
      const template = await maker.post('/templates', { name: 'Bench', body: 'Bonjour {{firstName}}, votre commande est prête.' });
      const campaign = await maker.post('/campaigns', {
        name: 'Bench Kannel',
        reference: `BK-${Date.now()}`,
        senderId: sender.body.id,
        templateId: template.body.id,
        refreshSeconds: 1,
      });
      const campaignId = String(campaign.body.id);
      const rows = Array.from({ length: messages }, (_, index) => `06${10_000_000 + index},,${(index % 10) + 1},false,Client${index}`);
      await importCsv(maker, campaignId, ['phoneNumber,startDate,priority,insertIfDuplicate,firstName', ...rows].join('\n'), 300_000);
      await countsWhen(maker, campaignId, (counts) => (counts.pending ?? 0) >= messages, 300_000, 'every target pending');

      const watcher = watchSubmits(simulator.statsUrl, messages);
      const started = performance.now();
      await maker.post(`/campaigns/${campaignId}/status`, { status: 'ON' });
      await countsWhen(
        maker,
        campaignId,
        (counts) => RECORDED_STATUSES.reduce((sum, status) => sum + (counts[status] ?? 0), 0) >= messages,
        RUN_TIMEOUT_MS,
        'every attempt recorded',
      );
      const endToEndSeconds = (performance.now() - started) / 1000;
      const window = await watcher.done;
      const stats = (await (await fetch(simulator.statsUrl)).json()) as SmscSimulatorStats;
      return { submitSeconds: (window.lastAt - window.firstAt) / 1000, endToEndSeconds, duplicates: stats.duplicateDestinations };
    } finally {
      await deployment.stop();
    }
  } finally {
    await simulator.app.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench kannel failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
