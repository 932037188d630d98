import * as smpp from 'smpp';
import type { DeliverSmPdu, PDU, Session, SubmitSmParams } from 'smpp';

import type { SubmitOutcome } from '../sms-gateway.port';
import { SmppBindRejectedError, SmppConnectionError } from './smpp-errors';
import type { SmppEndpoint } from './smpp-url';
import { notConnectedOutcome, submitOutcomeFromResponse } from './submit-outcome';

export interface SmppConnectionSettings {
  readonly endpoint: SmppEndpoint;
  readonly systemType: string;
  readonly windowSize: number;
  readonly submitTimeoutMs: number;
  /** Maximum wait for connect plus bind_transceiver_resp, and for unbind_resp. */
  readonly responseTimeoutMs: number;
  readonly enquireLinkIntervalMs: number;
}

export interface SmppConnectionHandlers {
  /** Handles a deliver_sm and resolves to the command_status of its deliver_sm_resp. */
  onDeliverSm(pdu: DeliverSmPdu): Promise<number>;
  /** Called once when a bound connection ends without `close()`. */
  onLost(reason: string): void;
}

type ConnectionState = 'connecting' | 'binding' | 'bound' | 'unbinding' | 'closed';

interface InFlightSubmit {
  readonly resolve: (outcome: SubmitOutcome) => void;
  /** Date.now() after which the caller gets UNKNOWN. */
  readonly deadline: number;
  /** The caller already got UNKNOWN, but the entry keeps its window slot until a response arrives or the connection closes. */
  expired: boolean;
}

interface QueuedSubmit {
  readonly params: SubmitSmParams;
  readonly resolve: (outcome: SubmitOutcome) => void;
}

/** interface_version announcing SMPP 3.4 in the bind; node-smpp would send 0x50 (SMPP 5.0). */
const INTERFACE_VERSION_3_4 = 0x34;

/** Requests from the SMSC that this connection handles. It responds to any other with ESME_RINVCMDID. */
const HANDLED_REQUESTS: ReadonlySet<string> = new Set(['deliver_sm', 'enquire_link', 'unbind']);

/**
 * One TCP connection and transceiver bind to an SMSC. It keeps at most `windowSize` submit_sm
 * unacknowledged, queueing further submits in call order. A submit that gets no response within
 * `submitTimeoutMs` resolves UNKNOWN but keeps its window slot, since the SMSC may still be
 * processing it. When every slot is held that way, the connection is considered stalled and closed.
 */
export class SmppConnection {
  private state: ConnectionState = 'connecting';
  private readonly session: Session;
  private readonly address: string;
  private readonly inFlight = new Map<number, InFlightSubmit>();
  private expiredInFlight = 0;
  private readonly queue = new SubmitQueue();
  private activeDeliveries = 0;
  private awaitingEnquireLinkResponse = false;
  private timers: NodeJS.Timeout[] = [];
  /** Reason this side ended the connection, or undefined when the SMSC or the network ended it. */
  private endReason: string | undefined;
  private lastSocketError: Error | undefined;
  private bindCallbacks: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private idleCallbacks: (() => void)[] = [];
  private readonly closedPromise: Promise<void>;
  private resolveClosed: () => void = () => undefined;

  constructor(
    private readonly settings: SmppConnectionSettings,
    private readonly handlers: SmppConnectionHandlers,
  ) {
    const { host, port } = settings.endpoint;
    this.address = `${host}:${port}`;
    this.closedPromise = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.session = smpp.connect({ host, port, noDelay: true });
    this.listen();
  }

  isBound(): boolean {
    return this.state === 'bound';
  }

  isClosed(): boolean {
    return this.state === 'closed';
  }

  /** Resolves once bound; rejects with SmppBindRejectedError or SmppConnectionError. */
  bind(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.bindCallbacks = { resolve, reject };
      this.addTimer(
        setTimeout(() => {
          this.failBind(new SmppConnectionError(this.address, `not bound within ${this.settings.responseTimeoutMs} ms`));
        }, this.settings.responseTimeoutMs),
      );
      this.session.once('connect', () => this.sendBind());
    });
  }

  submit(params: SubmitSmParams): Promise<SubmitOutcome> {
    if (this.state !== 'bound') {
      return Promise.resolve(notConnectedOutcome(`SMPP session to ${this.address} is not bound`));
    }
    return new Promise((resolve) => {
      if (this.inFlight.size < this.settings.windowSize && this.queue.isEmpty()) {
        this.write(params, resolve);
      } else {
        this.queue.push({ params, resolve });
      }
    });
  }

  /**
   * Closes gracefully: rejects queued submits, waits up to `submitTimeoutMs` for submits in flight
   * and for deliver_sm being handled, then unbinds (SMPP 3.4, section 4.2.1) and closes the socket.
   */
  async close(): Promise<void> {
    if (this.state === 'closed') {
      return;
    }
    if (this.state === 'unbinding') {
      return this.closedPromise;
    }
    if (this.state !== 'bound') {
      this.endReason = 'gateway closed while connecting';
      this.session.destroy();
      return this.closedPromise;
    }

    this.state = 'unbinding';
    this.rejectQueued('SMPP gateway is closing');
    await this.waitUntilIdle(this.settings.submitTimeoutMs);
    if (this.isClosed()) {
      return;
    }

    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.settings.responseTimeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      void this.closedPromise.then(done);
      if (!this.session.unbind(done)) {
        done();
      }
    });
    this.session.close();
    const forced = setTimeout(() => this.session.destroy(), this.settings.responseTimeoutMs);
    await this.closedPromise;
    clearTimeout(forced);
  }

  /** Closes at once; submits in flight resolve UNKNOWN. */
  destroy(reason: string): void {
    if (this.state !== 'closed') {
      this.endReason = reason;
      this.session.destroy();
    }
  }

  private listen(): void {
    const session = this.session;
    // node-smpp emits socket errors, which 'close' follows, and PDU parse errors, after which it
    // stops reading the socket. Destroying covers both; the state changes on 'close'.
    session.on('error', (error) => {
      this.lastSocketError = error;
      session.destroy();
    });
    session.on('close', () => this.onClosed());
    session.on('submit_sm_resp', (pdu) => this.settleSubmit(pdu.sequence_number, pdu.command_status, pdu.message_id));
    session.on('generic_nack', (pdu) => this.settleSubmit(pdu.sequence_number, pdu.command_status, undefined));
    session.on('deliver_sm', (pdu) => this.handleDeliverSm(pdu));
    session.on('enquire_link', (pdu) => {
      session.send(pdu.response());
    });
    session.on('enquire_link_resp', () => {
      this.awaitingEnquireLinkResponse = false;
    });
    session.on('unbind', (pdu) => {
      session.send(pdu.response());
      this.endReason = 'SMSC sent unbind';
      session.close();
    });
    session.on('pdu', (pdu: PDU) => {
      if (!pdu.isResponse() && !HANDLED_REQUESTS.has(pdu.command)) {
        session.send(pdu.response({ command_status: smpp.ESME_RINVCMDID }));
      }
    });
  }

  private sendBind(): void {
    this.state = 'binding';
    const { systemId, password } = this.settings.endpoint;
    const params = { system_id: systemId, password, system_type: this.settings.systemType, interface_version: INTERFACE_VERSION_3_4 };
    this.session.bind_transceiver(params, (response) => {
      if (this.state !== 'binding') {
        return;
      }
      if (response.command_status !== smpp.ESME_ROK) {
        this.failBind(new SmppBindRejectedError(systemId, response.command_status));
        return;
      }
      this.onBound();
    });
  }

  private onBound(): void {
    this.clearTimers();
    this.state = 'bound';
    const sweepIntervalMs = Math.min(1000, Math.max(10, Math.floor(this.settings.submitTimeoutMs / 10)));
    this.addTimer(setInterval(() => this.expireSubmits(), sweepIntervalMs).unref());
    this.addTimer(setInterval(() => this.enquireLink(), this.settings.enquireLinkIntervalMs).unref());
    this.bindCallbacks?.resolve();
    this.bindCallbacks = undefined;
  }

  private failBind(error: Error): void {
    if (this.bindCallbacks === undefined) {
      return;
    }
    this.bindCallbacks.reject(error);
    this.bindCallbacks = undefined;
    this.endReason = error.message;
    this.session.destroy();
  }

  private write(params: SubmitSmParams, resolve: (outcome: SubmitOutcome) => void): void {
    const pdu = new smpp.PDU('submit_sm', params);
    let written: boolean;
    try {
      written = this.session.send(pdu);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      resolve({ status: 'REJECTED', transient: false, errorCode: 'INVALID_PDU', reason: `submit_sm could not be encoded: ${reason}` });
      return;
    }

    if (!written) {
      resolve(notConnectedOutcome(`socket to ${this.address} is not writable`));
      return;
    }
    this.inFlight.set(pdu.sequence_number, { resolve, deadline: Date.now() + this.settings.submitTimeoutMs, expired: false });
  }

  private settleSubmit(sequenceNumber: number, commandStatus: number, messageId: string | undefined): void {
    const entry = this.inFlight.get(sequenceNumber);
    if (entry === undefined) {
      return;
    }

    this.inFlight.delete(sequenceNumber);
    if (entry.expired) {
      this.expiredInFlight -= 1;
    } else {
      entry.resolve(submitOutcomeFromResponse(commandStatus, messageId));
    }
    this.writeQueued();
    this.notifyIfIdle();
  }

  private writeQueued(): void {
    while (this.state === 'bound' && this.inFlight.size < this.settings.windowSize) {
      const next = this.queue.shift();
      if (next === undefined) {
        return;
      }
      this.write(next.params, next.resolve);
    }
  }

  /** Resolves UNKNOWN for submits past their deadline; entries are in write order, so deadlines ascend. */
  private expireSubmits(): void {
    const now = Date.now();
    for (const entry of this.inFlight.values()) {
      if (entry.deadline > now) {
        break;
      }
      if (!entry.expired) {
        entry.expired = true;
        this.expiredInFlight += 1;
        entry.resolve({ status: 'UNKNOWN', reason: `no submit_sm_resp within ${this.settings.submitTimeoutMs} ms` });
      }
    }

    if (this.expiredInFlight >= this.settings.windowSize) {
      this.destroy(`all ${this.settings.windowSize} window slots wait for a submit_sm_resp past the timeout`);
    }
    this.notifyIfIdle();
  }

  private enquireLink(): void {
    if (this.awaitingEnquireLinkResponse) {
      this.destroy(`no enquire_link_resp within ${this.settings.enquireLinkIntervalMs} ms`);
      return;
    }
    this.awaitingEnquireLinkResponse = true;
    this.session.enquire_link();
  }

  /**
   * Sends the deliver_sm_resp only once the handler settles, so a receipt that was not stored gets an
   * error status (or none, after a crash) and the SMSC keeps it for redelivery.
   */
  private handleDeliverSm(pdu: DeliverSmPdu): void {
    this.activeDeliveries += 1;
    this.handlers
      .onDeliverSm(pdu)
      .catch(() => smpp.ESME_RX_T_APPN)
      .then((commandStatus) => {
        if (this.state !== 'closed') {
          this.session.send(pdu.response({ command_status: commandStatus }));
        }
        this.activeDeliveries -= 1;
        this.notifyIfIdle();
      });
  }

  private onClosed(): void {
    const wasBound = this.state === 'bound';
    this.state = 'closed';
    this.clearTimers();

    const reason = this.endReason ?? this.lastSocketError?.message ?? 'SMSC closed the connection';
    for (const entry of this.inFlight.values()) {
      if (!entry.expired) {
        entry.resolve({ status: 'UNKNOWN', reason: `connection lost after submit_sm was written (${reason})` });
      }
    }
    this.inFlight.clear();
    this.expiredInFlight = 0;
    this.rejectQueued(`connection to ${this.address} lost before submit_sm was written`);
    this.failBind(new SmppConnectionError(this.address, reason, { cause: this.lastSocketError }));
    this.resolveClosed();
    this.notifyIfIdle();

    if (wasBound) {
      this.handlers.onLost(reason);
    }
  }

  private rejectQueued(reason: string): void {
    const outcome = notConnectedOutcome(reason);
    for (let queued = this.queue.shift(); queued !== undefined; queued = this.queue.shift()) {
      queued.resolve(outcome);
    }
  }

  private waitUntilIdle(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idleCallbacks.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.notifyIfIdle();
    });
  }

  private notifyIfIdle(): void {
    const idle = this.state === 'closed' || (this.inFlight.size === this.expiredInFlight && this.activeDeliveries === 0);
    if (!idle || this.idleCallbacks.length === 0) {
      return;
    }
    const callbacks = this.idleCallbacks;
    this.idleCallbacks = [];
    for (const callback of callbacks) {
      callback();
    }
  }

  private addTimer(timer: NodeJS.Timeout): void {
    this.timers.push(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.timers = [];
  }
}

/** A FIFO queue whose shift is O(1), unlike Array.prototype.shift on a long array. */
class SubmitQueue {
  private items: (QueuedSubmit | undefined)[] = [];
  private head = 0;

  isEmpty(): boolean {
    return this.head === this.items.length;
  }

  push(item: QueuedSubmit): void {
    this.items.push(item);
  }

  shift(): QueuedSubmit | undefined {
    if (this.head === this.items.length) {
      return undefined;
    }
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head += 1;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    return item;
  }
}
