import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

import { LogThrottle } from '../log-throttle';
import type { SmsGatewayListener } from '../sms-gateway.port';
import { WebhookListenError } from './http-provider-errors';
import { type Parsed, type PayloadIssue, parseInboundCallback, parseStatusCallback } from './webhook-payloads';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from './webhook-signature';

export const STATUS_CALLBACK_PATH = '/webhooks/http-provider/status';
export const INBOUND_CALLBACK_PATH = '/webhooks/http-provider/inbound';

/** Callback bodies above this size get 413; a status callback is about 150 bytes. */
const MAX_BODY_BYTES = 64 * 1024;

/** Signatures of handled callbacks, kept so that a replay gets 204 without being handed on again. */
const MAX_REMEMBERED_SIGNATURES = 100_000;

/** Rejected callbacks and listener failures are logged at most once per this many ms, each line counting the ones left out. */
const REJECTION_LOG_INTERVAL_MS = 10_000;

/** Seconds a provider should wait before sending again a callback that could not be recorded. */
const RETRY_AFTER_SECONDS = 5;

export interface WebhookServerOptions {
  readonly host: string;
  /** 0 picks a free port; `port()` returns it once listening. */
  readonly port: number;
  readonly secret: string;
  readonly timestampToleranceSeconds: number;
  readonly logger: Logger;
}

interface Route {
  readonly kind: 'status' | 'inbound';
  readonly parse: (body: unknown) => Parsed<unknown>;
}

const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  [STATUS_CALLBACK_PATH, { kind: 'status', parse: parseStatusCallback }],
  [INBOUND_CALLBACK_PATH, { kind: 'inbound', parse: parseInboundCallback }],
]);

class WebhookRejection extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: readonly PayloadIssue[],
  ) {
    super(message);
  }
}

/**
 * The HTTP listener for the provider's signed callbacks: delivery statuses and inbound messages,
 * handed to the gateway listener. Responds 204 once the listener has taken a callback, 401 for a
 * missing, stale or wrong signature, 400 for an invalid body, and 503 when the listener fails,
 * so that the provider sends the callback again later.
 */
export class WebhookServer {
  private readonly server: Server;
  private readonly handledSignatures = new Map<string, number>();
  private readonly rejectionLog = new LogThrottle(REJECTION_LOG_INTERVAL_MS);
  private readonly listenerErrorLog = new LogThrottle(REJECTION_LOG_INTERVAL_MS);
  private listener: SmsGatewayListener | undefined;

  constructor(private readonly options: WebhookServerOptions) {
    this.server = createServer((request, response) => void this.handle(request, response));
  }

  /** Listens; rejects with WebhookListenError when the port is taken or the host is no address of this machine. */
  async start(listener: SmsGatewayListener): Promise<void> {
    this.listener = listener;
    const { host, port } = this.options;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(new WebhookListenError(`${host}:${port}`, { cause: error }));
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
  }

  /** Returns the port it listens on, or undefined before `start` and after `close`. */
  port(): number | undefined {
    const address = this.server.address() as AddressInfo | string | null;
    return address === null || typeof address === 'string' ? undefined : address.port;
  }

  isListening(): boolean {
    return this.server.listening;
  }

  /** Stops accepting connections and waits for the callbacks being handled. */
  async close(): Promise<void> {
    if (!this.server.listening) {
      return;
    }
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const route = this.route(request);
      const rawBody = await readBody(request);
      const signature = this.verify(request, rawBody);
      if (this.wasHandled(signature)) {
        response.writeHead(204).end();
        return;
      }

      const value = parseBody(route, rawBody);
      await this.handOn(route, value);
      this.rememberHandled(signature, request.headers[TIMESTAMP_HEADER] as string);
      response.writeHead(204).end();
    } catch (error) {
      const rejection =
        error instanceof WebhookRejection ? error : new WebhookRejection(500, 'WEBHOOK.FAILED', 'the callback could not be handled');
      this.logRejection(request, rejection, error);
      respondWith(response, rejection);
    }
  }

  private route(request: IncomingMessage): Route {
    const path = (request.url ?? '/').split('?')[0];
    const route = ROUTES.get(path);
    if (route === undefined) {
      throw new WebhookRejection(
        404,
        'WEBHOOK.NOT_FOUND',
        `no route ${path}; use POST ${STATUS_CALLBACK_PATH} or ${INBOUND_CALLBACK_PATH}`,
      );
    }
    if (request.method !== 'POST') {
      throw new WebhookRejection(405, 'WEBHOOK.METHOD_NOT_ALLOWED', `${request.method ?? '(none)'} is not allowed on ${path}; use POST`);
    }
    const contentType = request.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(contentType)) {
      throw new WebhookRejection(
        415,
        'WEBHOOK.UNSUPPORTED_MEDIA_TYPE',
        `Content-Type '${contentType}' is not supported; send application/json`,
      );
    }
    return route;
  }

  /** Returns the verified signature header. */
  private verify(request: IncomingMessage, rawBody: Buffer): string {
    const signature = singleHeader(request, SIGNATURE_HEADER);
    const timestamp = singleHeader(request, TIMESTAMP_HEADER);
    const check = verifyWebhookSignature(
      this.options.secret,
      { signature, timestamp },
      rawBody,
      Date.now(),
      this.options.timestampToleranceSeconds,
    );
    if (!check.valid) {
      throw new WebhookRejection(401, check.code, check.message);
    }
    return signature as string;
  }

  private async handOn(route: Route, value: unknown): Promise<void> {
    const listener = this.listener as SmsGatewayListener;
    try {
      if (route.kind === 'status') {
        await listener.onDeliveryReceipt(value as Parameters<SmsGatewayListener['onDeliveryReceipt']>[0]);
      } else {
        await listener.onInboundMessage(value as Parameters<SmsGatewayListener['onInboundMessage']>[0]);
      }
    } catch (error) {
      this.listenerErrorLog.record((suppressed) => {
        // A warning, not an error: the provider sends the callback again, and a status that overtook
        // its own submit's record is expected to fail once this way.
        this.options.logger.warn(
          { err: error, kind: route.kind, suppressed },
          'SMS gateway listener failed; responded 503 so the provider sends the callback again',
        );
      });
      throw new WebhookRejection(503, 'WEBHOOK.NOT_RECORDED', `the ${route.kind} callback could not be recorded yet; send it again later`);
    }
  }

  /** Returns true for a signature already handled, so that its replay gets 204 without being handed on again. */
  private wasHandled(signature: string): boolean {
    const expiresAtMs = this.handledSignatures.get(signature);
    return expiresAtMs !== undefined && expiresAtMs > Date.now();
  }

  /** Remembers a handled signature for as long as its timestamp passes the tolerance check. */
  private rememberHandled(signature: string, timestamp: string): void {
    if (this.handledSignatures.size >= MAX_REMEMBERED_SIGNATURES) {
      const oldest = this.handledSignatures.keys().next();
      if (oldest.done !== true) this.handledSignatures.delete(oldest.value);
    }
    this.handledSignatures.set(signature, (Number(timestamp) + this.options.timestampToleranceSeconds) * 1000);
  }

  private logRejection(request: IncomingMessage, rejection: WebhookRejection, error: unknown): void {
    if (rejection.statusCode === 503) {
      return;
    }
    this.rejectionLog.record((suppressed) => {
      this.options.logger.warn(
        {
          path: request.url,
          statusCode: rejection.statusCode,
          code: rejection.code,
          reason: rejection.message,
          remoteAddress: request.socket.remoteAddress,
          err: error instanceof WebhookRejection ? undefined : error,
          suppressed,
        },
        'provider callback rejected',
      );
    });
  }
}

function parseBody(route: Route, rawBody: Buffer): unknown {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch (error) {
    throw new WebhookRejection(400, 'WEBHOOK.MALFORMED_JSON', `the body is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = route.parse(body);
  if (!parsed.ok) {
    const fields = parsed.issues.map((issue) => `${issue.field} ${issue.rule}`).join('; ');
    throw new WebhookRejection(400, 'WEBHOOK.INVALID_BODY', `the ${route.kind} callback is invalid: ${fields}`, parsed.issues);
  }
  return parsed.value;
}

/**
 * Reads the body up to MAX_BODY_BYTES. A larger body is left unread, and the 413 response closes the
 * connection. Destroying the request instead would close the socket before the response is written.
 */
function readBody(request: IncomingMessage): Promise<Buffer> {
  const tooLarge = () =>
    new WebhookRejection(413, 'WEBHOOK.BODY_TOO_LARGE', `the body is larger than the maximum of ${MAX_BODY_BYTES} bytes`);
  if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
    return Promise.reject(tooLarge());
  }

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.off('data', onData);
        request.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
  });
}

function singleHeader(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function respondWith(response: ServerResponse, rejection: WebhookRejection): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (rejection.statusCode === 503) {
    headers['retry-after'] = String(RETRY_AFTER_SECONDS);
  }
  if (rejection.statusCode === 413) {
    // The rest of the body is not read, so the connection cannot carry another request.
    headers.connection = 'close';
  }
  const body = { statusCode: rejection.statusCode, code: rejection.code, message: rejection.message, details: rejection.details };
  response.writeHead(rejection.statusCode, headers).end(JSON.stringify(body));
}
