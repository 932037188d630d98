import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { AppProcess, startApp, TEST_BUILD_DIR } from './processes';
import { createTestDatabase, freePort, isolatedEnvironment, NATS_URL } from './test-environment';

export interface ServerDeployment {
  readonly apiUrl: string;
  readonly databaseUrl: string;
  /** Environment every process got, secrets included. */
  readonly env: Readonly<Record<string, string>>;
  readonly processes: readonly AppProcess[];
  /** Stops every process by SIGTERM, then drops the database; returns how each process ended. */
  stop(): Promise<Array<{ name: string; exit: Awaited<ReturnType<AppProcess['stop']>>; output: string }>>;
}

/**
 * Deploys the server profile from a build: a fresh PostgreSQL database, a NATS stream of its own,
 * the projector first (it creates the schemas), then api, scheduler and `senders` senders.
 */
export async function deployServerProfile(
  smppUrl: string,
  options: { senders?: number; buildDir?: string } = {},
): Promise<ServerDeployment> {
  const buildDir = options.buildDir ?? TEST_BUILD_DIR;
  const database = await createTestDatabase();
  const apiPort = await freePort();
  const env: Record<string, string> = {
    ...isolatedEnvironment(),
    EVENT_STORE: 'postgres',
    READ_STORE: 'postgres',
    TRANSPORT: 'nats',
    DATABASE_URL: database.url,
    NATS_URL,
    SMS_GATEWAY: 'smpp',
    SMPP_URL: smppUrl,
    PORT: String(apiPort),
    // Each process is awaited on its "service started" line, logged at info.
    LOG_LEVEL: 'info',
  };
  const processes: AppProcess[] = [];
  const stop = async () => {
    const exits = await Promise.all(
      processes.map(async (app) => ({ name: app.name, exit: await app.stop(), output: app.output().slice(-2000) })),
    );
    await database.drop();
    await deleteStream(env.NATS_STREAM);
    return exits;
  };

  try {
    processes.push(startApp('projector', env, 'projector', buildDir));
    await processes[0].waitForOutput(/"msg":"service started"/, 30_000);
    const others = [startApp('api', env, 'api', buildDir), startApp('scheduler', env, 'scheduler', buildDir)];
    for (let index = 1; index <= (options.senders ?? 2); index += 1) {
      others.push(startApp('sender', env, `sender-${index}`, buildDir));
    }
    processes.push(...others);
    await Promise.all(others.map((app) => app.waitForOutput(/"msg":"service started"/, 30_000)));
  } catch (error) {
    await stop();
    throw error;
  }
  return { apiUrl: `http://127.0.0.1:${apiPort}`, databaseUrl: database.url, env, processes, stop };
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
async function deleteStream(name: string): Promise<void> {
  const connection = await connect({ servers: NATS_URL });
  try {
    const manager = await jetstreamManager(connection);
    await manager.streams.delete(name).catch(() => false);
  } finally {
    await connection.close();
  }
}
