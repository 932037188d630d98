import { databaseDialect, DATABASE_URL_SCHEMES } from '@sms/imports';
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

/** Name of an import database connection or CRM credential, as request bodies give it. */
const CONNECTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Parses a JSON object from names to strings, such as `{"crm_pg":"postgres://reader@db:5432/crm"}`.
 * Issues name the entry, never its value, because values hold passwords and tokens.
 */
function namedSecrets(describeValue: string, isValid: (value: string) => boolean) {
  return z.string().transform((text, context) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      context.addIssue({ code: 'custom', message: `must be a JSON object such as {"name":"${describeValue}"}` });
      return z.NEVER;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      context.addIssue({ code: 'custom', message: `must be a JSON object such as {"name":"${describeValue}"}` });
      return z.NEVER;
    }
    const entries = Object.entries(parsed as Record<string, unknown>);
    for (const [name, value] of entries) {
      if (!CONNECTION_NAME.test(name)) {
        context.addIssue({ code: 'custom', message: `has the name '${name}', which must be 1 to 64 letters, digits, - or _` });
      } else if (typeof value !== 'string' || !isValid(value)) {
        context.addIssue({ code: 'custom', message: `has an entry '${name}' that is not ${describeValue}` });
      }
    }
    return new Map(entries as [string, string][]);
  });
}

/** Variables whose values hold passwords, keys or tokens, shown as (hidden) in configuration errors. */
const HIDDEN_VARIABLES = new Set(['IMPORT_DATABASES', 'IMPORT_CRM_CREDENTIALS', 'HTTP_PROVIDER_URL']);

/** Variables whose URLs may carry a user and password, shown with those masked in configuration errors. */
const URLS_WITH_CREDENTIALS = new Set(['KURRENTDB_URL', 'MONGODB_URL']);

/** Replaces the `user:password@` part of a URL with `***@`. */
export function maskCredentials(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^@/]*@/, '$1***@');
}

/** A host name, an IPv4 address or a bracketed IPv6 address, with an optional port. */
const ALLOWED_HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;
const hostList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((host) => host.trim())
      .filter((host) => host !== ''),
  )
  .pipe(z.array(z.string().regex(ALLOWED_HOST, 'must be comma-separated hosts such as crm.example.com,10.0.0.5:8443')));

/** An http:// or https:// URL without credentials, query or fragment. */
const plainHttpUrl = z.string().refine(isPlainHttpUrl, 'must be an http:// or https:// URL without credentials, query or fragment');

function isPlainHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    const isHttp = url.protocol === 'http:' || url.protocol === 'https:';
    return isHttp && url.username === '' && url.password === '' && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}

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
    KURRENTDB_URL: z
      .string()
      .regex(
        /^(kurrentdb|esdb)(\+discover)?:\/\//,
        'must be a kurrentdb:// or esdb:// connection string such as kurrentdb://127.0.0.1:2113?tls=false',
      )
      .optional(),
    MONGODB_URL: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URL such as mongodb://127.0.0.1:27017/sms')
      .optional(),
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
    // HTTP provider adapter; see the README section "HTTP provider".
    HTTP_PROVIDER_URL: plainHttpUrl.optional(),
    HTTP_PROVIDER_API_KEY: z
      .string()
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces, as an Authorization header needs')
      .optional(),
    HTTP_PROVIDER_WEBHOOK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    HTTP_PROVIDER_CALLBACK_URL: plainHttpUrl.optional(),
    HTTP_PROVIDER_WEBHOOK_HOST: z.string().min(1).default('127.0.0.1'),
    HTTP_PROVIDER_WEBHOOK_PORT: port.default(3080),
    HTTP_PROVIDER_TIMEOUT_MS: positiveInt.max(120_000).default(10_000),
    HTTP_PROVIDER_MAX_CONCURRENCY: positiveInt.max(1_000).default(50),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SENDER_CONCURRENCY: positiveInt.max(5_000).default(500),
    SENDER_UNMATCHED_RECEIPT_MS: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
    SCHEDULER_BATCH_SIZE: positiveInt.max(5_000).default(500),
    SCHEDULER_TICK_MS: positiveInt.max(60_000).default(250),
    SCHEDULER_MAX_IN_FLIGHT: positiveInt.max(100_000).default(2_000),
    SCHEDULER_CLAIM_RECOVERY_MS: positiveInt.min(5_000).max(3_600_000).default(60_000),
    SIMULATOR_LATENCY_MS: z.coerce.number().int().min(0).default(0),
    SIMULATOR_RECEIPT_DELAY_MS: z.coerce.number().int().min(0).default(200),
    SIMULATOR_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0),
    // Import connectors. Connection URLs and CRM tokens are read from here so that request bodies
    // only name them; see the README section "Import connectors".
    // Largest CSV import body in bytes: 200 MiB by default, room for a million rows with a few layout columns.
    IMPORT_MAX_FILE_BYTES: positiveInt.max(Number.MAX_SAFE_INTEGER).default(200 * 1024 * 1024),
    IMPORT_DATABASES: namedSecrets(`a ${DATABASE_URL_SCHEMES} URL`, (url) => databaseDialect(url) !== undefined).default('{}'),
    IMPORT_DATABASE_STATEMENT_TIMEOUT_MS: positiveInt.max(3_600_000).default(60_000),
    IMPORT_CRM_ALLOWED_HOSTS: hostList.default(''),
    IMPORT_CRM_CREDENTIALS: namedSecrets('a non-empty token', (token) => token.trim() !== '').default('{}'),
    IMPORT_CRM_MAX_PAGES: positiveInt.max(1_000_000).default(1_000),
    IMPORT_CRM_TIMEOUT_MS: positiveInt.max(600_000).default(30_000),
    IMPORT_PAYMENT_STREAM: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'must contain only letters, digits, - and _')
      .default('PAYMENTS'),
    IMPORT_PAYMENT_SUBJECT_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be dot-separated tokens such as payments.unpaid')
      .default('payments.unpaid'),
    // Attempt feed for the Reporter; see the README section "Reporter and audit".
    REPORTER_FEED: z.enum(['off', 'nats']).default('off'),
    REPORTER_FEED_STREAM: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'must contain only letters, digits, - and _')
      .default('REPORTER_ATTEMPTS'),
    REPORTER_FEED_SUBJECT_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'must be dot-separated tokens such as reporter.attempts')
      .default('reporter.attempts'),
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
    requireWhen(env.EVENT_STORE === 'kurrentdb', 'KURRENTDB_URL', 'when EVENT_STORE is kurrentdb');
    requireWhen(env.READ_STORE === 'mongodb', 'MONGODB_URL', 'when READ_STORE is mongodb');
    requireWhen(env.SMS_GATEWAY === 'smpp', 'SMPP_URL', 'when SMS_GATEWAY is smpp');
    for (const variable of ['HTTP_PROVIDER_URL', 'HTTP_PROVIDER_API_KEY', 'HTTP_PROVIDER_WEBHOOK_SECRET'] as const) {
      requireWhen(env.SMS_GATEWAY === 'http', variable, 'when SMS_GATEWAY is http');
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
      const hidden = variable.includes('SECRET') || variable.includes('KEY') || HIDDEN_VARIABLES.has(variable);
      let shown = `'${value}'`;
      if (value !== undefined && URLS_WITH_CREDENTIALS.has(variable)) {
        shown = `'${maskCredentials(value)}'`;
      }
      if (value === undefined) {
        shown = 'unset';
      } else if (hidden) {
        shown = '(hidden)';
      }
      return `${variable} (${shown}) ${issue.message}`;
    });
    throw new ConfigurationError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return result.data;
}
