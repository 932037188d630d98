import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Creates a PostgreSQL database for one test file on the server of `adminUrl`; `drop()` removes it. */
export async function createTestDatabase(adminUrl = POSTGRES_ADMIN_URL): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `sms_e2e_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    drop: async () => {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function createTempDirectory(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'sms-e2e-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Secrets and a NATS namespace of their own, so test runs never share a stream. */
export function isolatedEnvironment(): Record<string, string> {
  const suffix = randomUUID().replace(/-/g, '').slice(0, 10);
  return {
    AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
    NUMBER_HASH_KEY: randomBytes(32).toString('hex'),
    NATS_STREAM: `E2E_${suffix}`,
    NATS_SUBJECT_PREFIX: `e2e${suffix}.commands`,
    LOG_LEVEL: 'warn',
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export { fixturePath, sampleWithoutStartDates } from '../../scripts/sample-data';
