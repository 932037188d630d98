import { InvalidEnvironmentError, loadSimulatorConfig } from './simulator-config';

function violationsOf(environment: NodeJS.ProcessEnv): readonly { variable: string; rule: string }[] {
  try {
    loadSimulatorConfig(environment);
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) {
      return error.violations;
    }
    throw error;
  }
  throw new Error('expected InvalidEnvironmentError');
}

describe('loadSimulatorConfig - defaults', () => {
  it('uses the documented defaults', () => {
    const config = loadSimulatorConfig({});

    expect(config.simulator).toMatchObject({ host: '127.0.0.1', port: 2775, systemId: 'simulator', password: 'simulator' });
    expect(config.simulator.statsPort).toBeUndefined();
    expect(config.simulator.maxSubmitsPerSecond).toBeUndefined();
    expect(config.logLevel).toBe('info');
  });

  it('treats an empty variable as unset', () => {
    expect(loadSimulatorConfig({ SMSC_PORT: '', SMSC_FAILURE_RATE: '' }).simulator).toMatchObject({ port: 2775, failureRate: undefined });
  });
});

describe('loadSimulatorConfig - valid values', () => {
  it('reads every variable', () => {
    const config = loadSimulatorConfig({
      SMSC_HOST: '0.0.0.0',
      SMSC_PORT: '12775',
      SMSC_SYSTEM_ID: 'kannel',
      SMSC_PASSWORD: 'secret',
      SMSC_LATENCY_MS: '5-20',
      SMSC_FAILURE_RATE: '0.05',
      SMSC_TRANSIENT_FAILURE_SHARE: '1',
      SMSC_RECEIPT_DELAY_MS: '500',
      SMSC_STATUS_MIX: '{"DELIVERED":0.9,"UNDELIVERED":0.07,"EXPIRED":0.03}',
      SMSC_MAX_PER_SECOND: '3000',
      SMSC_STATS_PORT: '0',
      SMSC_SEED: '42',
      SMSC_UPPERCASE_MESSAGE_IDS: 'true',
      LOG_LEVEL: 'warn',
    });

    expect(config).toEqual({
      logLevel: 'warn',
      simulator: {
        host: '0.0.0.0',
        port: 12775,
        systemId: 'kannel',
        password: 'secret',
        latencyMs: { min: 5, max: 20 },
        failureRate: 0.05,
        transientFailureShare: 1,
        receiptDelayMs: 500,
        statusMix: { DELIVERED: 0.9, UNDELIVERED: 0.07, EXPIRED: 0.03 },
        maxSubmitsPerSecond: 3000,
        statsPort: 0,
        seed: 42,
        uppercaseMessageIds: true,
      },
    });
  });
});

describe('loadSimulatorConfig - invalid values', () => {
  it.each([
    ['SMSC_PORT', 'abc', 'must be an integer from 0 to 65535'],
    ['SMSC_PORT', '70000', 'must be an integer from 0 to 65535'],
    ['SMSC_STATS_PORT', '-1', 'must be an integer from 0 to 65535'],
    ['SMSC_LATENCY_MS', 'fast', "must be a number of ms ('250') or a range of ms ('100-400')"],
    ['SMSC_LATENCY_MS', '40-10', 'must be a range whose first number is not above the second'],
    ['SMSC_RECEIPT_DELAY_MS', '-5', "must be a number of ms ('250') or a range of ms ('100-400')"],
    ['SMSC_FAILURE_RATE', '1.5', 'must be a number from 0 to 1'],
    ['SMSC_FAILURE_RATE', '10%', 'must be a number from 0 to 1'],
    ['SMSC_STATUS_MIX', 'DELIVERED=1', 'must be a JSON object'],
    ['SMSC_STATUS_MIX', '{"LOST":1}', 'must only have the keys'],
    ['SMSC_STATUS_MIX', '{"DELIVERED":-1}', 'must have weights from 0'],
    ['SMSC_STATUS_MIX', '{"DELIVERED":0}', 'must give at least one status a weight above 0'],
    ['SMSC_MAX_PER_SECOND', '0', 'must be a number above 0'],
    ['SMSC_UPPERCASE_MESSAGE_IDS', 'yes', "must be 'true' or 'false'"],
    ['LOG_LEVEL', 'verbose', 'must be one of fatal, error, warn, info, debug, trace, silent'],
  ])('names %s = %p and the rule', (variable, value, rule) => {
    const violations = violationsOf({ [variable]: value });

    expect(violations).toHaveLength(1);
    expect(violations[0].variable).toBe(variable);
    expect(violations[0].rule).toContain(rule);
    expect(violations[0].rule).toContain(`got '${value}'`);
  });

  it('lists every invalid variable in one error', () => {
    const error = (() => {
      try {
        loadSimulatorConfig({ SMSC_PORT: 'x', SMSC_FAILURE_RATE: '2' });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(InvalidEnvironmentError);
    expect(error).toMatchObject({ code: 'CONFIG.INVALID_ENVIRONMENT' });
    expect((error as Error).message).toContain('SMSC_PORT must be an integer');
    expect((error as Error).message).toContain('SMSC_FAILURE_RATE must be a number from 0 to 1');
  });
});
