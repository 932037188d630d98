import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private nats-server with JetStream for tests that must stop and restart the broker, which
 * the shared server on 4222 must never be. It listens on 127.0.0.1 only and keeps its
 * JetStream storage in a temporary directory across restarts.
 */

export const NATS_SERVER_BINARY = process.env.NATS_SERVER_BINARY ?? '/usr/sbin/nats-server';

/** Maximum time for the server to log that it is ready, in milliseconds. */
const START_TIMEOUT_MS = 10_000;

export class NatsServerProcess {
  private child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly storageDir: string,
    private readonly jetstream: boolean,
  ) {}

  /**
   * Picks a free port and a fresh storage directory, then starts the server. With
   * `jetstream: false` it runs core NATS only, as a misconfigured broker would.
   */
  static async start(options: { jetstream?: boolean } = {}): Promise<NatsServerProcess> {
    const port = await findFreePort();
    const storageDir = await mkdtemp(join(tmpdir(), 'nats-js-'));
    const server = new NatsServerProcess(port, storageDir, options.jetstream ?? true);
    await server.restart();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the server on the same port and storage, and resolves once it accepts clients. */
  async restart(): Promise<void> {
    if (this.child !== undefined) {
      throw new Error(`nats-server on port ${this.port} is already running (pid ${this.child.pid})`);
    }

    const args = ['-a', '127.0.0.1', '-p', String(this.port)];
    if (this.jetstream) {
      args.push('-js', '-sd', this.storageDir);
    }
    const child = spawn(NATS_SERVER_BINARY, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    await waitUntilReady(child, this.port);
  }

  /** Sends `signal` to the server's PID and waits for it to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (child === undefined) {
      return;
    }
    this.child = undefined;

    if (child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid as number, signal);
    await exited;
  }

  /** Kills the server and deletes its storage. */
  async dispose(): Promise<void> {
    await this.kill();
    await rm(this.storageDir, { recursive: true, force: true });
  }
}

async function findFreePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => resolve());
  });
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') {
    throw new Error('could not read the port of a probe socket on 127.0.0.1');
  }
  return address.port;
}

/** Resolves when nats-server logs "Server is ready". Rejects when it exits first or the timeout passes. */
function waitUntilReady(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      finish(new Error(`nats-server on port ${port} was not ready after ${START_TIMEOUT_MS} ms. Output:\n${output}`));
    }, START_TIMEOUT_MS);

    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Server is ready')) {
        finish();
      }
    };
    const onExit = (code: number | null): void => {
      finish(new Error(`nats-server on port ${port} exited with code ${code} before it was ready. Output:\n${output}`));
    };
    const onError = (error: Error): void => {
      finish(new Error(`could not start ${NATS_SERVER_BINARY}: ${error.message}`));
    };

    function finish(error?: Error): void {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      // Keep draining the server's log, because a full stderr pipe would block the server.
      child.stderr?.resume();
      child.off('exit', onExit);
      child.off('error', onError);
      if (error === undefined) {
        resolve();
      } else {
        reject(error);
      }
    }

    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}
