import { randomUUID } from 'crypto';
import pino from 'pino';
import * as smpp from 'smpp';
import type { DeliverSmParams, Session } from 'smpp';

import { SmscSimulator } from '../simulator/smsc-simulator';
import type { SmscSimulatorOptions } from '../simulator/simulator-options';
import type { DeliveryReceipt, InboundMessage, SmsGatewayListener, SmsSubmission, SubmitOutcome } from '../sms-gateway.port';
import { normaliseMessageId } from './delivery-receipt';
import { SmppGateway, type SmppGatewayOptions } from './smpp-gateway';
import { SmppBindRejectedError } from './smpp-errors';

const silent = pino({ level: 'silent' });
const SYSTEM_ID = 'gw-test';
const PASSWORD = 'secret';

/** Collects what the gateway hands to its listener. */
class RecordingListener implements SmsGatewayListener {
  readonly receipts: DeliveryReceipt[] = [];
  readonly inbound: InboundMessage[] = [];
  receiptFailures = 0;

  constructor(private readonly failFirstReceipts = 0) {}

  async onDeliveryReceipt(receipt: DeliveryReceipt): Promise<void> {
    if (this.receiptFailures < this.failFirstReceipts) {
      this.receiptFailures += 1;
      throw new Error('receipt store unavailable');
    }
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

async function startSimulator(options: Partial<SmscSimulatorOptions> = {}): Promise<SmscSimulator> {
  const simulator = new SmscSimulator({ systemId: SYSTEM_ID, password: PASSWORD, logger: silent, ...options });
  await simulator.start();
  closers.push(() => simulator.close());
  return simulator;
}

function createGateway(port: number, options: Partial<SmppGatewayOptions> = {}): SmppGateway {
  const gateway = new SmppGateway({
    url: `smpp://${SYSTEM_ID}:${PASSWORD}@127.0.0.1:${port}`,
    logger: silent,
    reconnectInitialDelayMs: 20,
    reconnectMaxDelayMs: 200,
    ...options,
  });
  closers.push(() => gateway.close());
  return gateway;
}

async function startGateway(
  simulator: SmscSimulator,
  options: Partial<SmppGatewayOptions> = {},
  listener = new RecordingListener(),
): Promise<{ gateway: SmppGateway; listener: RecordingListener }> {
  const gateway = createGateway(simulator.port, options);
  await gateway.start(listener);
  return { gateway, listener };
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

function acceptedId(outcome: SubmitOutcome): string {
  if (outcome.status !== 'ACCEPTED') {
    throw new Error(`expected ACCEPTED, got ${JSON.stringify(outcome)}`);
  }
  return outcome.providerMessageId;
}

describe('SmppGateway - submit to a healthy SMSC', () => {
  it('sends a GSM-7 text as data_coding 0 in short_message', async () => {
    const simulator = await startSimulator();
    const { gateway } = await startGateway(simulator);
    const text = 'Hello @ 10€ {ok} [1]~';

    const outcome = await gateway.submit(submission({ text }));

    const [recorded] = simulator.submits();
    expect(acceptedId(outcome)).toBe(normaliseMessageId(recorded.messageId));
    expect(recorded.text).toBe(text);
    expect(recorded.dataCoding).toBe(0);
    expect(recorded.inMessagePayload).toBe(false);
    expect(recorded.destination).toBe('33612345678');
    expect(recorded.source).toBe('ACME');
  });

  it('sends a text outside GSM 03.38 as UCS-2', async () => {
    const simulator = await startSimulator();
    const { gateway } = await startGateway(simulator);
    const text = 'Привет, ça va ? 😀';

    acceptedId(await gateway.submit(submission({ text })));

    const [recorded] = simulator.submits();
    expect(recorded.text).toBe(text);
    expect(recorded.dataCoding).toBe(8);
    expect(recorded.inMessagePayload).toBe(false);
  });

  it.each([
    ['GSM-7', 'Long campaign text. '.repeat(20), 0],
    ['UCS-2', 'Длинное сообщение. '.repeat(8), 8],
  ])('sends a long %s text in one submit_sm with message_payload', async (_encoding, text, dataCoding) => {
    const simulator = await startSimulator();
    const { gateway } = await startGateway(simulator);

    acceptedId(await gateway.submit(submission({ text })));

    expect(simulator.stats().submitsTotal).toBe(1);
    const [recorded] = simulator.submits();
    expect(recorded.text).toBe(text);
    expect(recorded.dataCoding).toBe(dataCoding);
    expect(recorded.inMessagePayload).toBe(true);
  });

  it('keeps a 160-character GSM-7 text in short_message', async () => {
    const simulator = await startSimulator();
    const { gateway } = await startGateway(simulator);

    acceptedId(await gateway.submit(submission({ text: 'x'.repeat(160) })));

    expect(simulator.submits()[0].inMessagePayload).toBe(false);
  });

  it('rejects texts over 255 segments unsent', async () => {
    const simulator = await startSimulator();
    const { gateway } = await startGateway(simulator);

    const outcome = await gateway.submit(submission({ text: 'x'.repeat(153 * 255 + 1) }));

    expect(outcome).toMatchObject({ status: 'REJECTED', transient: false, errorCode: 'MESSAGE_TOO_LONG' });
    expect(simulator.stats().submitsTotal).toBe(0);
  });

  it('reports ready only while bound', async () => {
    const simulator = await startSimulator();
    const gateway = createGateway(simulator.port);
    expect(gateway.isReady()).toBe(false);

    await gateway.start(new RecordingListener());
    expect(gateway.isReady()).toBe(true);

    await gateway.close();
    expect(gateway.isReady()).toBe(false);
    await waitFor(() => simulator.stats().boundSessions === 0, 'the simulator sees the unbind');
  });
});

describe('SmppGateway - delivery receipts', () => {
  it('matches a receipt whose id differs in case and leading zeros', async () => {
    const simulator = await startSimulator({ uppercaseMessageIds: true });
    const { gateway, listener } = await startGateway(simulator);

    const providerMessageId = acceptedId(await gateway.submit(submission()));
    await waitFor(() => listener.receipts.length === 1, 'the receipt arrives');

    const sentId = simulator.submits()[0].messageId;
    expect(sentId).toMatch(/^0+[0-9A-F]+$/);
    expect(sentId).not.toBe(providerMessageId);
    expect(listener.receipts[0].providerMessageId).toBe(providerMessageId);
    expect(listener.receipts[0].status).toBe('DELIVERED');
    expect(listener.receipts[0].errorCode).toBeUndefined();
  });

  it.each([
    ['UNDELIVERED', '001'],
    ['EXPIRED', '002'],
    ['REJECTED', '003'],
  ] as const)('reports %s with the receipt error code', async (status, errorCode) => {
    const simulator = await startSimulator({ statusMix: { [status]: 1 } });
    const { gateway, listener } = await startGateway(simulator);

    const providerMessageId = acceptedId(await gateway.submit(submission()));
    await waitFor(() => listener.receipts.length === 1, 'the receipt arrives');

    expect(listener.receipts[0]).toMatchObject({ providerMessageId, status, errorCode });
    expect(listener.receipts[0].doneAt).toBeInstanceOf(Date);
  });

  it('gets a receipt redelivered after listener failures', async () => {
    const simulator = await startSimulator({ receiptRetryDelayMs: 20 });
    const { gateway, listener } = await startGateway(simulator, {}, new RecordingListener(2));

    const providerMessageId = acceptedId(await gateway.submit(submission()));
    await waitFor(() => listener.receipts.length === 1, 'the receipt is stored');

    expect(listener.receiptFailures).toBe(2);
    expect(listener.receipts[0].providerMessageId).toBe(providerMessageId);
    const stats = simulator.stats();
    expect(stats.receiptsSent).toBe(3);
    expect(stats.receiptsRetried).toBe(2);
    expect(stats.receiptsAcknowledged).toBe(1);
    expect(stats.receiptsPending).toBe(0);
  });
});

describe('SmppGateway - mobile-originated messages', () => {
  it('hands an MO to the listener with E.164 sender', async () => {
    const simulator = await startSimulator();
    const { listener } = await startGateway(simulator);

    await simulator.injectMo('+33612345678', '36111', 'STOP');

    expect(listener.inbound).toHaveLength(1);
    expect(listener.inbound[0]).toMatchObject({ from: '+33612345678', to: '36111', text: 'STOP' });
    expect(listener.inbound[0].receivedAt).toBeInstanceOf(Date);
    expect(listener.receipts).toHaveLength(0);
  });

  it('decodes a long UCS-2 MO sent in message_payload', async () => {
    const simulator = await startSimulator();
    const { listener } = await startGateway(simulator);
    const text = 'Merci, à demain 😀 '.repeat(10);

    await simulator.injectMo('+33612345678', '+33700000000', text);

    expect(listener.inbound[0]).toMatchObject({ from: '+33612345678', to: '+33700000000', text });
  });
});

describe('SmppGateway - SMSC error statuses', () => {
  it.each([
    { errorCode: 'ESME_RTHROTTLED', commandStatus: smpp.ESME_RTHROTTLED, transient: true },
    { errorCode: 'ESME_RMSGQFUL', commandStatus: smpp.ESME_RMSGQFUL, transient: true },
    { errorCode: 'ESME_RSYSERR', commandStatus: smpp.ESME_RSYSERR, transient: true },
    { errorCode: 'ESME_RINVDSTADR', commandStatus: smpp.ESME_RINVDSTADR, transient: false },
    { errorCode: 'ESME_RINVMSGLEN', commandStatus: smpp.ESME_RINVMSGLEN, transient: false },
    { errorCode: 'ESME_RINVSRCADR', commandStatus: smpp.ESME_RINVSRCADR, transient: false },
  ])('maps $errorCode to REJECTED with transient $transient', async ({ errorCode, commandStatus, transient }) => {
    const simulator = await startSimulator({
      failureRate: 1,
      transientFailureShare: transient ? 1 : 0,
      transientFailureStatus: commandStatus,
      permanentFailureStatus: commandStatus,
    });
    const { gateway } = await startGateway(simulator);

    const outcome = await gateway.submit(submission());

    expect(outcome).toMatchObject({ status: 'REJECTED', transient, errorCode });
    expect(simulator.stats().rejected).toBe(1);
  });

  it('maps vendor statuses to permanent rejections', async () => {
    const simulator = await startSimulator({ failureRate: 1, transientFailureShare: 0, permanentFailureStatus: 0x400 });
    const { gateway } = await startGateway(simulator);

    const outcome = await gateway.submit(submission());

    expect(outcome).toMatchObject({ status: 'REJECTED', transient: false, errorCode: '0x00000400' });
  });

  it('gets ESME_RTHROTTLED above the throughput cap', async () => {
    const simulator = await startSimulator({ maxSubmitsPerSecond: 20 });
    const { gateway } = await startGateway(simulator);

    const startedAt = Date.now();
    const outcomes = await Promise.all(Array.from({ length: 60 }, (_, index) => gateway.submit(submission({ to: `+3361000${index}` }))));
    const elapsedMs = Date.now() - startedAt;

    const accepted = outcomes.filter((outcome) => outcome.status === 'ACCEPTED');
    const throttled = outcomes.filter((outcome) => outcome.status === 'REJECTED' && outcome.errorCode === 'ESME_RTHROTTLED');
    expect(accepted.length).toBeGreaterThanOrEqual(20);
    // The bucket starts with one second of submits and refills at 20/s while the burst is in flight.
    expect(accepted.length).toBeLessThanOrEqual(20 + Math.ceil((elapsedMs * 20) / 1000));
    expect(accepted.length + throttled.length).toBe(60);
    expect(throttled.every((outcome) => outcome.status === 'REJECTED' && outcome.transient)).toBe(true);
    expect(simulator.stats().throttled).toBe(throttled.length);
  });
});

describe('SmppGateway - outcomes without a response', () => {
  it('returns UNKNOWN after the submit timeout', async () => {
    const simulator = await startSimulator({ latencyMs: 600 });
    const { gateway } = await startGateway(simulator, { submitTimeoutMs: 100 });

    const outcome = await gateway.submit(submission());

    expect(outcome.status).toBe('UNKNOWN');
    expect(outcome).toMatchObject({ reason: expect.stringContaining('no submit_sm_resp within 100 ms') });
    expect(simulator.stats().accepted).toBe(1);
    expect(gateway.isReady()).toBe(true);
  });

  it('returns UNKNOWN on disconnect after write', async () => {
    const simulator = await startSimulator({ latencyMs: 5_000 });
    const { gateway } = await startGateway(simulator);

    const pending = gateway.submit(submission());
    await waitFor(() => simulator.stats().submitsTotal === 1, 'the simulator receives the submit_sm');
    simulator.dropConnections();

    const outcome = await pending;
    expect(outcome.status).toBe('UNKNOWN');
    expect(outcome).toMatchObject({ reason: expect.stringContaining('connection lost after submit_sm was written') });
  });

  it('rejects NOT_CONNECTED before start', async () => {
    const simulator = await startSimulator();
    const gateway = createGateway(simulator.port);

    const outcome = await gateway.submit(submission());

    expect(outcome).toMatchObject({ status: 'REJECTED', transient: true, errorCode: 'NOT_CONNECTED' });
    expect(simulator.stats().submitsTotal).toBe(0);
  });

  it('rejects queued submits on disconnect', async () => {
    const simulator = await startSimulator({ latencyMs: 5_000 });
    const { gateway } = await startGateway(simulator, { windowSize: 2 });

    const pending = Array.from({ length: 5 }, (_, index) => gateway.submit(submission({ to: `+3362000${index}` })));
    await waitFor(() => simulator.stats().submitsTotal === 2, 'the window is full');
    simulator.dropConnections();

    const outcomes = await Promise.all(pending);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['UNKNOWN', 'UNKNOWN', 'REJECTED', 'REJECTED', 'REJECTED']);
    expect(outcomes.slice(2).every((outcome) => outcome.status === 'REJECTED' && outcome.errorCode === 'NOT_CONNECTED')).toBe(true);
  });
});

describe('SmppGateway - window', () => {
  it('never has more than windowSize submit_sm unanswered', async () => {
    const simulator = await startSimulator({ latencyMs: { min: 5, max: 25 } });
    const { gateway } = await startGateway(simulator, { windowSize: 5 });

    const outcomes = await Promise.all(Array.from({ length: 100 }, (_, index) => gateway.submit(submission({ to: `+3363${index}` }))));

    expect(outcomes.every((outcome) => outcome.status === 'ACCEPTED')).toBe(true);
    expect(simulator.stats().maxUnansweredSubmits).toBe(5);
  });

  it('sends 2,000 messages through window 50, each accepted exactly once', async () => {
    const simulator = await startSimulator({ latencyMs: { min: 0, max: 4 } });
    const { gateway, listener } = await startGateway(simulator, { windowSize: 50 });
    const count = 2_000;

    const outcomes = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        gateway.submit(submission({ to: `+3364${String(index).padStart(6, '0')}`, text: `Message ${index}` })),
      ),
    );

    const ids = outcomes.map(acceptedId);
    expect(new Set(ids).size).toBe(count);
    const stats = simulator.stats();
    expect(stats.submitsTotal).toBe(count);
    expect(stats.accepted).toBe(count);
    expect(stats.duplicateDestinations).toBe(0);
    expect(stats.duplicateDestinationTexts).toBe(0);
    expect(stats.maxUnansweredSubmits).toBeLessThanOrEqual(50);

    await waitFor(() => listener.receipts.length === count, 'every receipt arrives', 15_000);
    const receiptIds = new Set(listener.receipts.map((receipt) => receipt.providerMessageId));
    expect(receiptIds).toEqual(new Set(ids));
  });
});

describe('SmppGateway - reconnection', () => {
  it('rebinds after the SMSC drops the connection', async () => {
    const simulator = await startSimulator();
    const { gateway } = await startGateway(simulator);

    simulator.dropConnections();
    await waitFor(() => !gateway.isReady(), 'the gateway notices the drop');
    await waitFor(() => gateway.isReady(), 'the gateway rebinds');

    acceptedId(await gateway.submit(submission()));
    expect(simulator.stats().boundSessions).toBe(1);
  });

  it('rebinds after the SMSC restarts on the same port', async () => {
    const first = await startSimulator();
    const port = first.port;
    const { gateway, listener } = await startGateway(first);

    await first.close();
    await waitFor(() => !gateway.isReady(), 'the gateway notices the restart');
    const notConnected = await gateway.submit(submission());
    const second = await startSimulator({ port });
    await waitFor(() => gateway.isReady(), 'the gateway rebinds', 10_000);

    expect(notConnected).toMatchObject({ status: 'REJECTED', errorCode: 'NOT_CONNECTED' });
    const providerMessageId = acceptedId(await gateway.submit(submission()));
    await waitFor(() => listener.receipts.length === 1, 'the receipt arrives');
    expect(listener.receipts[0].providerMessageId).toBe(providerMessageId);
    expect(second.stats().accepted).toBe(1);
  });

  it('keeps trying at start until the SMSC comes up', async () => {
    const probe = await startSimulator();
    const port = probe.port;
    await probe.close();
    const gateway = createGateway(port);

    const started = gateway.start(new RecordingListener());
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(gateway.isReady()).toBe(false);
    await startSimulator({ port });

    await started;
    expect(gateway.isReady()).toBe(true);
  });
});

/** Starts an SMPP server that accepts binds and then responds only to the requests that `script` allows, like a broken SMSC. */
async function startScriptedSmsc(script: {
  answerEnquireLink: boolean;
  answerSubmit: boolean;
  unbindAfterFirstBind: boolean;
}): Promise<{ port: number; binds: () => number; deliver: (params: DeliverSmParams) => Promise<number> }> {
  let binds = 0;
  const server = smpp.createServer((session: Session) => {
    session.on('error', () => undefined);
    session.on('bind_transceiver', (pdu) => {
      binds += 1;
      session.send(pdu.response({ system_id: 'scripted' }));
      if (script.unbindAfterFirstBind && binds === 1) {
        session.unbind();
      }
    });
    session.on('enquire_link', (pdu) => {
      if (script.answerEnquireLink) {
        session.send(pdu.response());
      }
    });
    session.on('submit_sm', (pdu) => {
      if (script.answerSubmit) {
        session.send(pdu.response({ message_id: '1' }));
      }
    });
    session.on('unbind', (pdu) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('unbind_resp', () => session.close());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  closers.push(async () => {
    for (const session of [...server.sessions]) {
      session.destroy();
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('scripted SMSC is not listening on TCP');
  }
  const deliver = (params: DeliverSmParams): Promise<number> =>
    new Promise((resolve) => {
      server.sessions[0].deliver_sm(params, (response) => resolve(response.command_status));
    });
  return { port: address.port, binds: () => binds, deliver };
}

describe('SmppGateway - deliver_sm from other SMSCs', () => {
  const healthy = { answerEnquireLink: true, answerSubmit: true, unbindAfterFirstBind: false };
  const addresses = { source_addr_ton: 1, source_addr_npi: 1, source_addr: '33612345678', destination_addr: 'ACME' };

  it('reads a receipt that carries only the Appendix B text', async () => {
    const smsc = await startScriptedSmsc(healthy);
    const gateway = createGateway(smsc.port);
    const listener = new RecordingListener();
    await gateway.start(listener);

    const status = await smsc.deliver({
      ...addresses,
      esm_class: 0x04,
      short_message: 'id:0000A1B2 sub:001 dlvrd:000 submit date:2405061230 done date:2405061245 stat:UNDELIV err:012 text:Hello',
    });

    expect(status).toBe(smpp.ESME_ROK);
    expect(listener.receipts).toEqual([
      { providerMessageId: 'a1b2', status: 'UNDELIVERED', errorCode: '012', doneAt: new Date('2024-05-06T12:45:00Z') },
    ]);
  });

  it('reads a receipt flagged only by receipted_message_id', async () => {
    const smsc = await startScriptedSmsc(healthy);
    const gateway = createGateway(smsc.port);
    const listener = new RecordingListener();
    await gateway.start(listener);

    await smsc.deliver({ ...addresses, esm_class: 0, short_message: 'delivered', receipted_message_id: '00FF', message_state: 2 });

    expect(listener.receipts).toMatchObject([{ providerMessageId: 'ff', status: 'DELIVERED' }]);
    expect(listener.inbound).toHaveLength(0);
  });

  // ESME_RX_P_APPN keeps the SMSC from redelivering a receipt that can never be matched.
  it('responds ESME_RX_P_APPN to a receipt without id', async () => {
    const smsc = await startScriptedSmsc(healthy);
    const gateway = createGateway(smsc.port);
    const listener = new RecordingListener();
    await gateway.start(listener);

    const status = await smsc.deliver({ ...addresses, esm_class: 0x04, short_message: 'stat:DELIVRD' });

    expect(status).toBe(smpp.ESME_RX_P_APPN);
    expect(listener.receipts).toHaveLength(0);
  });

  it('responds ESME_RX_T_APPN while the listener fails', async () => {
    const smsc = await startScriptedSmsc(healthy);
    const gateway = createGateway(smsc.port);
    await gateway.start(new RecordingListener(1));

    const status = await smsc.deliver({ ...addresses, esm_class: 0x04, short_message: 'id:1 stat:DELIVRD' });

    expect(status).toBe(smpp.ESME_RX_T_APPN);
  });
});

describe('SmppGateway - link supervision', () => {
  it('reconnects when an enquire_link goes unanswered', async () => {
    const smsc = await startScriptedSmsc({ answerEnquireLink: false, answerSubmit: true, unbindAfterFirstBind: false });
    const gateway = createGateway(smsc.port, { enquireLinkIntervalMs: 30 });

    await gateway.start(new RecordingListener());
    await waitFor(() => smsc.binds() >= 2, 'the gateway binds a second time');
  });

  it('rebinds after the SMSC sends unbind', async () => {
    const smsc = await startScriptedSmsc({ answerEnquireLink: true, answerSubmit: true, unbindAfterFirstBind: true });
    const gateway = createGateway(smsc.port);

    await gateway.start(new RecordingListener());
    await waitFor(() => smsc.binds() === 2 && gateway.isReady(), 'the gateway binds again');
  });

  it('reconnects when the whole window times out', async () => {
    const smsc = await startScriptedSmsc({ answerEnquireLink: true, answerSubmit: false, unbindAfterFirstBind: false });
    const gateway = createGateway(smsc.port, { windowSize: 2, submitTimeoutMs: 50 });
    await gateway.start(new RecordingListener());

    const outcomes = await Promise.all([gateway.submit(submission()), gateway.submit(submission())]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['UNKNOWN', 'UNKNOWN']);
    await waitFor(() => smsc.binds() === 2, 'the gateway binds a second time');
  });

  it('waits for submits in flight before closing', async () => {
    const simulator = await startSimulator({ latencyMs: 100 });
    const { gateway } = await startGateway(simulator);

    const pending = gateway.submit(submission());
    await waitFor(() => simulator.stats().submitsTotal === 1, 'the simulator receives the submit_sm');
    await gateway.close();

    expect((await pending).status).toBe('ACCEPTED');
    expect(await gateway.submit(submission())).toMatchObject({ status: 'REJECTED', errorCode: 'NOT_CONNECTED' });
  });
});

describe('SmppGateway - credentials', () => {
  it.each([
    ['password', { password: 'wrong' }, 'ESME_RINVPASWD'],
    ['system_id', { systemId: 'stranger' }, 'ESME_RINVSYSID'],
  ])('rejects start on a wrong %s', async (_field, credentials, statusName) => {
    const simulator = await startSimulator(credentials);
    const gateway = createGateway(simulator.port);

    const started = gateway.start(new RecordingListener());

    await expect(started).rejects.toBeInstanceOf(SmppBindRejectedError);
    await expect(started).rejects.toMatchObject({ code: 'SMS_GATEWAY.BIND_REJECTED', commandStatusName: statusName });
    expect(gateway.isReady()).toBe(false);
    expect(simulator.stats().boundSessions).toBe(0);
  });

  it('never puts the password in the error message', async () => {
    const simulator = await startSimulator({ password: 'other' });
    const gateway = createGateway(simulator.port);

    const error: unknown = await gateway.start(new RecordingListener()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SmppBindRejectedError);
    expect((error as Error).message).not.toContain(PASSWORD);
  });
});
