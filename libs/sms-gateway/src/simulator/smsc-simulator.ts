import type { Server as HttpServer } from 'http';
import pino, { type Logger } from 'pino';
import * as smpp from 'smpp';
import type { BindPdu, DecodedMessage, DeliverSmParams, PDU, Server, Session, SubmitSmPdu } from 'smpp';

import type { DeliveryStatus } from '../sms-gateway.port';
import { OutboundDeliveries, type ReceiverSession } from './outbound-deliveries';
import { MESSAGE_STATE_BY_STATUS, formatReceiptText } from './receipt-format';
import { SeededRandom } from './seeded-random';
import { type ResolvedSimulatorOptions, type SmscSimulatorOptions, resolveSimulatorOptions } from './simulator-options';
import { listeningPort, startStatsEndpoint } from './stats-endpoint';

export interface RecordedSubmit {
  /** destination_addr as received: an international number has no plus sign. */
  readonly destination: string;
  readonly source: string;
  readonly text: string;
  /** data_coding of the submit_sm: 0 for the SMSC default alphabet (GSM 03.38), 8 for UCS-2. */
  readonly dataCoding: number;
  /** Whether the text came in the message_payload TLV rather than in short_message. */
  readonly inMessagePayload: boolean;
  /** message_id as sent in the submit_sm_resp. */
  readonly messageId: string;
  readonly receivedAt: Date;
}

export interface SmscSimulatorStats {
  /** submit_sm received from bound transmitters and transceivers. */
  readonly submitsTotal: number;
  readonly accepted: number;
  /** Submits rejected with an error status, throttled ones included. */
  readonly rejected: number;
  /** Submits rejected with ESME_RTHROTTLED because they exceeded maxSubmitsPerSecond. */
  readonly throttled: number;
  /** Accepted submits whose destination and text had already been accepted. */
  readonly duplicateDestinationTexts: number;
  /** Accepted submits whose destination had already been accepted, whatever the text. */
  readonly duplicateDestinations: number;
  readonly receiptsSent: number;
  readonly receiptsAcknowledged: number;
  readonly receiptsRetried: number;
  readonly receiptsPending: number;
  readonly moSent: number;
  readonly moAcknowledged: number;
  /** Accepted submits left without a submit_sm_resp because their destination is in `unansweredDestinations`. */
  readonly unanswered: number;
  /** Highest number of submit_sm awaiting their submit_sm_resp on one session at any moment. */
  readonly maxUnansweredSubmits: number;
  readonly boundSessions: number;
}

export class SimulatorStateError extends Error {
  readonly code: 'SMSC_SIMULATOR.ALREADY_STARTED' | 'SMSC_SIMULATOR.CLOSED';

  constructor(state: 'started' | 'closed') {
    super(
      state === 'started'
        ? 'SMSC simulator start() was already called'
        : 'SMSC simulator was closed and cannot start again; create a new one',
    );
    this.code = state === 'started' ? 'SMSC_SIMULATOR.ALREADY_STARTED' : 'SMSC_SIMULATOR.CLOSED';
    this.name = 'SimulatorStateError';
  }
}

/** Raised to the callers of `injectMo` whose message was still unacknowledged at `close` or `reset`. */
export class MoNotDeliveredError extends Error {
  readonly code = 'SMSC_SIMULATOR.MO_NOT_DELIVERED';

  constructor(readonly reason: 'closed' | 'reset') {
    super(`MO was not acknowledged by any ESME before the SMSC simulator was ${reason}`);
    this.name = 'MoNotDeliveredError';
  }
}

type BindType = 'transceiver' | 'transmitter' | 'receiver';

interface SimulatorSession extends ReceiverSession {
  bindType: BindType | undefined;
  unansweredSubmits: number;
  closed: boolean;
}

/** system_id that the simulator sends in its bind responses, identifying the MC. */
const SIMULATOR_SYSTEM_ID = 'smsc-simulator';

/** esm_class of a deliver_sm carrying an SMSC delivery receipt (SMPP 3.4, section 5.2.12). */
const ESM_CLASS_DELIVERY_RECEIPT = 0x04;

/** Requests the simulator handles. It responds to any other with ESME_RINVCMDID, in a generic_nack when the command is unknown. */
const SUPPORTED_REQUESTS: ReadonlySet<string> = new Set([
  'bind_transceiver',
  'bind_transmitter',
  'bind_receiver',
  'submit_sm',
  'enquire_link',
  'unbind',
]);

/**
 * An SMSC for tests, demos and benchmarks: an SMPP 3.4 server with one set of credentials that
 * accepts submit_sm with a configurable latency, failure rate and throughput cap, and sends a
 * delivery receipt for each accepted submit that requests one. Random choices come from a seed.
 * It records what it received so tests can check for duplicates and window limits.
 */
export class SmscSimulator {
  private readonly options: ResolvedSimulatorOptions;
  private readonly logger: Logger;
  private readonly random: SeededRandom;
  private readonly deliveries: OutboundDeliveries;
  private readonly sessions = new Set<SimulatorSession>();
  private receivers: SimulatorSession[] = [];
  private readonly responseTimers = new Set<NodeJS.Timeout>();
  private server: Server | undefined;
  private statsServer: HttpServer | undefined;
  private closed = false;

  private counters = emptyCounters();
  private recorded: RecordedSubmit[] = [];
  // NOTE: both sets grow with every distinct destination and text until reset(), so a long-running
  // process with millions of distinct destinations needs reset() or a restart to bound its memory.
  private acceptedDestinations = new Set<string>();
  private acceptedDestinationTexts = new Set<string>();
  private throttleTokens = 0;
  private throttleRefilledAt = 0;
  /** Starts from the clock, so ids stay unique across restarts unless a run averaged a million submits per second. */
  private nextMessageNumber = Date.now() * 1000;

  /** Throws InvalidSimulatorOptionError naming the first invalid option. */
  constructor(options: SmscSimulatorOptions) {
    this.options = resolveSimulatorOptions(options);
    this.logger = options.logger ?? pino({ name: 'smsc-simulator' });
    this.random = new SeededRandom(this.options.seed);
    this.deliveries = new OutboundDeliveries(() => this.receivers, this.options.receiptRetryDelayMs);
    this.throttleTokens = this.options.maxSubmitsPerSecond ?? 0;
  }

  /** The SMPP port listened on; before `start`, the configured one. */
  get port(): number {
    return (this.server === undefined ? undefined : listeningPort(this.server)) ?? this.options.port;
  }

  /** The port of `GET /stats`, or undefined when the endpoint is off. */
  get statsPort(): number | undefined {
    return this.statsServer === undefined ? undefined : listeningPort(this.statsServer);
  }

  stats(): SmscSimulatorStats {
    const receipts = this.deliveries.counts.receipt;
    const mo = this.deliveries.counts.mo;
    let boundSessions = 0;
    for (const session of this.sessions) {
      if (session.bindType !== undefined && !session.closed) {
        boundSessions += 1;
      }
    }
    return {
      ...this.counters,
      receiptsSent: receipts.sent,
      receiptsAcknowledged: receipts.acknowledged,
      receiptsRetried: receipts.retried,
      receiptsPending: receipts.pending,
      moSent: mo.sent,
      moAcknowledged: mo.acknowledged,
      boundSessions,
    };
  }

  /** Submits in the order received, up to `maxRecordedSubmits`. */
  submits(): readonly RecordedSubmit[] {
    return this.recorded;
  }

  /** Zeroes the counters, clears recorded submits and drops receipts and MO not yet acknowledged. Sessions stay bound. */
  reset(): void {
    this.counters = emptyCounters();
    this.recorded = [];
    this.acceptedDestinations = new Set();
    this.acceptedDestinationTexts = new Set();
    this.throttleTokens = this.options.maxSubmitsPerSecond ?? 0;
    this.deliveries.abandonAll(new MoNotDeliveredError('reset'));
    this.deliveries.resetCounts();
  }

  /**
   * Sends a mobile-originated message as a deliver_sm to a bound receiver or transceiver, again
   * after each error response. Resolves once an ESME responds with ESME_ROK; rejects with
   * MoNotDeliveredError if the simulator is closed or reset first.
   */
  injectMo(from: string, to: string, text: string): Promise<void> {
    if (this.closed) {
      return Promise.reject(new MoNotDeliveredError('closed'));
    }

    const source = smppAddress(from);
    const destination = smppAddress(to);
    const params: DeliverSmParams = {
      source_addr_ton: source.ton,
      source_addr_npi: source.npi,
      source_addr: source.address,
      dest_addr_ton: destination.ton,
      dest_addr_npi: destination.npi,
      destination_addr: destination.address,
      esm_class: 0,
      data_coding: smpp.encodings.ASCII.match(text) ? 0 : 8,
    };
    // sm_length is one octet, so short_message carries at most 255 octets; either encoding takes at most 2 octets per UTF-16 code unit.
    if (text.length <= 127) {
      params.short_message = text;
    } else {
      params.message_payload = text;
    }
    return new Promise((resolve, reject) => {
      this.deliveries.schedule({ kind: 'mo', params, onAcknowledged: resolve, onAbandoned: reject }, 0);
    });
  }

  /** Destroys every open session, as a network failure would; returns how many there were. */
  dropConnections(): number {
    const sessions = [...this.sessions];
    for (const state of sessions) {
      state.session.destroy();
    }
    return sessions.length;
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.deliveries.abandonAll(new MoNotDeliveredError('closed'));
    for (const timer of this.responseTimers) {
      clearTimeout(timer);
    }
    this.responseTimers.clear();
    this.dropConnections();

    const server = this.server;
    const statsServer = this.statsServer;
    await Promise.all([
      server === undefined ? undefined : new Promise<void>((resolve) => server.close(() => resolve())),
      statsServer === undefined
        ? undefined
        : new Promise<void>((resolve) => {
            statsServer.closeAllConnections();
            statsServer.close(() => resolve());
          }),
    ]);
    this.logger.info({ ...this.stats() }, 'SMSC simulator stopped');
  }

  /** Starts listening, and serving `GET /stats` when `statsPort` is set; rejects when a port is taken. */
  async start(): Promise<void> {
    if (this.server !== undefined || this.closed) {
      throw new SimulatorStateError(this.closed ? 'closed' : 'started');
    }
    const server = smpp.createServer((session) => this.acceptSession(session));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.logger.error({ err: error }, 'SMSC simulator server error'));
    this.server = server;

    if (this.options.statsPort !== undefined) {
      try {
        this.statsServer = await startStatsEndpoint(this.options.host, this.options.statsPort, () => this.stats());
      } catch (error) {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        throw error;
      }
    }
    this.logger.info({ host: this.options.host, port: this.port, statsPort: this.statsPort }, 'SMSC simulator listening');
  }

  private acceptSession(session: Session): void {
    const state: SimulatorSession = { session, bindType: undefined, unansweredSubmits: 0, closed: false, unansweredDeliveries: new Set() };
    this.sessions.add(state);

    // node-smpp stops reading a session after a PDU it cannot parse, so the session is ended.
    session.on('error', (error) => {
      this.logger.warn({ err: error, remote: session.socket.remoteAddress }, 'SMPP session error; closing it');
      session.destroy();
    });
    session.on('close', () => this.onSessionClosed(state));
    session.on('bind_transceiver', (pdu) => this.onBind(state, pdu, 'transceiver'));
    session.on('bind_transmitter', (pdu) => this.onBind(state, pdu, 'transmitter'));
    session.on('bind_receiver', (pdu) => this.onBind(state, pdu, 'receiver'));
    session.on('submit_sm', (pdu) => this.onSubmit(state, pdu));
    session.on('enquire_link', (pdu) => {
      session.send(pdu.response());
    });
    session.on('unbind', (pdu) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('pdu', (pdu: PDU) => {
      if (!pdu.isResponse() && !SUPPORTED_REQUESTS.has(pdu.command)) {
        session.send(pdu.response({ command_status: smpp.ESME_RINVCMDID }));
      }
    });
  }

  private onBind(state: SimulatorSession, pdu: BindPdu, bindType: BindType): void {
    const status = this.bindStatus(state, pdu);
    if (status !== smpp.ESME_ROK) {
      this.logger.warn({ systemId: pdu.system_id, bindType, status }, 'SMPP bind rejected');
      state.session.send(pdu.response({ command_status: status }));
      return;
    }

    state.bindType = bindType;
    state.session.send(pdu.response({ system_id: SIMULATOR_SYSTEM_ID }));
    this.logger.info({ systemId: pdu.system_id, bindType, remote: state.session.socket.remoteAddress }, 'SMPP session bound');
    if (bindType !== 'transmitter') {
      this.receivers = [...this.receivers, state];
      this.deliveries.onReceiverBound();
    }
  }

  private bindStatus(state: SimulatorSession, pdu: BindPdu): number {
    if (state.bindType !== undefined) {
      return smpp.ESME_RALYBND;
    }
    if (pdu.system_id !== this.options.systemId) {
      return smpp.ESME_RINVSYSID;
    }
    if (pdu.password !== this.options.password) {
      return smpp.ESME_RINVPASWD;
    }
    return smpp.ESME_ROK;
  }

  private onSessionClosed(state: SimulatorSession): void {
    state.closed = true;
    this.sessions.delete(state);
    if (this.receivers.includes(state)) {
      this.receivers = this.receivers.filter((receiver) => receiver !== state);
    }
    this.deliveries.onReceiverClosed(state);
    if (state.bindType !== undefined && !this.closed) {
      this.logger.info({ bindType: state.bindType }, 'SMPP session closed');
    }
  }

  private onSubmit(state: SimulatorSession, pdu: SubmitSmPdu): void {
    if (state.bindType !== 'transceiver' && state.bindType !== 'transmitter') {
      state.session.send(pdu.response({ command_status: smpp.ESME_RINVBNDSTS }));
      return;
    }

    const receivedAt = Date.now();
    this.counters.submitsTotal += 1;
    if (this.options.unansweredDestinations.has(pdu.destination_addr)) {
      this.counters.accepted += 1;
      this.counters.unanswered += 1;
      this.recordAccepted(pdu, this.nextMessageId().messageId, receivedAt);
      return;
    }
    const status = this.decideSubmitStatus(receivedAt);
    let response: PDU;
    if (status === smpp.ESME_ROK) {
      response = pdu.response({ message_id: this.acceptSubmit(pdu, receivedAt) });
    } else {
      this.counters.rejected += 1;
      response = pdu.response({ command_status: status });
    }

    state.unansweredSubmits += 1;
    this.counters.maxUnansweredSubmits = Math.max(this.counters.maxUnansweredSubmits, state.unansweredSubmits);
    const latency = this.random.between(this.options.latencyMs.min, this.options.latencyMs.max);
    if (latency <= 0) {
      this.respond(state, response);
      return;
    }
    const timer = setTimeout(() => {
      this.responseTimers.delete(timer);
      this.respond(state, response);
    }, latency);
    this.responseTimers.add(timer);
  }

  private respond(state: SimulatorSession, response: PDU): void {
    state.unansweredSubmits -= 1;
    if (!state.closed) {
      state.session.send(response);
    }
  }

  /** Returns ESME_ROK, ESME_RTHROTTLED above the throughput cap, or a configured failure status. */
  private decideSubmitStatus(now: number): number {
    if (!this.takeThrottleToken(now)) {
      this.counters.throttled += 1;
      return smpp.ESME_RTHROTTLED;
    }
    if (this.options.failureRate > 0 && this.random.next() < this.options.failureRate) {
      return this.random.next() < this.options.transientFailureShare
        ? this.options.transientFailureStatus
        : this.options.permanentFailureStatus;
    }
    return smpp.ESME_ROK;
  }

  /** Takes a token from a bucket that fills continuously up to one second of submits; returns false when it is empty. */
  private takeThrottleToken(now: number): boolean {
    const perSecond = this.options.maxSubmitsPerSecond;
    if (perSecond === undefined) {
      return true;
    }
    const refill = ((now - this.throttleRefilledAt) * perSecond) / 1000;
    this.throttleTokens = Math.min(perSecond, this.throttleTokens + refill);
    this.throttleRefilledAt = now;
    if (this.throttleTokens < 1) {
      return false;
    }
    this.throttleTokens -= 1;
    return true;
  }

  /** Counts and records an accepted submit, schedules its receipt and returns its message_id. */
  private acceptSubmit(pdu: SubmitSmPdu, receivedAt: number): string {
    this.counters.accepted += 1;
    const { receiptId, messageId } = this.nextMessageId();
    const text = this.recordAccepted(pdu, messageId, receivedAt);

    const status = this.random.pickWeighted(this.options.statusMix);
    if (receiptRequested(pdu.registered_delivery, status)) {
      const delayMs = this.random.between(this.options.receiptDelayMs.min, this.options.receiptDelayMs.max);
      this.scheduleReceipt(pdu, receiptId, status, text, receivedAt, delayMs);
    }
    return messageId;
  }

  private nextMessageId(): { receiptId: string; messageId: string } {
    const number = this.nextMessageNumber;
    this.nextMessageNumber += 1;
    const receiptId = number.toString(16);
    const messageId = this.options.uppercaseMessageIds ? receiptId.toUpperCase().padStart(16, '0') : receiptId;
    return { receiptId, messageId };
  }

  /** Counts duplicates of an accepted submit and records it; returns its decoded text. */
  private recordAccepted(pdu: SubmitSmPdu, messageId: string, receivedAt: number): string {
    const text = decodedText(pdu.message_payload) ?? decodedText(pdu.short_message) ?? '';
    this.countDuplicates(pdu.destination_addr, text);
    if (this.recorded.length < this.options.maxRecordedSubmits) {
      this.recorded.push({
        destination: pdu.destination_addr,
        source: pdu.source_addr,
        text,
        dataCoding: pdu.data_coding,
        inMessagePayload: pdu.message_payload !== undefined,
        messageId,
        receivedAt: new Date(receivedAt),
      });
    }
    return text;
  }

  private countDuplicates(destination: string, text: string): void {
    if (this.acceptedDestinations.has(destination)) {
      this.counters.duplicateDestinations += 1;
    } else {
      this.acceptedDestinations.add(destination);
    }

    const destinationText = `${destination}\u0000${text}`;
    if (this.acceptedDestinationTexts.has(destinationText)) {
      this.counters.duplicateDestinationTexts += 1;
    } else {
      this.acceptedDestinationTexts.add(destinationText);
    }
  }

  private scheduleReceipt(
    pdu: SubmitSmPdu,
    receiptId: string,
    status: DeliveryStatus,
    text: string,
    receivedAt: number,
    delayMs: number,
  ): void {
    const receiptText = formatReceiptText({
      messageId: receiptId,
      status,
      submittedAt: new Date(receivedAt),
      doneAt: new Date(receivedAt + delayMs),
      text,
    });
    const params: DeliverSmParams = {
      source_addr_ton: pdu.dest_addr_ton,
      source_addr_npi: pdu.dest_addr_npi,
      source_addr: pdu.destination_addr,
      dest_addr_ton: pdu.source_addr_ton,
      dest_addr_npi: pdu.source_addr_npi,
      destination_addr: pdu.source_addr,
      esm_class: ESM_CLASS_DELIVERY_RECEIPT,
      data_coding: 0,
      short_message: receiptText,
      receipted_message_id: receiptId,
      message_state: MESSAGE_STATE_BY_STATUS[status],
    };
    this.deliveries.schedule({ kind: 'receipt', params }, delayMs);
  }
}

type SubmitCounters = {
  -readonly [
    Key in
      | 'submitsTotal'
      | 'accepted'
      | 'rejected'
      | 'throttled'
      | 'duplicateDestinationTexts'
      | 'duplicateDestinations'
      | 'unanswered'
      | 'maxUnansweredSubmits'
  ]: SmscSimulatorStats[Key];
};

function emptyCounters(): SubmitCounters {
  return {
    submitsTotal: 0,
    accepted: 0,
    rejected: 0,
    throttled: 0,
    duplicateDestinationTexts: 0,
    duplicateDestinations: 0,
    unanswered: 0,
    maxUnansweredSubmits: 0,
  };
}

/**
 * Reads registered_delivery bits 0-1 (SMPP 3.4, section 5.2.17): 1 requests a receipt for every
 * final outcome, 2 only for failures; 3 (SMPP 5.0, node-smpp REGISTERED_DELIVERY.SUCCESS) only for success.
 */
function receiptRequested(registeredDelivery: number, status: DeliveryStatus): boolean {
  switch (registeredDelivery & 0x03) {
    case 1:
      return true;
    case 2:
      return status !== 'DELIVERED';
    case 3:
      return status === 'DELIVERED';
    default:
      return false;
  }
}

function decodedText(decoded: DecodedMessage | undefined): string | undefined {
  if (decoded === undefined) {
    return undefined;
  }
  return typeof decoded.message === 'string' ? decoded.message : decoded.message.toString('latin1');
}

/** `+33612345678` becomes international E.164 (TON 1, NPI 1), digits a short code, anything else an alphanumeric id (TON 5). */
function smppAddress(value: string): { ton: number; npi: number; address: string } {
  if (value.startsWith('+')) {
    return { ton: 1, npi: 1, address: value.slice(1) };
  }
  return /^\d+$/.test(value) ? { ton: 0, npi: 1, address: value } : { ton: 5, npi: 0, address: value };
}
