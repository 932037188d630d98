import pino, { type Logger } from 'pino';
import * as smpp from 'smpp';
import type { DeliverSmPdu, SubmitSmParams } from 'smpp';

import { LogThrottle } from '../log-throttle';
import type { SmsGateway, SmsGatewayListener, SmsSubmission, SubmitOutcome } from '../sms-gateway.port';
import { readDeliverSm } from './deliver-sm';
import { MAX_SEGMENTS, chooseTextEncoding } from './message-encoding';
import { toSmppAddress } from './smpp-address';
import { SmppConnection, type SmppConnectionSettings } from './smpp-connection';
import { GatewayStateError, InvalidGatewayOptionError, SmppBindRejectedError } from './smpp-errors';
import { type SmppEndpoint, maskSmppUrl, parseSmppUrl } from './smpp-url';
import { notConnectedOutcome } from './submit-outcome';

export interface SmppGatewayOptions {
  /** `smpp://system_id:password@host:port`; percent-encode `@`, `:` and `/` in the credentials. */
  readonly url: string;
  /** Maximum number of submit_sm awaiting their submit_sm_resp; further submits wait in call order. Default 50. */
  readonly windowSize?: number;
  /** Time in ms from writing a submit_sm until its outcome becomes UNKNOWN. Default 10,000. */
  readonly submitTimeoutMs?: number;
  /** Period in ms of enquire_link; an enquire_link unanswered after one period closes the connection. Default 30,000. */
  readonly enquireLinkIntervalMs?: number;
  /** Maximum time in ms for TCP connect plus bind, and for unbind at close. Default 10,000. */
  readonly responseTimeoutMs?: number;
  /** Delay in ms before the first reconnect attempt; it doubles after each failed attempt. Default 1,000. */
  readonly reconnectInitialDelayMs?: number;
  /** Maximum delay in ms between reconnect attempts. Default 30,000. */
  readonly reconnectMaxDelayMs?: number;
  /** system_type sent in the bind, if the SMSC asks for one. Default empty. */
  readonly systemType?: string;
  readonly logger?: Logger;
}

/** Bind errors that retrying cannot fix, so `start` rejects instead of reconnecting. */
const CREDENTIAL_ERRORS: ReadonlySet<number> = new Set([smpp.ESME_RINVPASWD, smpp.ESME_RINVSYSID]);

/** Listener failures are logged at most once per this many ms, each line counting the ones left out. */
const LISTENER_ERROR_LOG_INTERVAL_MS = 10_000;

type GatewayState = 'new' | 'running' | 'closing' | 'closed';

/**
 * SMS gateway over SMPP 3.4: one transceiver bind to the SMSC named by
 * `smpp://system_id:password@host:port`, reconnected with exponential backoff when it drops.
 *
 * Texts in the GSM 03.38 alphabet go as data_coding 0, others as UCS-2 (data_coding 8). A text
 * longer than one segment goes in one submit_sm with the message_payload TLV, so the SMSC splits it
 * and one submit gets one message id. Every submit requests a delivery receipt. Provider message
 * ids, in submit outcomes and receipts alike, pass through `normaliseMessageId`.
 */
export class SmppGateway implements SmsGateway {
  private readonly endpoint: SmppEndpoint;
  private readonly settings: SmppConnectionSettings;
  private readonly reconnectInitialDelayMs: number;
  private readonly reconnectMaxDelayMs: number;
  private readonly logger: Logger;
  private readonly listenerErrorLog = new LogThrottle(LISTENER_ERROR_LOG_INTERVAL_MS);

  private state: GatewayState = 'new';
  private connection: SmppConnection | undefined;
  private failedAttempts = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private startCallbacks: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private closing: Promise<void> | undefined;

  /** Throws InvalidSmppUrlError or InvalidGatewayOptionError. */
  constructor(options: SmppGatewayOptions) {
    this.endpoint = parseSmppUrl(options.url);
    this.settings = {
      endpoint: this.endpoint,
      systemType: options.systemType ?? '',
      windowSize: positiveInteger('windowSize', options.windowSize ?? 50),
      submitTimeoutMs: positiveInteger('submitTimeoutMs', options.submitTimeoutMs ?? 10_000),
      responseTimeoutMs: positiveInteger('responseTimeoutMs', options.responseTimeoutMs ?? 10_000),
      enquireLinkIntervalMs: positiveInteger('enquireLinkIntervalMs', options.enquireLinkIntervalMs ?? 30_000),
    };
    this.reconnectInitialDelayMs = positiveInteger('reconnectInitialDelayMs', options.reconnectInitialDelayMs ?? 1_000);
    this.reconnectMaxDelayMs = positiveInteger('reconnectMaxDelayMs', options.reconnectMaxDelayMs ?? 30_000);
    if (this.reconnectMaxDelayMs < this.reconnectInitialDelayMs) {
      throw new InvalidGatewayOptionError('reconnectMaxDelayMs', this.reconnectMaxDelayMs, 'must be at least reconnectInitialDelayMs');
    }
    this.logger = (options.logger ?? pino({ name: 'smpp-gateway' })).child({
      smsc: `${this.endpoint.host}:${this.endpoint.port}`,
      systemId: this.endpoint.systemId,
    });
    this.logger.debug({ url: maskSmppUrl(options.url) }, 'SMPP gateway configured');
  }

  /**
   * Connects and binds; resolves once the first bind succeeds. Connection failures and other bind
   * errors are retried with backoff until then. Rejects with SmppBindRejectedError when the SMSC
   * rejects the credentials, and with GatewayStateError when `close` runs first.
   */
  start(listener: SmsGatewayListener): Promise<void> {
    if (this.state !== 'new') {
      return Promise.reject(new GatewayStateError('SMS_GATEWAY.ALREADY_STARTED', 'SMPP gateway start() was already called'));
    }

    this.state = 'running';
    return new Promise((resolve, reject) => {
      this.startCallbacks = { resolve, reject };
      this.openConnection(listener);
    });
  }

  /**
   * Submits one message. Resolves REJECTED with errorCode NOT_CONNECTED when no bound session can
   * take it, and never rejects. The attemptId is not sent, because submit_sm has no field for a
   * client reference except the 16-bit user_message_reference TLV.
   */
  submit(submission: SmsSubmission): Promise<SubmitOutcome> {
    const encoding = chooseTextEncoding(submission.text);
    if (encoding.segments > MAX_SEGMENTS) {
      return Promise.resolve({
        status: 'REJECTED',
        transient: false,
        errorCode: 'MESSAGE_TOO_LONG',
        reason: `text needs ${encoding.segments} segments, more than the ${MAX_SEGMENTS} a concatenated SMS can have`,
      });
    }

    const connection = this.connection;
    if (this.state !== 'running' || connection === undefined || !connection.isBound()) {
      return Promise.resolve(notConnectedOutcome(`SMPP gateway is not bound to ${this.endpoint.host}:${this.endpoint.port}`));
    }

    const source = toSmppAddress(submission.from);
    const destination = toSmppAddress(submission.to);
    const params: SubmitSmParams = {
      source_addr_ton: source.ton,
      source_addr_npi: source.npi,
      source_addr: source.address,
      dest_addr_ton: destination.ton,
      dest_addr_npi: destination.npi,
      destination_addr: destination.address,
      // 1 = SMSC delivery receipt requested for the final outcome, success or failure (SMPP 3.4, section 5.2.17).
      registered_delivery: 1,
      data_coding: encoding.dataCoding,
    };
    if (encoding.segments === 1) {
      params.short_message = submission.text;
    } else {
      params.message_payload = submission.text;
    }
    return connection.submit(params);
  }

  isReady(): boolean {
    return this.state === 'running' && this.connection !== undefined && this.connection.isBound();
  }

  /**
   * Stops reconnecting, lets submits in flight and receipts being handled finish (up to the submit
   * timeout), unbinds and closes the connection.
   */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.closing = this.shutDown();
    }
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    const wasRunning = this.state === 'running';
    this.state = 'closing';
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.startCallbacks?.reject(new GatewayStateError('SMS_GATEWAY.CLOSED', 'SMPP gateway was closed before its first bind'));
    this.startCallbacks = undefined;

    const connection = this.connection;
    this.connection = undefined;
    await connection?.close();
    this.state = 'closed';
    if (wasRunning) {
      this.logger.info('SMPP gateway closed');
    }
  }

  private openConnection(listener: SmsGatewayListener): void {
    this.reconnectTimer = undefined;
    const connection: SmppConnection = new SmppConnection(this.settings, {
      onDeliverSm: (pdu) => this.handleDeliverSm(listener, pdu),
      onLost: (reason) => this.onConnectionLost(listener, connection, reason),
    });
    this.connection = connection;
    connection.bind().then(
      () => this.onBound(connection),
      (error: unknown) => this.onBindFailed(listener, connection, error),
    );
  }

  private onBound(connection: SmppConnection): void {
    if (this.state !== 'running') {
      void connection.close();
      return;
    }

    this.logger.info({ windowSize: this.settings.windowSize, afterFailedAttempts: this.failedAttempts }, 'SMPP session bound');
    this.failedAttempts = 0;
    this.startCallbacks?.resolve();
    this.startCallbacks = undefined;
  }

  private onBindFailed(listener: SmsGatewayListener, connection: SmppConnection, error: unknown): void {
    if (this.connection === connection) {
      this.connection = undefined;
    }
    if (this.state !== 'running') {
      return;
    }

    if (this.startCallbacks !== undefined && error instanceof SmppBindRejectedError && CREDENTIAL_ERRORS.has(error.commandStatus)) {
      this.logger.error({ err: error }, 'SMPP bind rejected; gateway not started');
      this.state = 'closed';
      this.startCallbacks.reject(error);
      this.startCallbacks = undefined;
      return;
    }
    this.scheduleReconnect(listener, error);
  }

  private onConnectionLost(listener: SmsGatewayListener, connection: SmppConnection, reason: string): void {
    if (this.connection === connection) {
      this.connection = undefined;
    }
    if (this.state !== 'running') {
      return;
    }

    this.logger.warn({ reason }, 'SMPP session lost');
    this.scheduleReconnect(listener, undefined);
  }

  /** Waits a random time between half and all of the backoff delay, so that many senders do not reconnect in step. */
  private scheduleReconnect(listener: SmsGatewayListener, error: unknown): void {
    const ceiling = Math.min(this.reconnectMaxDelayMs, this.reconnectInitialDelayMs * 2 ** Math.min(this.failedAttempts, 30));
    const delayMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this.failedAttempts += 1;
    this.logger.warn({ err: error, attempt: this.failedAttempts, delayMs }, 'SMPP reconnect scheduled');
    this.reconnectTimer = setTimeout(() => this.openConnection(listener), delayMs);
  }

  /** Resolves to the command_status of the deliver_sm_resp; never rejects. */
  private async handleDeliverSm(listener: SmsGatewayListener, pdu: DeliverSmPdu): Promise<number> {
    const content = readDeliverSm(pdu, new Date());
    try {
      switch (content.kind) {
        case 'receipt':
          await listener.onDeliveryReceipt(content.receipt);
          return smpp.ESME_ROK;
        case 'inbound':
          await listener.onInboundMessage(content.message);
          return smpp.ESME_ROK;
        case 'unreadable-receipt':
          this.logger.error({ reason: content.reason, esmClass: pdu.esm_class }, 'unreadable receipt dropped; responded ESME_RX_P_APPN');
          // ESME_RX_P_APPN reports a permanent error of the receiving application (SMPP 3.4, section 5.1.3): redelivery cannot help.
          return smpp.ESME_RX_P_APPN;
      }
    } catch (error) {
      this.listenerErrorLog.record((suppressed) => {
        // A warning, not an error: the SMSC delivers the message again, and a receipt that overtook
        // its own submit's record is expected to fail once this way.
        this.logger.warn(
          { err: error, kind: content.kind, suppressed },
          'SMS gateway listener failed; responded ESME_RX_T_APPN so the SMSC redelivers the deliver_sm',
        );
      });
      // ESME_RX_T_APPN reports a temporary error of the receiving application, so the SMSC keeps the deliver_sm and retries it.
      return smpp.ESME_RX_T_APPN;
    }
  }
}

function positiveInteger(option: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new InvalidGatewayOptionError(option, value, 'must be a positive integer');
  }
  return value;
}
