import { randomBytes, randomUUID } from 'node:crypto';
import { RunningService, signAccessToken, startService } from '@sms/application';
// The fake provider is test code, which builds leave out, so it is not exported from @sms/sms-gateway.
import { FakeHttpProvider } from '../../libs/sms-gateway/src/http/testing/fake-http-provider';
import { countsWhen, createCampaign } from '../support/embedded-service';
import { eventually, HttpClient, httpClient } from '../support/http-client';
import { createTempDirectory, isolatedEnvironment } from '../support/test-environment';

const TEMPLATE = { body: 'Bonjour {{firstName}} !' };

/** A number whose submit the fake provider never responds to. */
const STALLED_NUMBER = '+33612349999';

/** The embedded profile with SMS_GATEWAY=http against a local fake provider: submits out, signed status callbacks in. */
describe('HTTP provider on the embedded profile', () => {
  let provider: FakeHttpProvider;
  let service: RunningService;
  let maker: HttpClient;
  let removeDataDir: () => Promise<void>;

  beforeAll(async () => {
    const apiKey = `key-${randomUUID()}`;
    const webhookSecret = randomBytes(32).toString('hex');
    provider = new FakeHttpProvider({ apiKey, webhookSecret, callbackDelayMs: 30 });
    provider.setResponse((submit) => (submit.to === STALLED_NUMBER ? { kind: 'hang' } : { kind: 'accept' }));
    await provider.start();

    const dataDir = await createTempDirectory();
    removeDataDir = dataDir.remove;
    const env: Record<string, string> = {
      ...isolatedEnvironment(),
      DATA_DIR: dataDir.path,
      PORT: '0',
      SMS_GATEWAY: 'http',
      HTTP_PROVIDER_URL: provider.url,
      HTTP_PROVIDER_API_KEY: apiKey,
      HTTP_PROVIDER_WEBHOOK_SECRET: webhookSecret,
      HTTP_PROVIDER_WEBHOOK_PORT: '0',
      // Long enough that PGlite, which runs on the same event loop, does not delay a response past it.
      HTTP_PROVIDER_TIMEOUT_MS: '3000',
    };
    service = await startService(['projector', 'api', 'scheduler', 'sender'], env, 'e2e-http');
    maker = httpClient(service.url ?? '', await signAccessToken(env.AUTH_JWT_SECRET, { sub: 'alice', roles: ['maker'] }));
  });

  afterAll(async () => {
    await service?.stop();
    await provider?.close();
    await removeDataDir?.();
  });

  async function addTarget(campaignId: string, phoneNumber: string, firstName: string): Promise<string> {
    const added = await maker.post(`/campaigns/${campaignId}/targets`, { phoneNumber, layout: { name: 'crm', values: { firstName } } });
    expect(added.status).toBe(201);
    return String(added.body.id);
  }

  async function eventTypes(targetId: string): Promise<string[]> {
    return (await service.infrastructure.eventStore.readStream(`target-${targetId}`)).map((event) => event.type);
  }

  function submitsTo(phoneNumber: string) {
    return provider.submits().filter((submit) => submit.body.to === phoneNumber);
  }

  it('delivers every target through status callbacks', async () => {
    const campaignId = await createCampaign(maker, TEMPLATE);
    const numbers = ['+33612340001', '+33612340002', '+33612340003'];
    const targetIds = [
      await addTarget(campaignId, numbers[0], 'Léa'),
      await addTarget(campaignId, numbers[1], 'Zoé'),
      await addTarget(campaignId, numbers[2], 'Ana'),
    ];

    expect((await maker.post(`/campaigns/${campaignId}/status`, { status: 'ON' })).status).toBe(200);
    const counts = await countsWhen(maker, campaignId, (current) => current.delivered === 3, 20_000, 'every target delivered');

    expect(counts).toMatchObject({ delivered: 3, sent: 0, unknown: 0, failed: 0 });
    for (const targetId of targetIds) {
      expect(await eventTypes(targetId)).toEqual([
        'TargetAdded',
        'SmsAttemptStarted',
        'SmsSubmissionStarted',
        'SmsAttempted',
        'SmsDeliveryReported',
      ]);
    }
    for (const [index, phoneNumber] of numbers.entries()) {
      const submits = submitsTo(phoneNumber);
      expect(submits).toHaveLength(1);
      expect(submits[0].body).toMatchObject({ from: 'ACME', text: `Bonjour ${['Léa', 'Zoé', 'Ana'][index]} !` });
    }
    const target = await maker.get(`/campaigns/${campaignId}/targets/${targetIds[0]}`);
    expect(target.body).toMatchObject({
      status: 'DELIVERED',
      attempts: [{ status: 'DELIVERED', providerMessageId: submitsTo(numbers[0])[0].id }],
    });
  });

  it('adds no event for duplicate or late callbacks', async () => {
    const campaignId = await createCampaign(maker, TEMPLATE);
    const phoneNumber = '+33612340011';
    const targetId = await addTarget(campaignId, phoneNumber, 'Léa');
    await maker.post(`/campaigns/${campaignId}/status`, { status: 'ON' });
    await countsWhen(maker, campaignId, (current) => current.delivered === 1, 20_000, 'the target delivered');
    const before = await service.infrastructure.eventStore.readStream(`target-${targetId}`);

    const [submit] = submitsTo(phoneNumber);
    const url = submit.body.statusCallbackUrl;
    const later = (status: string, seconds: number) => ({
      id: submit.id,
      status,
      doneAt: new Date(Date.now() + seconds * 1000).toISOString(),
    });
    const statuses = [
      await provider.postCallback(url, later('delivered', 1)),
      await provider.postCallback(url, later('delivered', 2)),
      await provider.postCallback(url, later('enroute', 3)),
      await provider.postCallback(url, later('undelivered', 4)),
    ];
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(statuses).toEqual([204, 204, 204, 204]);
    const after = await service.infrastructure.eventStore.readStream(`target-${targetId}`);
    expect(after).toHaveLength(before.length);
    expect(after.filter((event) => event.type === 'SmsDeliveryReported')).toHaveLength(1);
    const target = await maker.get(`/campaigns/${campaignId}/targets/${targetId}`);
    expect(target.body).toMatchObject({ status: 'DELIVERED', attempts: [{ status: 'DELIVERED' }] });
  });

  it('leaves a timed-out submit UNKNOWN and sends it once', async () => {
    const campaignId = await createCampaign(maker, { ...TEMPLATE, campaign: { maxAttempts: 3, retryDelaySeconds: 1 } });
    const targetId = await addTarget(campaignId, STALLED_NUMBER, 'Léa');

    await maker.post(`/campaigns/${campaignId}/status`, { status: 'ON' });
    await countsWhen(maker, campaignId, (current) => current.unknown === 1, 20_000, 'the attempt to end UNKNOWN');
    // Longer than retryDelaySeconds, so that a retry of the attempt would have been sent by now.
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    expect(submitsTo(STALLED_NUMBER)).toHaveLength(1);
    const target = await eventually(
      async () => {
        const response = await maker.get<{ status: string; attempts: Array<{ status: string; error: { code: string; reason: string } }> }>(
          `/campaigns/${campaignId}/targets/${targetId}`,
        );
        return response.body.attempts.length === 1 ? response.body : undefined;
      },
      5_000,
      'the attempt in the target read model',
    );
    expect(target.status).toBe('UNKNOWN');
    expect(target.attempts[0]).toMatchObject({
      status: 'UNKNOWN',
      error: { code: 'OUTCOME_UNKNOWN', reason: 'provider did not respond within 3000 ms' },
    });
    expect(await eventTypes(targetId)).toEqual(['TargetAdded', 'SmsAttemptStarted', 'SmsSubmissionStarted', 'SmsAttempted']);
  });
});
