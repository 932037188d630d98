import { loadavg } from 'node:os';
import { join } from 'node:path';
import { signAccessToken } from '@sms/application';
import { SmscSimulator } from '@sms/sms-gateway';
import pino from 'pino';
import { generatedTargetsCsv, switchOn, waitUntilSettled } from '../test/support/campaign-run';
import { readCampaignTargetStreams } from '../test/support/dispatch-audit';
import { createCampaign, importCsv } from '../test/support/embedded-service';
import { httpClient } from '../test/support/http-client';
import { deployServerProfile } from '../test/support/server-profile';

/**
 * Due-to-submit latency on the server profile: from the moment a target is due until the SMSC
 * simulator receives its submit_sm. A target with a start date is due at that date. One without
 * is due as soon as the campaign is ON, and its claim (SmsAttemptStarted) stands in for its due
 * time, so for those the figure covers claim to submit only.
 *
 *   npm run bench:latency                                  10,000 targets, half with start dates
 *   npm run bench:latency -- --targets 4000 --delay 45
 *
 * Half the targets have no start date and go as soon as the campaign is ON. The other half get
 * start dates spread evenly over 30 s, from `--delay` seconds (default 60) after the CSV is
 * written, so they fall due while nothing else is queued. Start dates that passed before the
 * switch ON are left out of the figures and counted. The simulator runs in this process and
 * answers every submit at once. Needs PostgreSQL and NATS on 127.0.0.1.
 */
const SPREAD_MS = 30_000;
const BUILD_DIR = join(__dirname, '..');

interface TargetTimes {
  phoneNumber: string;
  startDate: number | undefined;
  claimedAt: number | undefined;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  console.log(
    `bench:latency ${args.targets} targets, start dates ${args.delaySeconds} s ahead, node ${process.version}, ` +
      `${new Date().toISOString()}, load ${loadavg()
        .map((load) => load.toFixed(2))
        .join(' ')}`,
  );

  const simulator = new SmscSimulator({ systemId: 'latency', password: 'latency', receiptDelayMs: 100, logger: pino({ level: 'silent' }) });
  await simulator.start();
  const deployment = await deployServerProfile(`smpp://latency:latency@127.0.0.1:${simulator.port}`, {
    senders: 2,
    buildDir: BUILD_DIR,
  }).catch(async (error: unknown) => {
    await simulator.close();
    throw error;
  });
  try {
    const maker = httpClient(deployment.apiUrl, await signAccessToken(deployment.env.AUTH_JWT_SECRET, { sub: 'bench', roles: ['maker'] }));
    const campaignId = await createCampaign(maker, { body: 'Bonjour {{firstName}}, votre commande est prête.' });
    const firstDueAt = Date.now() + args.delaySeconds * 1000;
    await importCsv(maker, campaignId, withStartDates(generatedTargetsCsv(args.targets), firstDueAt), 600_000);

    const switchedOnAt = Date.now();
    await switchOn(maker, campaignId);
    const settled = await waitUntilSettled(maker, campaignId, args.delaySeconds * 1000 + SPREAD_MS + 300_000);
    if (!settled) console.log('warning: some targets were still pending, in progress or SENT at the deadline');

    const targets = await readTargetTimes(deployment.databaseUrl, deployment.env.NUMBER_HASH_KEY, campaignId);
    const submittedAt = new Map<string, number>();
    for (const submit of simulator.submits()) {
      if (!submittedAt.has(submit.destination)) submittedAt.set(submit.destination, submit.receivedAt.getTime());
    }
    report(targets, submittedAt, switchedOnAt);
  } finally {
    await deployment.stop();
    await simulator.close();
  }
}

/** Gives every second row a start date, spread evenly over SPREAD_MS from `firstDueAt`. */
function withStartDates(csv: string, firstDueAt: number): string {
  const [header, ...rows] = csv.split('\n');
  const dated = rows.map((row, index) => {
    if (index % 2 === 0) return row;
    const startDate = new Date(firstDueAt + Math.floor((index / rows.length) * SPREAD_MS)).toISOString();
    return row.replace(/^([^,]*),,/, `$1,${startDate},`);
  });
  return [header, ...dated].join('\n');
}

async function readTargetTimes(databaseUrl: string, numberHashKey: string, campaignId: string): Promise<TargetTimes[]> {
  const targets: TargetTimes[] = [];
  for (const events of (await readCampaignTargetStreams(databaseUrl, numberHashKey, campaignId)).values()) {
    const added = events.find((event) => event.type === 'TargetAdded');
    if (added === undefined) continue;
    const startDate = added.data.startDate;
    const claim = events.find((event) => event.type === 'SmsAttemptStarted');
    targets.push({
      phoneNumber: String(added.data.phoneNumber),
      startDate: typeof startDate === 'string' ? Date.parse(startDate) : undefined,
      claimedAt: claim === undefined ? undefined : Date.parse(String(claim.data.startedAt)),
    });
  }
  return targets;
}

function report(targets: readonly TargetTimes[], submittedAt: ReadonlyMap<string, number>, switchedOnAt: number): void {
  const dated: number[] = [];
  const undated: number[] = [];
  let overdue = 0;
  let unsent = 0;
  for (const target of targets) {
    const submitted = submittedAt.get(target.phoneNumber.replace(/^\+/, ''));
    if (submitted === undefined || target.claimedAt === undefined) {
      unsent += 1;
    } else if (target.startDate === undefined) {
      undated.push(submitted - target.claimedAt);
    } else if (target.startDate < switchedOnAt) {
      overdue += 1;
    } else {
      dated.push(submitted - target.startDate);
    }
  }
  console.log(`with a start date (due at the start date): ${summarise(dated)}`);
  console.log(`without a start date (due at the claim): ${summarise(undated)}`);
  console.log(`left out: ${overdue} whose start date passed before the switch ON, ${unsent} without a claim or a submit`);
  console.log(
    `load after the run ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
}

function summarise(latencies: readonly number[]): string {
  if (latencies.length === 0) return 'no targets';
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
  return `${sorted.length} targets, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${sorted[sorted.length - 1]} ms`;
}

function parseArgs(args: readonly string[]) {
  const value = (flag: string) => {
    const index = args.indexOf(flag);
    return index === -1 ? undefined : args[index + 1];
  };
  return { targets: Number(value('--targets') ?? 10_000), delaySeconds: Number(value('--delay') ?? 60) };
}

main().catch((error: unknown) => {
  console.error(`bench:latency failed: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
