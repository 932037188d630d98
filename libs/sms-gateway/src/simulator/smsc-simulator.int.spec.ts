import pino from 'pino';
import * as smpp from 'smpp';
import type { DeliverSmPdu, MessageIdRespPdu, Session, SubmitSmParams } from 'smpp';

import { InvalidSimulatorOptionError, type SmscSimulatorOptions } from './simulator-options';
import { MoNotDeliveredError, SimulatorStateError, SmscSimulator } from './smsc-simulator';

const silent = pino({ level: 'silent' });
const SYSTEM_ID = 'sim-test';
const PASSWORD = 'secret';

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

type BindType = 'transceiver' | 'transmitter' | 'receiver';

/** A bare node-smpp client that records each deliver_sm and responds with `deliverStatus()`, or not at all when it returns undefined. */
class RawClient {
  readonly delivered: DeliverSmPdu[] = [];
  deliverStatus: () => number | undefined = () => smpp.ESME_ROK;

  private constructor(readonly session: Session) {
    session.on('deliver_sm', (pdu) => {
      this.delivered.push(pdu);
      const status = this.deliverStatus();
      if (status !== undefined) {
        session.send(pdu.response({ command_status: status }));
      }
    });
  }

  static async connect(port: number): Promise<RawClient> {
    const session = smpp.connect({ host: '127.0.0.1', port });
    session.on('error', () => undefined);
    await new Promise<void>((resolve) => session.once('connect', () => resolve()));
    const client = new RawClient(session);
    closers.push(() => client.destroy());
    return client;
  }

  bind(bindType: BindType, credentials = { system_id: SYSTEM_ID, password: PASSWORD }): Promise<number> {
    return new Promise((resolve) => {
      const onResponse = (response: { command_status: number }): void => resolve(response.command_status);
      if (bindType === 'transceiver') {
        this.session.bind_transceiver(credentials, onResponse);
      } else if (bindType === 'transmitter') {
        this.session.bind_transmitter(credentials, onResponse);
      } else {
        this.session.bind_receiver(credentials, onResponse);
      }
    });
  }

  submit(params: Partial<SubmitSmParams> = {}): Promise<MessageIdRespPdu> {
    return new Promise((resolve) => {
      this.session.submit_sm({ destination_addr: '33612345678', short_message: 'Hello', registered_delivery: 1, ...params }, resolve);
    });
  }

  destroy(): Promise<void> {
    if (this.session.socket.destroyed) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.session.destroy(() => resolve()));
  }
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

function shortMessageText(pdu: DeliverSmPdu): string {
  const message = pdu.short_message?.message;
  return typeof message === 'string' ? message : '';
}

describe('SmscSimulator - bind', () => {
  it.each(['transceiver', 'transmitter', 'receiver'] as const)('accepts a %s bind with the configured credentials', async (bindType) => {
    const simulator = await startSimulator();
    const client = await RawClient.connect(simulator.port);

    expect(await client.bind(bindType)).toBe(smpp.ESME_ROK);
    expect(simulator.stats().boundSessions).toBe(1);
  });

  it.each([
    {
      field: 'password',
      credentials: { system_id: SYSTEM_ID, password: 'wrong' },
      statusName: 'ESME_RINVPASWD',
      status: smpp.ESME_RINVPASWD,
    },
    {
      field: 'system_id',
      credentials: { system_id: 'stranger', password: PASSWORD },
      statusName: 'ESME_RINVSYSID',
      status: smpp.ESME_RINVSYSID,
    },
  ])('rejects a wrong $field with $statusName', async ({ credentials, status }) => {
    const simulator = await startSimulator();
    const client = await RawClient.connect(simulator.port);

    expect(await client.bind('transceiver', credentials)).toBe(status);
    expect(simulator.stats().boundSessions).toBe(0);
  });

  it('rejects a second bind on one session with ESME_RALYBND', async () => {
    const simulator = await startSimulator();
    const client = await RawClient.connect(simulator.port);
    await client.bind('transceiver');

    expect(await client.bind('transceiver')).toBe(smpp.ESME_RALYBND);
  });

  it.each([
    ['an unbound session', undefined],
    ['a receiver', 'receiver'],
  ] as const)('rejects submit_sm from %s with ESME_RINVBNDSTS', async (_case, bindType) => {
    const simulator = await startSimulator();
    const client = await RawClient.connect(simulator.port);
    if (bindType !== undefined) {
      await client.bind(bindType);
    }

    const response = await client.submit();

    expect(response.command_status).toBe(smpp.ESME_RINVBNDSTS);
    expect(simulator.stats().submitsTotal).toBe(0);
  });
});

describe('SmscSimulator - receipts', () => {
  it('formats a receipt as SMPP 3.4 describes', async () => {
    const simulator = await startSimulator({ uppercaseMessageIds: true });
    const client = await RawClient.connect(simulator.port);
    await client.bind('transceiver');

    const response = await client.submit({ source_addr: 'ACME', destination_addr: '33612345678', short_message: 'Your code is 1234' });
    await waitFor(() => client.delivered.length === 1, 'the receipt arrives');

    const receipt = client.delivered[0];
    const messageId = response.message_id ?? '';
    expect(messageId).toMatch(/^0[0-9A-F]{15}$/);
    expect(receipt.esm_class).toBe(0x04);
    expect(receipt.receipted_message_id).toBe(messageId.replace(/^0+/, '').toLowerCase());
    expect(receipt.message_state).toBe(2);
    expect(receipt.source_addr).toBe('33612345678');
    expect(receipt.destination_addr).toBe('ACME');
    expect(shortMessageText(receipt)).toMatch(
      new RegExp(
        `^id:${receipt.receipted_message_id} sub:001 dlvrd:001 submit date:\\d{10} done date:\\d{10} stat:DELIVRD err:000 text:Your code is 1234$`,
      ),
    );
  });

  it('sends no receipt when registered_delivery asks for none', async () => {
    const simulator = await startSimulator();
    const client = await RawClient.connect(simulator.port);
    await client.bind('transceiver');

    await client.submit({ registered_delivery: 0 });
    await client.submit({ registered_delivery: 2 });
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(client.delivered).toHaveLength(0);
    expect(simulator.stats().receiptsSent).toBe(0);
  });

  it('sends a failure-only receipt for an undelivered message', async () => {
    const simulator = await startSimulator({ statusMix: { UNDELIVERED: 1 } });
    const client = await RawClient.connect(simulator.port);
    await client.bind('transceiver');

    await client.submit({ registered_delivery: 2 });
    await waitFor(() => client.delivered.length === 1, 'the receipt arrives');

    expect(client.delivered[0].message_state).toBe(5);
    expect(shortMessageText(client.delivered[0])).toContain('stat:UNDELIV err:001');
  });

  it('holds receipts until a receiver binds', async () => {
    const simulator = await startSimulator();
    const transmitter = await RawClient.connect(simulator.port);
    await transmitter.bind('transmitter');

    const response = await transmitter.submit();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(simulator.stats().receiptsPending).toBe(1);
    const receiver = await RawClient.connect(simulator.port);
    await receiver.bind('receiver');
    await waitFor(() => receiver.delivered.length === 1, 'the receipt arrives');

    expect(receiver.delivered[0].receipted_message_id).toBe(response.message_id);
    expect(transmitter.delivered).toHaveLength(0);
    await waitFor(() => simulator.stats().receiptsPending === 0, 'the receipt is acknowledged');
  });

  it('resends a receipt after an error status', async () => {
    const simulator = await startSimulator({ receiptRetryDelayMs: 20 });
    const client = await RawClient.connect(simulator.port);
    await client.bind('transceiver');
    const statuses = [smpp.ESME_RX_T_APPN, smpp.ESME_ROK];
    client.deliverStatus = () => statuses.shift();

    await client.submit();
    await waitFor(() => simulator.stats().receiptsAcknowledged === 1, 'the second attempt is acknowledged');

    expect(client.delivered).toHaveLength(2);
    expect(client.delivered[1].receipted_message_id).toBe(client.delivered[0].receipted_message_id);
    expect(simulator.stats()).toMatchObject({ receiptsSent: 2, receiptsRetried: 1, receiptsPending: 0 });
  });

  it('resends unanswered receipts after session loss', async () => {
    const simulator = await startSimulator({ receiptRetryDelayMs: 20 });
    const first = await RawClient.connect(simulator.port);
    await first.bind('transceiver');
    first.deliverStatus = () => undefined;

    await first.submit();
    await waitFor(() => first.delivered.length === 1, 'the first session gets the receipt');
    await first.destroy();
    const second = await RawClient.connect(simulator.port);
    await second.bind('receiver');
    await waitFor(() => second.delivered.length === 1, 'the second session gets the receipt');

    expect(second.delivered[0].receipted_message_id).toBe(first.delivered[0].receipted_message_id);
    await waitFor(() => simulator.stats().receiptsAcknowledged === 1, 'the receipt is acknowledged');
  });

  it('reports statuses in the proportions of the status mix', async () => {
    const simulator = await startSimulator({ statusMix: { DELIVERED: 0.8, UNDELIVERED: 0.15, EXPIRED: 0.05 }, seed: 7 });
    const client = await RawClient.connect(simulator.port);
    await client.bind('transceiver');

    await Promise.all(Array.from({ length: 1_000 }, (_, index) => client.submit({ destination_addr: `3361${index}` })));
    await waitFor(() => client.delivered.length === 1_000, 'every receipt arrives');

    const count = (state: number): number => client.delivered.filter((pdu) => pdu.message_state === state).length;
    expect(count(2)).toBeGreaterThan(740);
    expect(count(2)).toBeLessThan(860);
    expect(count(5)).toBeGreaterThan(110);
    expect(count(5)).toBeLessThan(190);
    expect(count(3)).toBeGreaterThan(25);
    expect(count(3)).toBeLessThan(75);
  });
});

describe('SmscSimulator - submit outcomes', () => {
  it('repeats the same outcomes for the same seed', async () => {
    const outcomes: number[][] = [];
    for (let run = 0; run < 2; run += 1) {
      const simulator = await startSimulator({ failureRate: 0.5, seed: 42 });
      const client = await RawClient.connect(simulator.port);
      await client.bind('transmitter');
      const statuses: number[] = [];
      for (let index = 0; index < 40; index += 1) {
        statuses.push((await client.submit()).command_status);
      }
      outcomes.push(statuses);
    }

    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(outcomes[0]).toContain(smpp.ESME_ROK);
    expect(outcomes[0]).toContain(smpp.ESME_RMSGQFUL);
    expect(outcomes[0]).toContain(smpp.ESME_RINVDSTADR);
  });

  it('delays submit_sm_resp by the configured latency', async () => {
    const simulator = await startSimulator({ latencyMs: 80 });
    const client = await RawClient.connect(simulator.port);
    await client.bind('transmitter');

    const startedAt = Date.now();
    await client.submit();

    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(75);
  });

  it('records but never answers a submit to an unanswered destination', async () => {
    const simulator = await startSimulator({ unansweredDestinations: ['33600000001'], receiptDelayMs: 0 });
    const client = await RawClient.connect(simulator.port);
    await client.bind('transceiver');

    const unanswered = client.submit({ destination_addr: '33600000001' }).then(() => 'answered');
    const answered = await client.submit({ destination_addr: '33600000002' });
    const settled = await Promise.race([unanswered, new Promise((resolve) => setTimeout(() => resolve('no response'), 300))]);

    expect(answered.command_status).toBe(smpp.ESME_ROK);
    expect(settled).toBe('no response');
    expect(simulator.submits().map((submit) => submit.destination)).toEqual(['33600000001', '33600000002']);
    expect(simulator.stats()).toMatchObject({ submitsTotal: 2, accepted: 2, unanswered: 1 });
    await waitFor(() => client.delivered.length === 1, 'the receipt of the answered submit');
    expect(client.delivered[0].source_addr).toBe('33600000002');
  });
});

describe('SmscSimulator - counters', () => {
  it('counts duplicate destinations and texts', async () => {
    const simulator = await startSimulator();
    const client = await RawClient.connect(simulator.port);
    await client.bind('transmitter');

    await client.submit({ destination_addr: '331', short_message: 'A' });
    await client.submit({ destination_addr: '331', short_message: 'A' });
    await client.submit({ destination_addr: '331', short_message: 'B' });
    await client.submit({ destination_addr: '332', short_message: 'A' });

    expect(simulator.stats()).toMatchObject({ submitsTotal: 4, accepted: 4, duplicateDestinationTexts: 1, duplicateDestinations: 2 });
    expect(simulator.submits().map((submit) => `${submit.destination}:${submit.text}`)).toEqual(['331:A', '331:A', '331:B', '332:A']);
  });

  it('does not count rejected submits as duplicates', async () => {
    const simulator = await startSimulator({ failureRate: 1 });
    const client = await RawClient.connect(simulator.port);
    await client.bind('transmitter');

    await client.submit();
    await client.submit();

    expect(simulator.stats()).toMatchObject({ submitsTotal: 2, rejected: 2, accepted: 0, duplicateDestinations: 0 });
  });

  it('keeps at most maxRecordedSubmits submits', async () => {
    const simulator = await startSimulator({ maxRecordedSubmits: 2 });
    const client = await RawClient.connect(simulator.port);
    await client.bind('transmitter');

    for (let index = 0; index < 3; index += 1) {
      await client.submit({ destination_addr: `33${index}` });
    }

    expect(simulator.submits().map((submit) => submit.destination)).toEqual(['330', '331']);
    expect(simulator.stats().accepted).toBe(3);
  });

  it('zeroes counters and forgets submits on reset', async () => {
    const simulator = await startSimulator({ receiptDelayMs: 10_000 });
    const client = await RawClient.connect(simulator.port);
    await client.bind('transceiver');
    await client.submit();
    await client.submit();

    simulator.reset();

    expect(simulator.stats()).toMatchObject({
      submitsTotal: 0,
      accepted: 0,
      duplicateDestinations: 0,
      receiptsPending: 0,
      boundSessions: 1,
    });
    expect(simulator.submits()).toHaveLength(0);
    await client.submit();
    expect(simulator.stats()).toMatchObject({ submitsTotal: 1, duplicateDestinations: 0 });
  });
});

describe('SmscSimulator - MO', () => {
  it('resolves injectMo once a receiver acknowledges the deliver_sm', async () => {
    const simulator = await startSimulator();
    const client = await RawClient.connect(simulator.port);
    await client.bind('receiver');

    await simulator.injectMo('+33612345678', 'ACME', 'STOP');

    const [mo] = client.delivered;
    expect(mo.esm_class).toBe(0);
    expect(mo.source_addr).toBe('33612345678');
    expect(mo.source_addr_ton).toBe(1);
    expect(mo.destination_addr).toBe('ACME');
    expect(shortMessageText(mo)).toBe('STOP');
    expect(simulator.stats()).toMatchObject({ moSent: 1, moAcknowledged: 1 });
  });

  it('rejects injectMo on close without receiver', async () => {
    const simulator = await startSimulator();

    const injected = simulator.injectMo('+33612345678', 'ACME', 'STOP');
    await simulator.close();

    await expect(injected).rejects.toBeInstanceOf(MoNotDeliveredError);
    await expect(injected).rejects.toMatchObject({ code: 'SMSC_SIMULATOR.MO_NOT_DELIVERED' });
  });
});

describe('SmscSimulator - stats endpoint', () => {
  it('returns the counters as JSON on GET /stats', async () => {
    const simulator = await startSimulator({ statsPort: 0 });
    const client = await RawClient.connect(simulator.port);
    await client.bind('transmitter');
    await client.submit();

    const response = await fetch(`http://127.0.0.1:${simulator.statsPort}/stats`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual(simulator.stats());
  });

  it.each([
    ['GET', '/other', 404],
    ['POST', '/stats', 405],
  ])('answers %s %s with %i', async (method, path, status) => {
    const simulator = await startSimulator({ statsPort: 0 });

    const response = await fetch(`http://127.0.0.1:${simulator.statsPort}${path}`, { method });

    expect(response.status).toBe(status);
  });

  it('is off unless statsPort is set', async () => {
    const simulator = await startSimulator();

    expect(simulator.statsPort).toBeUndefined();
  });
});

describe('SmscSimulator - lifecycle and options', () => {
  it.each([
    { option: 'port', rule: 'above 65535', overrides: { port: 70_000 } },
    { option: 'latencyMs', rule: 'with min above max', overrides: { latencyMs: { min: 20, max: 10 } } },
    { option: 'failureRate', rule: 'above 1', overrides: { failureRate: 1.5 } },
    { option: 'statusMix', rule: 'with no weight above 0', overrides: { statusMix: { DELIVERED: 0 } } },
    {
      option: 'statusMix',
      rule: 'with an unknown status',
      overrides: { statusMix: { LOST: 1 } as unknown as SmscSimulatorOptions['statusMix'] },
    },
    { option: 'maxSubmitsPerSecond', rule: 'of 0', overrides: { maxSubmitsPerSecond: 0 } },
    { option: 'permanentFailureStatus', rule: 'of ESME_ROK', overrides: { permanentFailureStatus: 0 } },
    { option: 'systemId', rule: 'that is empty', overrides: { systemId: '' } },
    { option: 'unansweredDestinations', rule: 'with a plus sign', overrides: { unansweredDestinations: ['+33600000001'] } },
  ])('rejects $option $rule', ({ option, overrides }) => {
    const create = (): SmscSimulator => new SmscSimulator({ systemId: SYSTEM_ID, password: PASSWORD, logger: silent, ...overrides });

    expect(create).toThrow(InvalidSimulatorOptionError);
    expect(create).toThrow(expect.objectContaining({ option, code: 'SMSC_SIMULATOR.INVALID_OPTION' }));
  });

  it('rejects start on a port in use', async () => {
    const first = await startSimulator();
    const second = new SmscSimulator({ systemId: SYSTEM_ID, password: PASSWORD, logger: silent, port: first.port });

    await expect(second.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('rejects a second start', async () => {
    const simulator = await startSimulator();

    await expect(simulator.start()).rejects.toBeInstanceOf(SimulatorStateError);
  });

  it('closes the sessions of its clients on close', async () => {
    const simulator = await startSimulator();
    const client = await RawClient.connect(simulator.port);
    await client.bind('transceiver');

    await simulator.close();

    await waitFor(() => client.session.socket.destroyed, 'the client socket closes');
  });
});
