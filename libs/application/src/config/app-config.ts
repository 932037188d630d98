import { z } from 'zod';

/**
 * Configuration from environment variables, validated once at start. The names are part of the
 * REST contract's operations section; an invalid value stops the process with a message naming
 * the variable and the rule.
 */
const port = z.coerce.number().int().min(0).max(65_535);
const positiveInt = z.coerce.number().int().positive();

/** A browser origin: scheme, host and optional port, nothing after. */
const ORIGIN = /^https?:\/\/[^\s/?#,]+$/;
const originList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
  )
  .pipe(z.array(z.string().regex(ORIGIN, 'must be comma-separated origins such as https://maker.example.com,http://localhost:5173')));

const schema = z
  .object({
    PORT: port.default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    // Browser origins allowed to call the API. Empty turns CORS off, so browsers allow only same-origin calls.
    CORS_ORIGINS: originList.default(''),
    DATA_DIR: z.string().min(1).default('./data'),
    AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    NUMBER_HASH_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    EVENT_STORE: z.enum(['embedded', 'postgres', 'kurrentdb']).default('embedded'),
    READ_STORE: z.enum(['embedded', 'postgres', 'mongodb']).default('embedded'),
    TRANSPORT: z.enum(['in-process', 'nats']).default('in-process'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    KURRENTDB_URL: z.string().optional(),
    MONGODB_URL: z.string().optional(),
    NATS_URL: z
      .string()
      .regex(/^(nats|tls):\/\//, 'must be a nats:// URL')
      .default('nats://127.0.0.1:4222'),
    NATS_STREAM: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'must contain only letters, digits, - and _')
      .default('SMS_COMMANDS'),
    NATS_SUBJECT_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be dot-separated tokens such as sms.commands')
      .default('sms.commands'),
    SMS_GATEWAY: z.enum(['simulator', 'smpp', 'http']).default('simulator'),
    SMPP_URL: z
      .string()
      .regex(/^smpp:\/\/[^:@/]+:[^@/]*@[^:/]+:\d+$/, 'must be smpp://system_id:password@host:port')
      .optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SENDER_CONCURRENCY: positiveInt.max(5_000).default(500),
    SCHEDULER_BATCH_SIZE: positiveInt.max(5_000).default(500),
    SCHEDULER_TICK_MS: positiveInt.max(60_000).default(250),
    SCHEDULER_MAX_IN_FLIGHT: positiveInt.max(100_000).default(2_000),
    SIMULATOR_LATENCY_MS: z.coerce.number().int().min(0).default(0),
    SIMULATOR_RECEIPT_DELAY_MS: z.coerce.number().int().min(0).default(200),
    SIMULATOR_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0),
  })
  .superRefine((env, context) => {
    const requireWhen = (condition: boolean, variable: keyof typeof env, reason: string) => {
      if (condition && env[variable] === undefined) {
        context.addIssue({ code: 'custom', path: [variable], message: `is required ${reason}` });
      }
    };
    requireWhen(
      env.EVENT_STORE === 'postgres' || env.READ_STORE === 'postgres',
      'DATABASE_URL',
      'when EVENT_STORE or READ_STORE is postgres',
    );
    requireWhen(env.SMS_GATEWAY === 'smpp', 'SMPP_URL', 'when SMS_GATEWAY is smpp');
    if (env.EVENT_STORE === 'kurrentdb' || env.READ_STORE === 'mongodb') {
      context.addIssue({
        code: 'custom',
        path: [env.EVENT_STORE === 'kurrentdb' ? 'EVENT_STORE' : 'READ_STORE'],
        message: 'kurrentdb and mongodb have no adapter in this build yet; use embedded or postgres',
      });
    }
    if (env.SMS_GATEWAY === 'http') {
      context.addIssue({ code: 'custom', path: ['SMS_GATEWAY'], message: 'http has no adapter in this build yet; use simulator or smpp' });
    }
    if ((env.EVENT_STORE === 'embedded') !== (env.READ_STORE === 'embedded')) {
      context.addIssue({
        code: 'custom',
        path: ['READ_STORE'],
        message: 'must be embedded exactly when EVENT_STORE is embedded: projections commit their checkpoint in the event database',
      });
    }
  });

export type AppConfig = z.infer<typeof schema>;

export class ConfigurationError extends Error {
  readonly code = 'CONFIG.INVALID';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? 'environment');
      const value = env[variable];
      const shown = value === undefined ? 'unset' : variable.includes('SECRET') || variable.includes('KEY') ? '(hidden)' : `'${value}'`;
      return `${variable} (${shown}) ${issue.message}`;
    });
    throw new ConfigurationError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return result.data;
}
