import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';

/**
 * Starts an HTTP server that returns `readStats()` as JSON for `GET /stats`, so that benchmarks
 * and crash tests in other processes can read the simulator's counters.
 */
export async function startStatsEndpoint(host: string, port: number, readStats: () => object): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/stats') {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `no route ${path}; use GET /stats` }));
      return;
    }
    if (request.method !== 'GET') {
      response.writeHead(405, { 'content-type': 'application/json', allow: 'GET' }).end(JSON.stringify({ message: 'use GET /stats' }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(readStats()));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** Returns the TCP port a server listens on, or undefined while it is not listening. */
export function listeningPort(server: { address(): AddressInfo | string | null }): number | undefined {
  const address = server.address();
  return address === null || typeof address === 'string' ? undefined : address.port;
}
