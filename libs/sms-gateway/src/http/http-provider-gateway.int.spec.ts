import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import pino from 'pino';

import type { DeliveryReceipt, InboundMessage, SmsGatewayListener, SmsSubmission, SubmitOutcome } from '../sms-gateway.port';
import { HttpProviderGateway, type HttpProviderGatewayOptions } from './http-provider-gateway';
import { WebhookListenError } from './http-provider-errors';
import { type FakeResponse, FakeHttpProvider } from './testing/fake-http-provider';

const silent = pino({ level: 'silent' });

class RecordingListener implements SmsGatewayListener {
  readonly receipts: DeliveryReceipt[] = [];
  readonly inbound: InboundMessage[] = [];

  async onDeliveryReceipt(receipt: DeliveryReceipt): Promise<void> {
    this.receipts.push(receipt);
  }

  async onInboundMessage(message: InboundMessage): Promise<void> {
    this.inbound.push(message);
  }
}

const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) {
    await close();
  }
});

interface Setup {
  readonly provider: FakeHttpProvider;
  readonly gateway: HttpProviderGateway;
  readonly listener: RecordingListener;
}

async function startProvider(
  options: { callbackStatuses?: readonly string[] } = {},
): Promise<{ provider: FakeHttpProvider; apiKey: string; secret: string }> {
  const apiKey = `key-${randomUUID()}`;
  const secret = randomBytes(32).toString('hex');
  const provider = new FakeHttpProvider({ apiKey, webhookSecret: secret, ...options });
  await provider.start();
  closers.push(() => provider.close());
  return { provider, apiKey, secret };
}

function createGateway(
  url: string,
  apiKey: string,
  secret: string,
  options: Partial<HttpProviderGatewayOptions> = {},
): HttpProviderGateway {
  const gateway = new HttpProviderGateway({ url, apiKey, webhookSecret: secret, webhookPort: 0, logger: silent, ...options });
  closers.push(() => gateway.close());
  return gateway;
}

async function setUp(options: Partial<HttpProviderGatewayOptions> = {}, answer?: (submit: SmsSubmission) => FakeResponse): Promise<Setup> {
  const { provider, apiKey, secret } = await startProvider();
  if (answer !== undefined) {
    provider.setResponse((body) => answer({ attemptId: body.reference, from: body.from, to: body.to, text: body.text }));
  }
  const gateway = createGateway(provider.url, apiKey, secret, options);
  const listener = new RecordingListener();
  await gateway.start(listener);
  return { provider, gateway, listener };
}

function submission(overrides: Partial<SmsSubmission> = {}): SmsSubmission {
  return { attemptId: randomUUID(), from: 'ACME', to: '+33612345678', text: 'Your code is 1234', ...overrides };
}

async function waitFor(condition: () => boolean, description: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${description}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

function acceptedId(outcome: SubmitOutcome): string {
  if (outcome.status !== 'ACCEPTED') {
    throw new Error(`expected ACCEPTED, got ${JSON.stringify(outcome)}`);
  }
  return outcome.providerMessageId;
}

describe('HttpProviderGateway - accepted submits', () => {
  it('posts the message with its reference and callback URL', async () => {
    const { provider, gateway } = await setUp();
    const message = submission({ text: 'Bonjour Léa, 10 € 😀' });

    const id = acceptedId(await gateway.submit(message));

    const [recorded] = provider.submits();
    expect(recorded.id).toBe(id);
    expect(recorded.authorization).toMatch(/^Bearer key-/);
    expect(recorded.body).toEqual({
      from: 'ACME',
      to: '+33612345678',
      text: 'Bonjour Léa, 10 € 😀',
      reference: message.attemptId,
      statusCallbackUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/webhooks\/http-provider\/status$/),
    });
  });

  it('hands the status callbacks to the listener', async () => {
    const { gateway, listener } = await setUp();

    const id = acceptedId(await gateway.submit(submission()));
    await waitFor(() => listener.receipts.length === 2, 'both callbacks arrive');

    expect(listener.receipts.map((receipt) => receipt.status)).toEqual(['ACCEPTED', 'DELIVERED']);
    expect(listener.receipts.every((receipt) => receipt.providerMessageId === id)).toBe(true);
    expect(listener.receipts[1].doneAt).toBeInstanceOf(Date);
  });

  it('uses the configured callback base URL', async () => {
    const { gateway, provider } = await setUp({ callbackBaseUrl: 'https://sms-callbacks.example.com/base/' });

    acceptedId(await gateway.submit(submission()));

    expect(provider.submits()[0].body.statusCallbackUrl).toBe('https://sms-callbacks.example.com/base/webhooks/http-provider/status');
  });

  it('never has more than maxConcurrentRequests submits unanswered', async () => {
    const { gateway, provider } = await setUp({ maxConcurrentRequests: 4 }, () => ({ kind: 'accept', delayMs: 200 }));

    const outcomes = await Promise.all(Array.from({ length: 12 }, (_, index) => gateway.submit(submission({ to: `+3361000${index}` }))));

    expect(outcomes.every((outcome) => outcome.status === 'ACCEPTED')).toBe(true);
    expect(provider.maxConcurrentSubmits()).toBeLessThanOrEqual(4);
    // More than one at once shows the submits overlap; exactly 4 depends on how fast this machine opens connections.
    expect(provider.maxConcurrentSubmits()).toBeGreaterThan(1);
    expect(provider.submits()).toHaveLength(12);
  });
});

describe('HttpProviderGateway - provider errors', () => {
  it.each([
    {
      answer: { status: 400, body: { code: 'INVALID_DESTINATION', message: 'not a mobile number' } },
      transient: false,
      errorCode: 'INVALID_DESTINATION',
    },
    { answer: { status: 422, body: { code: 'CONTENT_REJECTED' } }, transient: false, errorCode: 'CONTENT_REJECTED' },
    { answer: { status: 400, body: { message: 'bad request' } }, transient: false, errorCode: 'HTTP_400' },
    { answer: { status: 422, body: { code: 'a code with spaces' } }, transient: false, errorCode: 'HTTP_422' },
    { answer: { status: 413 }, transient: false, errorCode: 'HTTP_413' },
    { answer: { status: 503 }, transient: true, errorCode: 'PROVIDER_UNAVAILABLE' },
    { answer: { status: 429 }, transient: true, errorCode: 'THROTTLED' },
    { answer: { status: 404 }, transient: true, errorCode: 'HTTP_404' },
    { answer: { status: 302, headers: { location: 'https://elsewhere.example.com/messages' } }, transient: true, errorCode: 'HTTP_302' },
  ])('maps $answer.status to REJECTED $errorCode, transient $transient', async ({ answer, transient, errorCode }) => {
    const { gateway, provider } = await setUp({}, () => ({ kind: 'status', ...answer }));

    const outcome = await gateway.submit(submission());

    expect(outcome).toMatchObject({ status: 'REJECTED', transient, errorCode });
    expect(provider.requestCount()).toBe(1);
  });

  it('names the provider message in the reason', async () => {
    const { gateway } = await setUp({}, () => ({
      kind: 'status',
      status: 400,
      body: { code: 'INVALID_DESTINATION', message: 'not a mobile number' },
    }));

    const outcome = await gateway.submit(submission());

    expect(outcome).toMatchObject({ reason: 'provider rejected the message with 400 (INVALID_DESTINATION: not a mobile number)' });
  });

  it.each([500, 502, 504])('maps %i to UNKNOWN, since the message may have been taken', async (status) => {
    const { gateway, provider } = await setUp({}, () => ({ kind: 'status', status, body: { message: 'internal error' } }));

    const outcome = await gateway.submit(submission());

    expect(outcome).toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining(`provider responded ${status}`) });
    expect(provider.requestCount()).toBe(1);
  });

  it('maps a 2xx without an id to UNKNOWN', async () => {
    const { gateway } = await setUp({}, () => ({ kind: 'status', status: 200, body: { queued: true } }));

    expect(await gateway.submit(submission())).toMatchObject({ status: 'UNKNOWN', reason: 'provider responded 200 without a message id' });
  });

  it('rejects a wrong API key as transient', async () => {
    const { provider, secret } = await startProvider();
    const gateway = createGateway(provider.url, 'wrong-key', secret);
    await gateway.start(new RecordingListener());

    const outcome = await gateway.submit(submission());

    expect(outcome).toMatchObject({ status: 'REJECTED', transient: true, errorCode: 'PROVIDER_AUTH_FAILED' });
  });
});

describe('HttpProviderGateway - Retry-After', () => {
  it('holds submits back for the time a 429 asks', async () => {
    let throttle = true;
    const { gateway, provider } = await setUp({}, () =>
      throttle ? { kind: 'status', status: 429, headers: { 'retry-after': '1' } } : { kind: 'accept' },
    );

    const throttled = await gateway.submit(submission());
    throttle = false;
    const held = await gateway.submit(submission());

    expect(throttled).toMatchObject({
      status: 'REJECTED',
      transient: true,
      errorCode: 'THROTTLED',
      reason: expect.stringContaining('retry after 1 s'),
    });
    expect(held).toMatchObject({ status: 'REJECTED', transient: true, errorCode: 'PROVIDER_UNAVAILABLE' });
    expect(provider.requestCount()).toBe(1);
    expect(gateway.isReady()).toBe(false);

    await sleep(1_050);
    acceptedId(await gateway.submit(submission()));
    expect(gateway.isReady()).toBe(true);
  });

  it('reads Retry-After as an HTTP date', async () => {
    const until = new Date(Date.now() + 3_000).toUTCString();
    const { gateway } = await setUp({}, () => ({ kind: 'status', status: 503, headers: { 'retry-after': until } }));

    const outcome = await gateway.submit(submission());

    expect(outcome).toMatchObject({ errorCode: 'PROVIDER_UNAVAILABLE', reason: expect.stringMatching(/retry after [1-3] s/) });
  });
});

describe('HttpProviderGateway - outcomes without an answer', () => {
  it('returns UNKNOWN after the timeout and sends once', async () => {
    const { gateway, provider } = await setUp({ submitTimeoutMs: 1_000 }, () => ({ kind: 'hang' }));

    const outcome = await gateway.submit(submission());
    await sleep(300);

    expect(outcome).toEqual({ status: 'UNKNOWN', reason: 'provider did not respond within 1000 ms' });
    expect(provider.requestCount()).toBe(1);
    expect(provider.submits()).toHaveLength(1);
  });

  it('returns UNKNOWN when the connection resets after the request', async () => {
    const { gateway, provider } = await setUp({}, () => ({ kind: 'reset' }));

    const outcome = await gateway.submit(submission());
    await sleep(100);

    expect(outcome).toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining('may have been sent') });
    expect(provider.requestCount()).toBe(1);
  });

  it('rejects as transient when the connection is refused', async () => {
    const port = await closedPort();
    const gateway = createGateway(`http://127.0.0.1:${port}`, 'key', 'secret');
    await gateway.start(new RecordingListener());

    const outcome = await gateway.submit(submission());

    expect(outcome).toMatchObject({
      status: 'REJECTED',
      transient: true,
      errorCode: 'PROVIDER_UNREACHABLE',
      reason: 'provider unreachable (ECONNREFUSED); nothing was sent',
    });
  });
});

describe('HttpProviderGateway - circuit breaker', () => {
  it('opens after failures in a row and closes on a good probe', async () => {
    let answer: FakeResponse = { kind: 'status', status: 503 };
    const { gateway, provider } = await setUp({ circuitFailureThreshold: 3, circuitOpenMs: 200 }, () => answer);

    for (let index = 0; index < 3; index += 1) {
      expect(await gateway.submit(submission())).toMatchObject({ errorCode: 'PROVIDER_UNAVAILABLE' });
    }
    const whileOpen = await gateway.submit(submission());

    expect(whileOpen).toMatchObject({ status: 'REJECTED', transient: true, reason: expect.stringContaining('down on 3 submits in a row') });
    expect(provider.requestCount()).toBe(3);
    expect(gateway.isReady()).toBe(false);

    await sleep(250);
    answer = { kind: 'accept' };
    acceptedId(await gateway.submit(submission()));
    expect(gateway.isReady()).toBe(true);
    acceptedId(await gateway.submit(submission()));
    expect(provider.requestCount()).toBe(5);
  });

  it('lets one probe through while the circuit is half open', async () => {
    let answer: FakeResponse = { kind: 'status', status: 500 };
    const { gateway, provider } = await setUp({ circuitFailureThreshold: 2, circuitOpenMs: 100 }, () => answer);
    await gateway.submit(submission());
    await gateway.submit(submission());
    await sleep(150);

    answer = { kind: 'accept', delayMs: 100 };
    const outcomes = await Promise.all([gateway.submit(submission()), gateway.submit(submission()), gateway.submit(submission())]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['ACCEPTED', 'REJECTED', 'REJECTED']);
    expect(provider.requestCount()).toBe(3);
  });

  it('does not count permanent rejections as failures', async () => {
    const { gateway, provider } = await setUp({ circuitFailureThreshold: 2 }, () => ({
      kind: 'status',
      status: 400,
      body: { code: 'INVALID_DESTINATION' },
    }));

    for (let index = 0; index < 4; index += 1) {
      await gateway.submit(submission());
    }

    expect(provider.requestCount()).toBe(4);
    expect(gateway.isReady()).toBe(true);
  });
});

describe('HttpProviderGateway - lifecycle', () => {
  it('reports ready only between start and close', async () => {
    const { provider, apiKey, secret } = await startProvider();
    const gateway = createGateway(provider.url, apiKey, secret);
    expect(gateway.isReady()).toBe(false);

    await gateway.start(new RecordingListener());
    expect(gateway.isReady()).toBe(true);

    await gateway.close();
    expect(gateway.isReady()).toBe(false);
  });

  it('rejects NOT_CONNECTED before start and after close', async () => {
    const { provider, apiKey, secret } = await startProvider();
    const gateway = createGateway(provider.url, apiKey, secret);

    const beforeStart = await gateway.submit(submission());
    await gateway.start(new RecordingListener());
    await gateway.close();
    const afterClose = await gateway.submit(submission());

    expect(beforeStart).toMatchObject({ status: 'REJECTED', transient: true, errorCode: 'NOT_CONNECTED' });
    expect(afterClose).toMatchObject({ status: 'REJECTED', transient: true, errorCode: 'NOT_CONNECTED' });
    expect(provider.requestCount()).toBe(0);
  });

  it('waits for submits in flight before closing', async () => {
    const { gateway, provider } = await setUp({ maxConcurrentRequests: 1 }, () => ({ kind: 'accept', delayMs: 100 }));

    const inFlight = gateway.submit(submission());
    const queued = gateway.submit(submission());
    await waitFor(() => provider.requestCount() === 1, 'the first submit reaches the provider');
    await gateway.close();

    expect((await inFlight).status).toBe('ACCEPTED');
    expect(await queued).toMatchObject({ status: 'REJECTED', errorCode: 'NOT_CONNECTED' });
    expect(provider.requestCount()).toBe(1);
  });

  it('rejects start when the webhook port is taken', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()));
    closers.push(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const takenPort = (holder.address() as { port: number }).port;
    const { provider, apiKey, secret } = await startProvider();
    const gateway = createGateway(provider.url, apiKey, secret, { webhookPort: takenPort });

    await expect(gateway.start(new RecordingListener())).rejects.toBeInstanceOf(WebhookListenError);
    expect(gateway.isReady()).toBe(false);
  });

  it.each([
    ['url', { url: 'ftp://sms.example.com' }, /url = 'ftp:\/\/sms.example.com' is invalid: it must use http or https/],
    ['url with credentials', { url: 'https://user:pass@sms.example.com' }, /url = \(not shown\) is invalid/],
    ['apiKey', { apiKey: ' ' }, /apiKey = \(empty\) is invalid/],
    ['submitTimeoutMs', { submitTimeoutMs: 0 }, /submitTimeoutMs = 0 is invalid: it must be a positive integer/],
    ['webhookPort', { webhookPort: 70_000 }, /webhookPort = 70000 is invalid/],
  ])('rejects an invalid %s', (_option, options, message) => {
    const create = () =>
      new HttpProviderGateway({ url: 'https://sms.example.com', apiKey: 'key', webhookSecret: 'secret', logger: silent, ...options });

    expect(create).toThrow(message);
    expect(create).not.toThrow(/pass/);
  });
});
