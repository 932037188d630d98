import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Tells whether a Docker engine socket exists where testcontainers looks first. A socket whose
 * engine is down still passes, and the suite then fails in its set-up with the engine's error.
 */
export function dockerEngineSocketExists(): boolean {
  if (process.env.DOCKER_HOST !== undefined && process.env.DOCKER_HOST !== '') {
    return true;
  }
  const sockets = ['/var/run/docker.sock', join(homedir(), '.docker', 'run', 'docker.sock')];
  if (process.env.XDG_RUNTIME_DIR !== undefined) {
    sockets.push(join(process.env.XDG_RUNTIME_DIR, 'docker.sock'));
  }
  return sockets.some((socket) => existsSync(socket));
}
