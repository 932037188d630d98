import { dockerEngineSocketExists } from '../../testing/docker-engine';
import { GenericContainer, StartedTestContainer, Wait } from 'testcontainers';

/** KurrentDB image of the integration tests, pinned by tag. */
export const KURRENTDB_TEST_IMAGE = 'kurrentplatform/kurrentdb:26.1.1';

/** Server of the KurrentDB tests: one given by URL, a container, or none (the suite is skipped). */
export type KurrentDbTestTarget =
  { readonly kind: 'url'; readonly url: string } | { readonly kind: 'container' } | { readonly kind: 'skip'; readonly reason: string };

/**
 * Picks the server of the KurrentDB tests: `KURRENTDB_URL` when set, else a testcontainers
 * container when a Docker engine socket exists. It decides synchronously, because Jest builds
 * the test tree before any hook runs.
 */
export function kurrentDbTestTarget(): KurrentDbTestTarget {
  const url = process.env.KURRENTDB_URL;
  if (url !== undefined && url !== '') {
    return { kind: 'url', url };
  }
  if (dockerEngineSocketExists()) {
    return { kind: 'container' };
  }
  return { kind: 'skip', reason: 'no Docker engine socket and KURRENTDB_URL unset' };
}

/** A started single-node insecure KurrentDB and its connection string. */
export interface KurrentDbTestServer {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startKurrentDbTestServer(target: KurrentDbTestTarget): Promise<KurrentDbTestServer> {
  if (target.kind === 'url') {
    return { url: target.url, stop: async () => undefined };
  }
  if (target.kind === 'skip') {
    throw new Error(`KurrentDB tests cannot run: ${target.reason}`);
  }
  const container: StartedTestContainer = await new GenericContainer(KURRENTDB_TEST_IMAGE)
    .withExposedPorts(2113)
    .withEnvironment({ KURRENTDB_CLUSTER_SIZE: '1', KURRENTDB_INSECURE: 'true', KURRENTDB_RUN_PROJECTIONS: 'None' })
    .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCodeMatching((status) => status >= 200 && status < 300))
    .withStartupTimeout(120_000)
    .start();
  return {
    url: `kurrentdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`,
    stop: async () => {
      await container.stop();
    },
  };
}
