import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/app-config';
import { createLogger } from '../logging/logger';
import { createInfrastructure } from './infrastructure';

describe('infrastructure with EVENT_STORE=kurrentdb and READ_STORE=mongodb and no servers', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sms-infrastructure-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('fails within seconds and names both URLs without their passwords', async () => {
    // Port 1 on the loopback address: nothing listens there, so each connection is refused.
    const config = loadConfig({
      DATA_DIR: dataDir,
      EVENT_STORE: 'kurrentdb',
      READ_STORE: 'mongodb',
      KURRENTDB_URL: 'kurrentdb://admin:changeit@127.0.0.1:1?tls=false',
      MONGODB_URL: 'mongodb://reader:s3cret@127.0.0.1:1/sms',
      AUTH_JWT_SECRET: 'a'.repeat(32),
      NUMBER_HASH_KEY: 'b'.repeat(32),
    });
    const startedAt = Date.now();

    const error = await createInfrastructure(config, createLogger('silent', 'infrastructure-test')).catch((caught: unknown) => caught);

    const elapsedMs = Date.now() - startedAt;
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('KurrentDB at kurrentdb://***@127.0.0.1:1?tls=false is unreachable');
    expect(message).toContain('MongoDB at mongodb://***@127.0.0.1:1/sms is unreachable');
    expect(message).not.toMatch(/changeit|s3cret/);
    expect(elapsedMs).toBeLessThan(8_000);
  }, 15_000);
});
