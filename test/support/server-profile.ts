import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { AppProcess, startApp, TEST_BUILD_DIR } from './processes';
import { createTestDatabase, freePort, isolatedEnvironment, NATS_URL } from './test-environment';

export interface ServerDeployment {
  readonly apiUrl: string;
  readonly databaseUrl: string;
  /** Environment every process got, secrets included. */
  readonly env: Readonly<Record<string, string>>;
  /** The processes running now: `restart` replaces an entry in place. */
  readonly processes: readonly AppProcess[];
  /**
   * Ends the process named `name` with `signal` (SIGKILL by default, as a crash would), starts the
   * same app under the same name, and resolves once it logs that it started. A start that exits
   * early is tried again, up to MAX_STARTS times, and recorded in `failedStarts`.
   */
  restart(name: string, signal?: NodeJS.Signals): Promise<void>;
  /** Last output line of each restarted process that exited before it logged that it started, and was started again. */
  readonly failedStarts: readonly string[];
  /** Stops every process by SIGTERM, then drops the database; returns how each process ended. */
  stop(): Promise<Array<{ name: string; exit: Awaited<ReturnType<AppProcess['stop']>>; output: string }>>;
}

export interface ServerProfileOptions {
  /** Default 2. */
  readonly senders?: number;
  /** Default 1. */
  readonly schedulers?: number;
  readonly buildDir?: string;
  /** NATS server of the deployment; default the shared one. */
  readonly natsUrl?: string;
  /** `postgres://` URL of a database on the server where the deployment's database is created; default the shared server. */
  readonly adminDatabaseUrl?: string;
  /** Variables added to every process's environment, such as SCHEDULER_* or SENDER_* settings. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Marks a process as started, and so the moment a restarted one is ready again. */
const STARTED = /"msg":"service started"/;
/** Generous, because Node processes booting Nest at once on two busy cores can take a minute. */
const START_TIMEOUT_MS = 120_000;
const MAX_STARTS = 3;

/**
 * Deploys the server profile from a build: a fresh PostgreSQL database, a NATS stream of its own,
 * the projector first (it creates the schemas), then api, the schedulers and the senders.
 */
export async function deployServerProfile(smppUrl: string, options: ServerProfileOptions = {}): Promise<ServerDeployment> {
  const buildDir = options.buildDir ?? TEST_BUILD_DIR;
  const natsUrl = options.natsUrl ?? NATS_URL;
  const database = await createTestDatabase(options.adminDatabaseUrl);
  const apiPort = await freePort();
  const env: Record<string, string> = {
    ...isolatedEnvironment(),
    EVENT_STORE: 'postgres',
    READ_STORE: 'postgres',
    TRANSPORT: 'nats',
    DATABASE_URL: database.url,
    NATS_URL: natsUrl,
    SMS_GATEWAY: 'smpp',
    SMPP_URL: smppUrl,
    PORT: String(apiPort),
    // Each process is awaited on its "service started" line, logged at info.
    LOG_LEVEL: 'info',
    // Claims left without a command by a killed scheduler or a broker outage are published again
    // within the tests' settling time. Above the SMPP submit timeout of 10 s, so that a second
    // copy never finds a submission that its first sender is still waiting on.
    SCHEDULER_CLAIM_RECOVERY_MS: '20000',
    ...options.env,
  };
  const processes: AppProcess[] = [];
  const failedStarts: string[] = [];
  const appByName = new Map<string, string>();
  const start = (app: string, name: string): AppProcess => {
    appByName.set(name, app);
    return startApp(app, env, name, buildDir);
  };
  const stop = async () => {
    const exits = await Promise.all(
      processes.map(async (app) => ({ name: app.name, exit: await app.stop(), output: app.output().slice(-2000) })),
    );
    await database.drop();
    await deleteStream(natsUrl, env.NATS_STREAM);
    return exits;
  };
  const restart = async (name: string, signal: NodeJS.Signals = 'SIGKILL') => {
    const index = processes.findIndex((candidate) => candidate.name === name);
    const app = appByName.get(name);
    if (index === -1 || app === undefined) {
      throw new Error(`no process named ${name}; the deployment runs ${processes.map((candidate) => candidate.name).join(', ')}`);
    }
    await processes[index].stop(signal);
    // A supervisor (systemd, Kubernetes) starts a process again when it exits during start-up.
    for (let attempt = 1; ; attempt += 1) {
      processes[index] = start(app, name);
      try {
        await processes[index].waitForOutput(STARTED, START_TIMEOUT_MS);
        return;
      } catch (error) {
        const exited = processes[index].child.exitCode !== null;
        if (!exited || attempt === MAX_STARTS) throw error;
        failedStarts.push(`${name}: ${processes[index].output().split('\n').filter(Boolean).at(-1) ?? 'no output'}`);
      }
    }
  };

  try {
    processes.push(start('projector', 'projector'));
    await processes[0].waitForOutput(STARTED, START_TIMEOUT_MS);
    const others = [start('api', 'api')];
    const schedulers = options.schedulers ?? 1;
    for (let index = 1; index <= schedulers; index += 1) {
      others.push(start('scheduler', schedulers === 1 ? 'scheduler' : `scheduler-${index}`));
    }
    for (let index = 1; index <= (options.senders ?? 2); index += 1) {
      others.push(start('sender', `sender-${index}`));
    }
    processes.push(...others);
    await Promise.all(others.map((app) => app.waitForOutput(STARTED, START_TIMEOUT_MS)));
  } catch (error) {
    await stop();
    throw error;
  }
  return { apiUrl: `http://127.0.0.1:${apiPort}`, databaseUrl: database.url, env, processes, failedStarts, restart, stop };
}

/** Starts the SMSC simulator app with a stats endpoint and resolves once that endpoint responds. */
export async function startSimulatorApp(
  systemId: string,
  password: string,
  settings: Record<string, string> = {},
  buildDir = TEST_BUILD_DIR,
): Promise<{ app: AppProcess; smppUrl: string; statsUrl: string }> {
  const [smppPort, statsPort] = await Promise.all([freePort(), freePort()]);
  const app = startApp(
    'smsc-simulator',
    {
      SMSC_PORT: String(smppPort),
      SMSC_STATS_PORT: String(statsPort),
      SMSC_SYSTEM_ID: systemId,
      SMSC_PASSWORD: password,
      LOG_LEVEL: 'warn',
      ...settings,
    },
    'smsc-simulator',
    buildDir,
  );
  const statsUrl = `http://127.0.0.1:${statsPort}/stats`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ready = await fetch(statsUrl).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await app.stop();
      throw new Error(`the SMSC simulator did not answer on ${statsUrl}:\n${app.output().slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { app, smppUrl: `smpp://${systemId}:${password}@127.0.0.1:${smppPort}`, statsUrl };
}

/** Deletes the JetStream stream of one deployment, so test runs leave nothing on the shared server. */
async function deleteStream(natsUrl: string, name: string): Promise<void> {
  const connection = await connect({ servers: natsUrl });
  try {
    const manager = await jetstreamManager(connection);
    await manager.streams.delete(name).catch(() => false);
  } finally {
    await connection.close();
  }
}
