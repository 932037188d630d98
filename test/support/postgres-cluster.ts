import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './test-environment';

const run = promisify(execFile);

/** Binaries of the PostgreSQL server, Debian's layout by default. */
export const POSTGRES_BIN_DIR = process.env.POSTGRES_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

/** True when initdb and pg_ctl are installed, so a test can run a cluster of its own. */
export function postgresServerInstalled(): boolean {
  return existsSync(join(POSTGRES_BIN_DIR, 'initdb')) && existsSync(join(POSTGRES_BIN_DIR, 'pg_ctl'));
}

/**
 * A private PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 and a free port, for
 * tests that stop and start the database server, which the shared server must never be. As root
 * it runs as the `postgres` user, because PostgreSQL refuses to run as root.
 */
export class PostgresCluster {
  private running = false;

  private constructor(
    readonly port: number,
    private readonly directory: string,
  ) {}

  /** Creates the cluster (user `postgres`, trust authentication) and starts it. */
  static async start(): Promise<PostgresCluster> {
    const directory = await mkdtemp(join(tmpdir(), 'sms-pg-'));
    const cluster = new PostgresCluster(await freePort(), directory);
    try {
      if (userInfo().uid === 0) {
        const { stdout } = await run('id', ['-u', 'postgres']);
        await chown(directory, Number(stdout.trim()), 0);
      }
      // --no-sync: the cluster lives as long as one test, so a crash of the machine may lose it.
      await cluster.pg('initdb', ['-D', cluster.dataDirectory, '-U', 'postgres', '-A', 'trust', '--no-sync']);
      await cluster.resume();
    } catch (error) {
      await rm(directory, { recursive: true, force: true });
      throw error;
    }
    return cluster;
  }

  /** URL of the `postgres` database, for creating the test's own database. */
  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Starts the server again on the same port and data, and resolves once it accepts connections. */
  async resume(): Promise<void> {
    const options = `-p ${this.port} -k ${this.directory} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await this.pg('pg_ctl', ['-D', this.dataDirectory, '-o', options, '-l', join(this.directory, 'server.log'), '-w', 'start']);
    this.running = true;
  }

  /**
   * Stops the server in `fast` mode: it ends every session at once, rolls back their open
   * transactions and shuts down cleanly, as an operator's restart does.
   */
  async pause(): Promise<void> {
    await this.pg('pg_ctl', ['-D', this.dataDirectory, '-m', 'fast', '-w', 'stop']);
    this.running = false;
  }

  /** Stops the server when it runs and deletes its folder. */
  async dispose(): Promise<void> {
    if (this.running) await this.pause();
    await rm(this.directory, { recursive: true, force: true });
  }

  private get dataDirectory(): string {
    return join(this.directory, 'data');
  }

  private async pg(binary: 'initdb' | 'pg_ctl', args: string[]): Promise<void> {
    const path = join(POSTGRES_BIN_DIR, binary);
    const [command, commandArgs] = userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
    await run(command, commandArgs, { timeout: 120_000 });
  }
}
