import { resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { RunningService, signAccessToken, startService } from '@sms/application';
import { sampleWithoutStartDates } from './sample-data';

/**
 * Runs the main job on the bundled sample, end to end over the REST API. It creates a sender, a
 * template and a campaign, imports test/fixtures/targets-sample.csv with its start dates cleared,
 * switches the campaign ON and follows it until every target is final. The embedded profile runs
 * in this process (under DATA_DIR, default ./data/demo) unless DEMO_URL names a running service.
 */
const FINAL_STATUSES = ['delivered', 'undelivered', 'failed', 'unknown', 'cancelled', 'expired', 'optedOut'] as const;

type Counts = Record<string, number>;

interface Created {
  readonly id: string;
}
interface ImportStatus {
  readonly status: 'RUNNING' | 'DONE' | 'FAILED';
  readonly imported: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly errors: ReadonlyArray<{ line: number; value: string; reason: string }>;
}

async function main(): Promise<void> {
  const started = Date.now();
  let service: RunningService | undefined;
  let url = process.env.DEMO_URL;
  let secret = process.env.AUTH_JWT_SECRET;
  if (url === undefined) {
    service = await startService(['projector', 'api', 'scheduler', 'sender'], {
      LOG_LEVEL: 'warn',
      DATA_DIR: resolve('data', 'demo'),
      PORT: '0',
      ...process.env,
    });
    url = service.url ?? '';
    secret = service.infrastructure.secrets.jwtSecret;
  }
  if (secret === undefined) throw new Error('set AUTH_JWT_SECRET to the service secret when DEMO_URL is given');
  const api = client(url, await signAccessToken(secret, { sub: 'demo', roles: ['maker'] }));

  try {
    const sender = await api.post<Created>('/senders', { name: 'Demo sender', senderId: 'DEMO' });
    const template = await api.post<Created>('/templates', {
      name: 'Demo',
      body: 'Bonjour {{firstName}}, votre solde est de {{amount}} EUR.',
      language: 'fr',
    });
    const campaign = await api.post<Created>('/campaigns', {
      name: `Demo ${new Date().toISOString()}`,
      reference: `DEMO-${Date.now()}`,
      senderId: sender.id,
      templateId: template.id,
      timeZone: 'Europe/Paris',
      refreshSeconds: 1,
    });
    console.log(`campaign ${campaign.id} created`);

    const csv = await sampleWithoutStartDates();
    const { importId } = await api.post<{ importId: string }>(`/campaigns/${campaign.id}/imports`, csv, 'text/csv');
    const imported = await waitForImport(api, importId);
    console.log(`import: ${imported.imported} targets, ${imported.duplicates} duplicates skipped, ${imported.rejected} rows rejected`);
    for (const error of imported.errors.slice(0, 10)) console.log(`  line ${error.line}: ${error.reason}`);

    const toggled = await api.post<{ sessionId: string }>(`/campaigns/${campaign.id}/status`, { status: 'ON' });
    console.log(`campaign ON, session ${toggled.sessionId}`);
    const sendStart = Date.now();
    const counts = await follow(api, campaign.id, imported.imported);
    const seconds = (Date.now() - sendStart) / 1000;

    console.log('\nsummary');
    for (const [status, count] of Object.entries(counts)) if (count > 0) console.log(`  ${status.padEnd(12)} ${count}`);
    console.log(
      `  ${imported.imported} targets final in ${seconds.toFixed(1)} s (${(imported.imported / seconds).toFixed(0)} SMS/s); whole demo ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    await service?.stop();
  }
}

async function waitForImport(api: Api, importId: string): Promise<ImportStatus> {
  for (;;) {
    const status = await api.get<ImportStatus>(`/imports/${importId}`);
    if (status.status !== 'RUNNING') return status;
    await sleep(200);
  }
}

async function follow(api: Api, campaignId: string, total: number): Promise<Counts> {
  const bar = new SingleBar({ format: 'sending [{bar}] {value}/{total} final | {sent} awaiting receipt | {eta_formatted} left' });
  bar.start(total, 0, { sent: 0 });
  try {
    for (;;) {
      const { counts } = await api.get<{ counts: Counts }>(`/campaigns/${campaignId}`);
      const final = FINAL_STATUSES.reduce((sum, status) => sum + (counts[status] ?? 0), 0);
      bar.update(final, { sent: counts.sent ?? 0 });
      if (final >= total) return counts;
      await sleep(250);
    }
  } finally {
    bar.stop();
  }
}

type Api = ReturnType<typeof client>;

function client(baseUrl: string, token: string) {
  const call = async <Body>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Body> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body: serialise(body),
    });
    const payload: unknown = await response.json();
    if (!response.ok) throw new Error(`${method} ${path} returned ${response.status}: ${JSON.stringify(payload)}`);
    return payload as Body;
  };
  return {
    get: <Body>(path: string) => call<Body>('GET', path),
    post: <Body>(path: string, body: unknown, contentType?: string) => call<Body>('POST', path, body, contentType),
  };
}

function serialise(body: unknown): string | undefined {
  if (body === undefined || typeof body === 'string') {
    return body;
  }
  return JSON.stringify(body);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${(error as Error).message}`);
  process.exit(1);
});
