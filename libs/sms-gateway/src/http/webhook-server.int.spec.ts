import { randomBytes, randomUUID } from 'node:crypto';
import pino from 'pino';

import type { DeliveryReceipt, InboundMessage, SmsGatewayListener } from '../sms-gateway.port';
import { HttpProviderGateway } from './http-provider-gateway';
import { signWebhookPayload } from './webhook-signature';

const silent = pino({ level: 'silent' });
const SECRET = randomBytes(32).toString('hex');

class RecordingListener implements SmsGatewayListener {
  readonly receipts: DeliveryReceipt[] = [];
  readonly inbound: InboundMessage[] = [];

  constructor(private failuresLeft = 0) {}

  async onDeliveryReceipt(receipt: DeliveryReceipt): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw new Error('no attempt recorded yet');
    }
    this.receipts.push(receipt);
  }

  async onInboundMessage(message: InboundMessage): Promise<void> {
    this.inbound.push(message);
  }
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown> | undefined;
}

interface PostOptions {
  readonly path?: string;
  readonly secret?: string;
  readonly timestamp?: number;
  /** Body sent in place of the signed one. */
  readonly sentBody?: string;
  readonly headers?: Record<string, string>;
  readonly omit?: readonly ('x-signature' | 'x-timestamp')[];
}

const gateways: HttpProviderGateway[] = [];

afterEach(async () => {
  for (const gateway of gateways.splice(0)) {
    await gateway.close();
  }
});

/** Starts a gateway whose provider is never called; returns the base URL of its webhook listener. */
async function startWebhook(listener: SmsGatewayListener = new RecordingListener()): Promise<string> {
  const gateway = new HttpProviderGateway({
    url: 'http://127.0.0.1:9',
    apiKey: 'key',
    webhookSecret: SECRET,
    webhookPort: 0,
    logger: silent,
  });
  gateways.push(gateway);
  await gateway.start(listener);
  return `http://127.0.0.1:${gateway.webhookPort()}`;
}

async function post(baseUrl: string, body: unknown, options: PostOptions = {}): Promise<Answer> {
  const rawBody = typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-timestamp': timestamp,
    'x-signature': signWebhookPayload(options.secret ?? SECRET, timestamp, rawBody),
    ...options.headers,
  };
  for (const name of options.omit ?? []) {
    delete headers[name];
  }
  const response = await fetch(`${baseUrl}${options.path ?? '/webhooks/http-provider/status'}`, {
    method: 'POST',
    headers,
    body: options.sentBody ?? rawBody,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

function statusCallback(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: `msg-${randomUUID()}`, status: 'delivered', doneAt: '2026-05-06T12:45:00Z', ...overrides };
}

describe('webhook - status callbacks', () => {
  it.each([
    ['delivered', 'DELIVERED'],
    ['undelivered', 'UNDELIVERED'],
    ['expired', 'EXPIRED'],
    ['rejected', 'REJECTED'],
    ['accepted', 'ACCEPTED'],
    ['enroute', 'ENROUTE'],
    ['unknown', 'UNKNOWN'],
  ])('hands status %s to the listener as %s', async (status, deliveryStatus) => {
    const listener = new RecordingListener();
    const url = await startWebhook(listener);
    const body = statusCallback({ status, errorCode: '012', doneAt: '2026-05-06T14:45:00+02:00' });

    const answer = await post(url, body);

    expect(answer.status).toBe(204);
    expect(listener.receipts).toEqual([
      { providerMessageId: body.id, status: deliveryStatus, errorCode: '012', doneAt: new Date('2026-05-06T12:45:00Z') },
    ]);
  });

  it('leaves errorCode out when it is null or absent', async () => {
    const listener = new RecordingListener();
    const url = await startWebhook(listener);

    await post(url, statusCallback({ errorCode: null }));
    await post(url, statusCallback());

    expect(listener.receipts.map((receipt) => 'errorCode' in receipt)).toEqual([false, false]);
  });

  it('ignores fields the contract does not name', async () => {
    const listener = new RecordingListener();
    const url = await startWebhook(listener);

    const answer = await post(url, statusCallback({ price: { amount: 0.05, currency: 'EUR' } }));

    expect(answer.status).toBe(204);
    expect(listener.receipts).toHaveLength(1);
  });

  it('answers 503 with Retry-After while the listener fails', async () => {
    const listener = new RecordingListener(1);
    const url = await startWebhook(listener);
    const body = statusCallback();

    const failed = await post(url, body);
    const retried = await post(url, body);

    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('5');
    expect(failed.body).toMatchObject({ code: 'WEBHOOK.NOT_RECORDED' });
    expect(failed.body?.message).not.toContain('no attempt recorded yet');
    expect(retried.status).toBe(204);
    expect(listener.receipts).toHaveLength(1);
  });
});

describe('webhook - signatures', () => {
  it('rejects a callback without signature headers', async () => {
    const listener = new RecordingListener();
    const url = await startWebhook(listener);

    const noSignature = await post(url, statusCallback(), { omit: ['x-signature'] });
    const noTimestamp = await post(url, statusCallback(), { omit: ['x-timestamp'] });

    expect(noSignature).toMatchObject({ status: 401, body: { statusCode: 401, code: 'WEBHOOK.SIGNATURE_MISSING' } });
    expect(noTimestamp).toMatchObject({ status: 401, body: { code: 'WEBHOOK.SIGNATURE_MISSING' } });
    expect(listener.receipts).toHaveLength(0);
  });

  it('rejects a signature made with another secret', async () => {
    const listener = new RecordingListener();
    const url = await startWebhook(listener);

    const answer = await post(url, statusCallback(), { secret: randomBytes(32).toString('hex') });

    expect(answer).toMatchObject({ status: 401, body: { code: 'WEBHOOK.SIGNATURE_INVALID' } });
    expect(listener.receipts).toHaveLength(0);
  });

  it('rejects a signature that is not sha256 hex', async () => {
    const url = await startWebhook();

    const answer = await post(url, statusCallback(), { headers: { 'x-signature': 'sha256=abc' } });

    expect(answer).toMatchObject({ status: 401, body: { code: 'WEBHOOK.SIGNATURE_INVALID' } });
  });

  it('rejects a tampered body', async () => {
    const listener = new RecordingListener();
    const url = await startWebhook(listener);
    const signed = statusCallback({ status: 'undelivered' });

    const answer = await post(url, signed, { sentBody: JSON.stringify({ ...signed, status: 'delivered' }) });

    expect(answer).toMatchObject({ status: 401, body: { code: 'WEBHOOK.SIGNATURE_INVALID' } });
    expect(listener.receipts).toHaveLength(0);
  });

  it.each([
    ['stale', -330],
    ['future', 330],
  ])('rejects a %s timestamp even when correctly signed', async (_case, offsetSeconds) => {
    const listener = new RecordingListener();
    const url = await startWebhook(listener);

    const answer = await post(url, statusCallback(), { timestamp: Math.floor(Date.now() / 1000) + offsetSeconds });

    expect(answer).toMatchObject({ status: 401, body: { code: 'WEBHOOK.TIMESTAMP_OUT_OF_RANGE' } });
    expect(answer.body?.message).toMatch(/is 3(29|3[01]) s away from this server's clock; the maximum is 300 s/);
    expect(listener.receipts).toHaveLength(0);
  });

  it('accepts a timestamp inside the tolerance', async () => {
    const listener = new RecordingListener();
    const url = await startWebhook(listener);

    const answer = await post(url, statusCallback(), { timestamp: Math.floor(Date.now() / 1000) - 290 });

    expect(answer.status).toBe(204);
    expect(listener.receipts).toHaveLength(1);
  });

  it('rejects a timestamp that is not Unix seconds', async () => {
    const url = await startWebhook();

    const answer = await post(url, statusCallback(), { headers: { 'x-timestamp': '2026-05-06T12:45:00Z' } });

    expect(answer).toMatchObject({ status: 401, body: { code: 'WEBHOOK.TIMESTAMP_OUT_OF_RANGE' } });
  });

  it('answers a replayed callback without handing it on again', async () => {
    const listener = new RecordingListener();
    const url = await startWebhook(listener);
    const body = statusCallback();
    const timestamp = Math.floor(Date.now() / 1000);

    const first = await post(url, body, { timestamp });
    const replay = await post(url, body, { timestamp });

    expect([first.status, replay.status]).toEqual([204, 204]);
    expect(listener.receipts).toHaveLength(1);
  });
});

describe('webhook - invalid requests', () => {
  it.each([
    [
      'an unknown status',
      { status: 'sent' },
      'status',
      'must be one of delivered, undelivered, expired, rejected, accepted, enroute, unknown',
    ],
    ['a missing id', { id: undefined }, 'id', 'must be a non-empty string of at most 256 characters'],
    [
      'a local doneAt',
      { doneAt: '2026-05-06T12:45:00' },
      'doneAt',
      'must be an ISO-8601 date-time with an offset, such as 2026-05-06T12:45:00Z',
    ],
    ['a numeric errorCode', { errorCode: 12 }, 'errorCode', 'must be a string of at most 64 characters, or null'],
  ])('rejects %s naming the field', async (_case, overrides, field, rule) => {
    const listener = new RecordingListener();
    const url = await startWebhook(listener);

    const answer = await post(url, statusCallback(overrides));

    expect(answer).toMatchObject({ status: 400, body: { code: 'WEBHOOK.INVALID_BODY', details: [{ field, rule }] } });
    expect(answer.body?.message).toBe(`the status callback is invalid: ${field} ${rule}`);
    expect(listener.receipts).toHaveLength(0);
  });

  it('rejects malformed JSON', async () => {
    const url = await startWebhook();

    const answer = await post(url, '{"id": "msg-1",');

    expect(answer).toMatchObject({ status: 400, body: { code: 'WEBHOOK.MALFORMED_JSON' } });
  });

  it('rejects a body that is not an object', async () => {
    const url = await startWebhook();

    const answer = await post(url, '["delivered"]');

    expect(answer).toMatchObject({ status: 400, body: { details: [{ field: '(body)', rule: 'must be a JSON object' }] } });
  });

  it('rejects another content type with 415', async () => {
    const url = await startWebhook();

    const answer = await post(url, statusCallback(), { headers: { 'content-type': 'text/plain' } });

    expect(answer).toMatchObject({ status: 415, body: { code: 'WEBHOOK.UNSUPPORTED_MEDIA_TYPE' } });
  });

  it('rejects an unknown path with 404 and GET with 405', async () => {
    const url = await startWebhook();

    const unknown = await post(url, statusCallback(), { path: '/webhooks/other' });
    const get = await fetch(`${url}/webhooks/http-provider/status`);

    expect(unknown).toMatchObject({ status: 404, body: { code: 'WEBHOOK.NOT_FOUND' } });
    expect(get.status).toBe(405);
  });

  it('rejects a body over 64 KiB with 413', async () => {
    const url = await startWebhook();

    const answer = await post(url, statusCallback({ padding: 'x'.repeat(70_000) }));

    expect(answer).toMatchObject({ status: 413, body: { code: 'WEBHOOK.BODY_TOO_LARGE' } });
  });

  it('rejects a chunked body once it passes 64 KiB', async () => {
    const url = await startWebhook();
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 8) {
          controller.close();
          return;
        }
        controller.enqueue(chunk);
      },
    });

    const timestamp = String(Math.floor(Date.now() / 1000));
    const response = await fetch(`${url}/webhooks/http-provider/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': `sha256=${'0'.repeat(64)}` },
      body,
      duplex: 'half',
    } as RequestInit);

    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ code: 'WEBHOOK.BODY_TOO_LARGE' });
  });
});

describe('webhook - inbound messages', () => {
  it('hands a signed inbound message to the listener', async () => {
    const listener = new RecordingListener();
    const url = await startWebhook(listener);

    const answer = await post(
      url,
      { from: '+33612345678', to: '36111', text: 'STOP', receivedAt: '2026-05-06T12:45:00.250Z' },
      { path: '/webhooks/http-provider/inbound' },
    );

    expect(answer.status).toBe(204);
    expect(listener.inbound).toEqual([
      { from: '+33612345678', to: '36111', text: 'STOP', receivedAt: new Date('2026-05-06T12:45:00.250Z') },
    ]);
    expect(listener.receipts).toHaveLength(0);
  });

  it('rejects an inbound message without text, naming the field', async () => {
    const listener = new RecordingListener();
    const url = await startWebhook(listener);

    const answer = await post(
      url,
      { from: '+33612345678', to: '36111', receivedAt: '2026-05-06T12:45:00Z' },
      { path: '/webhooks/http-provider/inbound' },
    );

    expect(answer).toMatchObject({ status: 400, body: { details: [{ field: 'text' }] } });
    expect(listener.inbound).toHaveLength(0);
  });

  it('rejects an unsigned inbound message', async () => {
    const listener = new RecordingListener();
    const url = await startWebhook(listener);

    const answer = await post(
      url,
      { from: '+33612345678', to: '36111', text: 'STOP', receivedAt: '2026-05-06T12:45:00Z' },
      { path: '/webhooks/http-provider/inbound', omit: ['x-signature'] },
    );

    expect(answer.status).toBe(401);
    expect(listener.inbound).toHaveLength(0);
  });
});
