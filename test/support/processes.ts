import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { repositoryRoot } from '../../scripts/repository-root';

/** The repository root, from the sources or from a build of them. */
const ROOT = repositoryRoot();
/**
 * Build output of the process tests, apart from `dist/` so a running `npm start` is not disturbed.
 * `SMS_TEST_BUILD_DIR` moves it, so two test runs on one checkout do not rebuild under each other's
 * processes. A folder outside the repository needs a `node_modules` link to the repository's.
 */
export const TEST_BUILD_DIR = process.env.SMS_TEST_BUILD_DIR ?? join(ROOT, 'dist-test');

/** Compiles the apps with SWC, the same build `npm start` uses. */
export function buildApps(outDir = TEST_BUILD_DIR): void {
  execFileSync(join(ROOT, 'node_modules', '.bin', 'swc'), ['apps', 'libs', 'scripts', '-d', outDir, '--copy-files', '--quiet'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

/**
 * Time a process gets to stop before SIGKILL. A sender's SMPP gateway waits up to its submit
 * timeout (10 s) for unanswered submits, then up to 10 s for the unbind, so it can take 20 s.
 */
const STOP_GRACE_MS = 25_000;

/** How a process ended. Nest closes on SIGTERM and then re-raises it, so a clean stop ends by that signal. */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export function isCleanExit(exit: Exit): boolean {
  return exit.code === 0 || exit.signal === 'SIGTERM' || exit.signal === 'SIGINT';
}

export interface AppProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  /** Resolves when a line of its output matches. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Sends `signal` and resolves with how the process ended; SIGKILL after STOP_GRACE_MS without exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/** Starts `apps/<app>/main.js` from a build as a child process with `env` added. */
export function startApp(app: string, env: Record<string, string>, name = app, buildDir = TEST_BUILD_DIR): AppProcess {
  const child = spawn(process.execPath, [join(buildDir, 'apps', app, 'main.js')], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters: Array<{ pattern: RegExp; resolve(): void }> = [];
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(output)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  return {
    name,
    child,
    output: () => output,
    waitForOutput: (pattern, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(output)) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms:\n${output.slice(-3000)}`)),
          timeoutMs,
        );
        waiters.push({ pattern, resolve: () => (clearTimeout(timer), resolve()) });
        void exited.then((exit) =>
          reject(new Error(`${name} exited (${exit.code ?? exit.signal}) before printing ${pattern}:\n${output.slice(-3000)}`)),
        );
      }),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
}
