/**
 * Runs the SMSC simulator as a standalone process for demos, benchmarks and crash tests.
 * Configuration: SMSC_* environment variables, see simulator-config.ts. Stops on SIGTERM or SIGINT.
 */
import { SmscSimulator } from '@sms/sms-gateway';
import pino from 'pino';

import { InvalidEnvironmentError, loadSimulatorConfig } from './simulator-config';

async function main(): Promise<void> {
  const bootLogger = pino({ name: 'smsc-simulator' });
  let config;
  try {
    config = loadSimulatorConfig(process.env);
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) {
      bootLogger.fatal({ violations: error.violations }, error.message);
      process.exitCode = 1;
      return;
    }
    throw error;
  }

  const logger = pino({ name: 'smsc-simulator', level: config.logLevel });
  const simulator = new SmscSimulator({ ...config.simulator, logger });
  try {
    await simulator.start();
  } catch (error) {
    logger.fatal({ err: error, host: config.simulator.host, port: config.simulator.port }, 'SMSC simulator failed to start');
    process.exitCode = 1;
    return;
  }

  // The handlers go on the first signal, so a second one gets Node's default handling and ends the process at once.
  const shutDown = (signal: NodeJS.Signals): void => {
    process.off('SIGTERM', shutDown);
    process.off('SIGINT', shutDown);
    logger.info({ signal }, 'SMSC simulator shutting down');
    simulator.close().catch((error: unknown) => {
      logger.error({ err: error }, 'SMSC simulator did not close cleanly');
      process.exitCode = 1;
    });
  };
  process.on('SIGTERM', shutDown);
  process.on('SIGINT', shutDown);
}

main().catch((error: unknown) => {
  pino({ name: 'smsc-simulator' }).fatal({ err: error }, 'SMSC simulator crashed');
  process.exitCode = 1;
});
