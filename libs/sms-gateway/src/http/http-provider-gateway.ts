import pino, { type Logger } from 'pino';

import { LogThrottle } from '../log-throttle';
import { GatewayStateError } from '../smpp/smpp-errors';
import { notConnectedOutcome } from '../smpp/submit-outcome';
import type { SmsGateway, SmsGatewayListener, SmsSubmission, SubmitOutcome } from '../sms-gateway.port';
import { InvalidHttpProviderOptionError } from './http-provider-errors';
import { ProviderAvailability } from './provider-availability';
import { RequestSlots } from './request-slots';
import { type ClassifiedOutcome, outcomeFromResponse, outcomeFromFetchError } from './submit-response';
import { STATUS_CALLBACK_PATH, WebhookServer } from './webhook-server';
import { DEFAULT_TIMESTAMP_TOLERANCE_SECONDS } from './webhook-signature';

export interface HttpProviderGatewayOptions {
  /** Base URL of the provider's API, such as `https://sms.example.com/v1`; submits go to `<url>/messages`. */
  readonly url: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  readonly apiKey: string;
  /** Key of the HMAC-SHA256 signatures that the provider puts on its callbacks. */
  readonly webhookSecret: string;
  /**
   * Base URL at which the provider reaches this gateway's webhook listener; each submit requests
   * status callbacks at `<callbackBaseUrl>/webhooks/http-provider/status`. Default:
   * `http://<webhookHost>:<listening port>`, which only a provider on the same host can reach.
   */
  readonly callbackBaseUrl?: string;
  /** Interface the webhook listener binds to. Default 127.0.0.1. */
  readonly webhookHost?: string;
  /** Port of the webhook listener; 0 picks a free one. Default 3080. */
  readonly webhookPort?: number;
  /** Time in ms from sending a submit until its outcome becomes UNKNOWN. Default 10,000. */
  readonly submitTimeoutMs?: number;
  /** Maximum number of submit requests awaiting their response; further submits wait in call order. Default 50. */
  readonly maxConcurrentRequests?: number;
  /** Submits in a row that find the provider down before the circuit opens. Default 5. */
  readonly circuitFailureThreshold?: number;
  /** Time in ms the circuit stays open before a probe submit may go. Default 10,000. */
  readonly circuitOpenMs?: number;
  /** Largest gap in seconds between a callback's X-Timestamp and this server's clock. Default 300. */
  readonly timestampToleranceSeconds?: number;
  readonly logger?: Logger;
}

/** Error code of the submits rejected unsent while the circuit is open or a Retry-After pause runs. */
export const PROVIDER_UNAVAILABLE_ERROR_CODE = 'PROVIDER_UNAVAILABLE';

/** Authentication failures are logged at most once per this many ms, each line counting the ones left out. */
const AUTH_ERROR_LOG_INTERVAL_MS = 60_000;

type GatewayState = 'new' | 'starting' | 'running' | 'closing' | 'closed';

/**
 * SMS gateway over a provider's JSON API: `POST <url>/messages` per message, with delivery
 * statuses and inbound messages coming back as signed callbacks to a webhook listener that this
 * gateway serves in its own process. The contract is in libs/sms-gateway/README.md.
 *
 * Requests go through Node's global fetch, whose connection pool keeps connections alive between
 * submits. A submit is sent once and never retried here: only the response shows whether the
 * provider took the message, and without one the outcome is UNKNOWN.
 */
export class HttpProviderGateway implements SmsGateway {
  private readonly messagesUrl: string;
  private readonly apiKey: string;
  private readonly configuredCallbackBaseUrl: string | undefined;
  private readonly submitTimeoutMs: number;
  private readonly slots: RequestSlots;
  private readonly availability: ProviderAvailability;
  private readonly webhook: WebhookServer;
  private readonly webhookHost: string;
  private readonly logger: Logger;
  private readonly authErrorLog = new LogThrottle(AUTH_ERROR_LOG_INTERVAL_MS);
  private readonly inFlight = new Set<Promise<unknown>>();

  private state: GatewayState = 'new';
  private statusCallbackUrl = '';
  private closing: Promise<void> | undefined;

  /** Throws InvalidHttpProviderOptionError. */
  constructor(options: HttpProviderGatewayOptions) {
    const baseUrl = httpUrl('url', options.url);
    this.messagesUrl = `${baseUrl}/messages`;
    this.apiKey = nonEmptySecret('apiKey', options.apiKey);
    const webhookSecret = nonEmptySecret('webhookSecret', options.webhookSecret);
    this.configuredCallbackBaseUrl =
      options.callbackBaseUrl === undefined ? undefined : httpUrl('callbackBaseUrl', options.callbackBaseUrl);
    this.submitTimeoutMs = positiveInteger('submitTimeoutMs', options.submitTimeoutMs ?? 10_000);
    this.slots = new RequestSlots(positiveInteger('maxConcurrentRequests', options.maxConcurrentRequests ?? 50));
    this.availability = new ProviderAvailability(
      positiveInteger('circuitFailureThreshold', options.circuitFailureThreshold ?? 5),
      positiveInteger('circuitOpenMs', options.circuitOpenMs ?? 10_000),
    );
    this.webhookHost = options.webhookHost ?? '127.0.0.1';
    const webhookPort = options.webhookPort ?? 3080;
    if (!Number.isInteger(webhookPort) || webhookPort < 0 || webhookPort > 65_535) {
      throw new InvalidHttpProviderOptionError('webhookPort', String(webhookPort), 'must be an integer from 0 to 65535');
    }

    this.logger = (options.logger ?? pino({ name: 'http-provider-gateway' })).child({ provider: new URL(baseUrl).host });
    this.webhook = new WebhookServer({
      host: this.webhookHost,
      port: webhookPort,
      secret: webhookSecret,
      timestampToleranceSeconds: positiveInteger(
        'timestampToleranceSeconds',
        options.timestampToleranceSeconds ?? DEFAULT_TIMESTAMP_TOLERANCE_SECONDS,
      ),
      logger: this.logger,
    });
  }

  /** Starts the webhook listener; rejects with WebhookListenError when it cannot listen. */
  async start(listener: SmsGatewayListener): Promise<void> {
    if (this.state !== 'new') {
      throw new GatewayStateError('SMS_GATEWAY.ALREADY_STARTED', 'HTTP provider gateway start() was already called');
    }

    this.state = 'starting';
    try {
      await this.webhook.start(listener);
    } catch (error) {
      this.state = 'closed';
      throw error;
    }
    if (this.state !== 'starting') {
      await this.webhook.close();
      throw new GatewayStateError('SMS_GATEWAY.CLOSED', 'HTTP provider gateway was closed while it started');
    }

    const callbackBaseUrl = this.configuredCallbackBaseUrl ?? `http://${this.webhookHost}:${this.webhook.port()}`;
    this.statusCallbackUrl = `${callbackBaseUrl}${STATUS_CALLBACK_PATH}`;
    this.state = 'running';
    this.logger.info(
      { messagesUrl: this.messagesUrl, webhook: `${this.webhookHost}:${this.webhook.port()}`, statusCallbackUrl: this.statusCallbackUrl },
      'HTTP provider gateway started',
    );
  }

  /**
   * Submits one message and never rejects. Resolves REJECTED with errorCode NOT_CONNECTED before
   * `start` and after `close`, and with PROVIDER_UNAVAILABLE, unsent, while the circuit is open.
   */
  submit(submission: SmsSubmission): Promise<SubmitOutcome> {
    const submitted = this.submitInSlot(submission);
    this.inFlight.add(submitted);
    void submitted.finally(() => this.inFlight.delete(submitted));
    return submitted;
  }

  /** Returns the port of the webhook listener, or undefined while it does not listen. */
  webhookPort(): number | undefined {
    return this.webhook.port();
  }

  /** Returns true while the webhook listener runs and neither the circuit nor a Retry-After pause holds submits back. */
  isReady(): boolean {
    return this.state === 'running' && this.webhook.isListening() && !this.availability.isOpen(Date.now());
  }

  /** Stops taking submits, waits for those in flight (up to the submit timeout), then stops the webhook listener. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.closing = this.shutDown();
    }
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    const wasRunning = this.state === 'running';
    this.state = 'closing';
    this.slots.close();
    await Promise.allSettled([...this.inFlight]);
    await this.webhook.close();
    this.state = 'closed';
    if (wasRunning) {
      this.logger.info('HTTP provider gateway closed');
    }
  }

  private async submitInSlot(submission: SmsSubmission): Promise<SubmitOutcome> {
    if (this.state !== 'running' || !(await this.slots.acquire())) {
      return notConnectedOutcome('HTTP provider gateway is not running');
    }

    try {
      const blockReason = this.availability.admit(Date.now());
      if (blockReason !== undefined) {
        return { status: 'REJECTED', transient: true, errorCode: PROVIDER_UNAVAILABLE_ERROR_CODE, reason: blockReason };
      }
      const classified = await this.send(submission);
      this.track(classified, submission);
      return classified.outcome;
    } finally {
      this.slots.release();
    }
  }

  private async send(submission: SmsSubmission): Promise<ClassifiedOutcome> {
    const body = JSON.stringify({
      from: submission.from,
      to: submission.to,
      text: submission.text,
      reference: submission.attemptId,
      statusCallbackUrl: this.statusCallbackUrl,
    });
    try {
      const response = await fetch(this.messagesUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
        body,
        // A redirected POST would be sent a second time to another address; a 3xx is an endpoint to fix, not to follow.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.submitTimeoutMs),
      });
      const text = await response.text();
      return outcomeFromResponse(
        { status: response.status, retryAfter: response.headers.get('retry-after'), body: parseJson(text) },
        Date.now(),
      );
    } catch (error) {
      return outcomeFromFetchError(error, this.submitTimeoutMs);
    }
  }

  /** Updates the circuit and the Retry-After pause from one outcome, and logs what an operator must act on. */
  private track(classified: ClassifiedOutcome, submission: SmsSubmission): void {
    const now = Date.now();
    const { outcome } = classified;
    if (classified.provider === 'up') {
      if (this.availability.recordUp()) {
        this.logger.info('HTTP provider responded again; circuit closed');
      }
    } else {
      const reason = outcome.status === 'ACCEPTED' ? 'accepted' : outcome.reason;
      if (this.availability.recordDown(now, reason)) {
        this.logger.warn({ reason, attemptId: submission.attemptId }, 'HTTP provider down; circuit open, submits are rejected unsent');
      }
    }

    if (classified.retryAfterMs !== undefined && classified.retryAfterMs > 0 && outcome.status === 'REJECTED') {
      this.availability.pause(now + classified.retryAfterMs, `provider responded ${outcome.errorCode} with Retry-After`);
    }
    if (outcome.status === 'REJECTED' && outcome.errorCode === 'PROVIDER_AUTH_FAILED') {
      this.authErrorLog.record((suppressed) => {
        this.logger.error({ reason: outcome.reason, suppressed }, 'HTTP provider rejected the API key; check HTTP_PROVIDER_API_KEY');
      });
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Returns the URL without a trailing slash; it must be http or https, without credentials, query or fragment. */
function httpUrl(option: string, value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new InvalidHttpProviderOptionError(option, `'${value}'`, 'must be an absolute http:// or https:// URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvalidHttpProviderOptionError(option, `'${value}'`, `must use http or https, not ${parsed.protocol}`);
  }
  if (parsed.username !== '' || parsed.password !== '' || parsed.search !== '' || parsed.hash !== '') {
    throw new InvalidHttpProviderOptionError(option, '(not shown)', 'must have no credentials, query or fragment');
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

function nonEmptySecret(option: string, value: string): string {
  if (value.trim() === '') {
    throw new InvalidHttpProviderOptionError(option, '(empty)', 'must not be empty');
  }
  return value;
}

function positiveInteger(option: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new InvalidHttpProviderOptionError(option, String(value), 'must be a positive integer');
  }
  return value;
}
