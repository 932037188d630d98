import { RunningService, signAccessToken, startService } from '@sms/application';
import { SmscSimulator } from '@sms/sms-gateway';
import { eventually, HttpClient, httpClient } from './http-client';
import { createTempDirectory, isolatedEnvironment } from './test-environment';

type SimulatorOptions = Omit<ConstructorParameters<typeof SmscSimulator>[0], 'host' | 'port' | 'systemId' | 'password'>;

export interface EmbeddedService {
  readonly service: RunningService;
  readonly simulator: SmscSimulator;
  /** A client with a maker token. */
  readonly maker: HttpClient;
  readonly secret: string;
  stop(): Promise<void>;
}

/**
 * Starts the embedded profile (all four parts, PGlite in a temporary folder) against an SMSC
 * simulator of its own, reached over SMPP like a real SMSC.
 */
export async function startEmbeddedService(
  simulatorOptions: SimulatorOptions = {},
  env: Record<string, string> = {},
): Promise<EmbeddedService> {
  const simulator = new SmscSimulator({ host: '127.0.0.1', port: 0, systemId: 'e2e', password: 'secret', ...simulatorOptions });
  await simulator.start();
  const dataDir = await createTempDirectory();
  const settings: Record<string, string> = {
    ...isolatedEnvironment(),
    DATA_DIR: dataDir.path,
    PORT: '0',
    SMS_GATEWAY: 'smpp',
    SMPP_URL: `smpp://e2e:secret@127.0.0.1:${simulator.port}`,
    ...env,
  };
  const service = await startService(['projector', 'api', 'scheduler', 'sender'], settings, 'e2e');
  const secret = settings.AUTH_JWT_SECRET;
  const maker = httpClient(service.url ?? '', await signAccessToken(secret, { sub: 'alice', roles: ['maker'] }));
  return {
    service,
    simulator,
    maker,
    secret,
    stop: async () => {
      await service.stop();
      await simulator.close();
      await dataDir.remove();
    },
  };
}

/** Creates a sender, a template and a campaign; returns the campaign id. */
export async function createCampaign(
  maker: HttpClient,
  options: { body?: string; campaign?: Record<string, unknown> } = {},
): Promise<string> {
  const sender = await maker.post('/senders', { name: 'Support', senderId: 'ACME' });
  const template = await maker.post('/templates', { name: 'Template', body: options.body ?? 'Bonjour, votre commande est prête.' });
  const campaign = await maker.post('/campaigns', {
    name: 'Relance',
    reference: `REF-${Date.now()}`,
    senderId: sender.body.id,
    templateId: template.body.id,
    timeZone: 'Europe/Paris',
    refreshSeconds: 1,
    ...options.campaign,
  });
  if (campaign.status !== 201) {
    throw new Error(`campaign creation returned ${campaign.status}: ${JSON.stringify(campaign.body)}`);
  }
  return String(campaign.body.id);
}

/** Uploads a CSV as text/csv and waits for the import to end; returns its final status. */
export async function importCsv(maker: HttpClient, campaignId: string, csv: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  const upload = await maker.post<{ importId: string }>(`/campaigns/${campaignId}/imports`, csv, { contentType: 'text/csv' });
  if (upload.status !== 202) {
    throw new Error(`import returned ${upload.status}: ${JSON.stringify(upload.body)}`);
  }
  return eventually(
    async () => {
      // 404 until the projector has seen the import, which may run in another process.
      const response = await maker.get(`/imports/${upload.body.importId}`);
      return response.body.status === 'DONE' || response.body.status === 'FAILED' ? response.body : undefined;
    },
    timeoutMs,
    'the import to end',
  );
}

/** Waits until `probe` holds for the campaign's counts; returns them. */
export function countsWhen(
  maker: HttpClient,
  campaignId: string,
  probe: (counts: Record<string, number>) => boolean,
  timeoutMs: number,
  what: string,
): Promise<Record<string, number>> {
  return eventually(
    async () => {
      const { body } = await maker.get<{ counts: Record<string, number> }>(`/campaigns/${campaignId}`);
      return probe(body.counts) ? body.counts : undefined;
    },
    timeoutMs,
    what,
  );
}
