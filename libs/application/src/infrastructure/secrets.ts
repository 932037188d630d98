import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';

export interface Secrets {
  /** HS256 key of the bearer tokens. */
  readonly jwtSecret: string;
  /** Key of the keyed hash that turns (campaign, phone number) into a target id. */
  readonly numberHashKey: string;
}

/**
 * Secrets from the environment. The embedded profile may run with none: it then generates them
 * once into `DATA_DIR/secrets.json` (mode 0600), so `npm start` needs no setup and restarts keep
 * tokens and target ids valid. Server processes must share them and get them from the environment.
 */
export async function loadSecrets(config: AppConfig): Promise<Secrets> {
  if (config.AUTH_JWT_SECRET !== undefined && config.NUMBER_HASH_KEY !== undefined) {
    return { jwtSecret: config.AUTH_JWT_SECRET, numberHashKey: config.NUMBER_HASH_KEY };
  }
  if (config.EVENT_STORE !== 'embedded') {
    throw new Error('AUTH_JWT_SECRET and NUMBER_HASH_KEY are required outside the embedded profile (32 characters or more each)');
  }
  const stored = await readOrCreateSecretsFile(config.DATA_DIR);
  return {
    jwtSecret: config.AUTH_JWT_SECRET ?? stored.jwtSecret,
    numberHashKey: config.NUMBER_HASH_KEY ?? stored.numberHashKey,
  };
}

export function secretsFilePath(dataDir: string): string {
  return join(dataDir, 'secrets.json');
}

async function readOrCreateSecretsFile(dataDir: string): Promise<Secrets> {
  const path = secretsFilePath(dataDir);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Secrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
  }
  const secrets: Secrets = { jwtSecret: randomBytes(32).toString('hex'), numberHashKey: randomBytes(32).toString('hex') };
  await mkdir(dataDir, { recursive: true });
  await writeFile(path, JSON.stringify(secrets), { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    // Another process created it first: use theirs.
    if (error.code !== 'EEXIST') throw error;
  });
  return JSON.parse(await readFile(path, 'utf8')) as Secrets;
}
