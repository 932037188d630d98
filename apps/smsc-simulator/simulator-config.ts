import type { DelaySetting, SmscSimulatorOptions } from '@sms/sms-gateway';
import { z } from 'zod';

export interface SimulatorAppConfig {
  readonly simulator: Omit<SmscSimulatorOptions, 'logger'>;
  readonly logLevel: string;
}

export interface EnvironmentViolation {
  readonly variable: string;
  readonly rule: string;
}

/** Raised at start when environment variables are invalid; lists every violation, never a password. */
export class InvalidEnvironmentError extends Error {
  readonly code = 'CONFIG.INVALID_ENVIRONMENT';

  constructor(readonly violations: readonly EnvironmentViolation[]) {
    super(`invalid environment: ${violations.map((violation) => `${violation.variable} ${violation.rule}`).join('; ')}`);
    this.name = 'InvalidEnvironmentError';
  }
}

const STATUSES = ['DELIVERED', 'UNDELIVERED', 'EXPIRED', 'REJECTED', 'ACCEPTED', 'ENROUTE', 'UNKNOWN'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const integer = (min: number, max: number): z.ZodType<number, z.ZodTypeDef, string> => {
  const rule = `must be an integer from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d+$/, rule)
    .transform(Number)
    .refine((value) => value >= min && value <= max, rule);
};

const fraction = z
  .string()
  .regex(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, 'must be a number from 0 to 1')
  .transform(Number);

const positiveNumber = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'must be a number above 0')
  .transform(Number)
  .refine((value) => value > 0, 'must be a number above 0');

/** `250` or `100-400` (a range drawn uniformly per message). */
const delay = z
  .string()
  .regex(/^\d+(-\d+)?$/, "must be a number of ms ('250') or a range of ms ('100-400')")
  .transform((value): DelaySetting => {
    const [min, max] = value.split('-').map(Number);
    return max === undefined ? min : { min, max };
  })
  .refine((value) => typeof value === 'number' || value.min <= value.max, 'must be a range whose first number is not above the second');

const statusMix = z
  .string()
  .transform((value, context): unknown => {
    try {
      return JSON.parse(value);
    } catch {
      context.addIssue({ code: z.ZodIssueCode.custom, message: 'must be a JSON object such as {"DELIVERED":0.9,"UNDELIVERED":0.1}' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .record(z.enum(STATUSES, { errorMap: () => ({ message: `must only have the keys ${STATUSES.join(', ')}` }) }), z.number())
      .superRefine((mix, context) => {
        const weights = Object.values(mix).filter((weight): weight is number => weight !== undefined);
        if (weights.some((weight) => weight < 0)) {
          context.addIssue({ code: z.ZodIssueCode.custom, message: 'must have weights from 0' });
        } else if (!weights.some((weight) => weight > 0)) {
          context.addIssue({ code: z.ZodIssueCode.custom, message: 'must give at least one status a weight above 0' });
        }
      }),
  );

const flag = z
  .enum(['true', 'false'], { errorMap: () => ({ message: "must be 'true' or 'false'" }) })
  .transform((value) => value === 'true');

/** An empty variable counts as unset, so `SMSC_PORT=` in a compose file keeps the default. */
const optional = <Output>(schema: z.ZodType<Output, z.ZodTypeDef, string>): z.ZodType<Output | undefined, z.ZodTypeDef, unknown> =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

const environmentSchema = z.object({
  SMSC_HOST: optional(z.string()),
  SMSC_PORT: optional(integer(0, 65_535)),
  SMSC_SYSTEM_ID: optional(z.string()),
  SMSC_PASSWORD: optional(z.string()),
  SMSC_LATENCY_MS: optional(delay),
  SMSC_FAILURE_RATE: optional(fraction),
  SMSC_TRANSIENT_FAILURE_SHARE: optional(fraction),
  SMSC_RECEIPT_DELAY_MS: optional(delay),
  SMSC_STATUS_MIX: optional(statusMix),
  SMSC_MAX_PER_SECOND: optional(positiveNumber),
  SMSC_STATS_PORT: optional(integer(0, 65_535)),
  SMSC_SEED: optional(integer(0, 4_294_967_295)),
  SMSC_UPPERCASE_MESSAGE_IDS: optional(flag),
  LOG_LEVEL: optional(z.enum(LOG_LEVELS, { errorMap: () => ({ message: `must be one of ${LOG_LEVELS.join(', ')}` }) })),
});

/** Variables whose value never appears in an error message. */
const SECRET_VARIABLES: ReadonlySet<string> = new Set(['SMSC_PASSWORD']);

/**
 * Reads the simulator's configuration from environment variables. Unset variables take the
 * simulator's defaults, except SMSC_PORT (2775, the usual SMPP port) and the credentials
 * (`simulator` / `simulator`). Throws InvalidEnvironmentError naming each invalid variable.
 */
export function loadSimulatorConfig(environment: NodeJS.ProcessEnv): SimulatorAppConfig {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    throw new InvalidEnvironmentError(parsed.error.issues.map((issue) => violation(issue, environment)));
  }

  const env = parsed.data;
  return {
    logLevel: env.LOG_LEVEL ?? 'info',
    simulator: {
      host: env.SMSC_HOST ?? '127.0.0.1',
      port: env.SMSC_PORT ?? 2775,
      systemId: env.SMSC_SYSTEM_ID ?? 'simulator',
      password: env.SMSC_PASSWORD ?? 'simulator',
      latencyMs: env.SMSC_LATENCY_MS,
      failureRate: env.SMSC_FAILURE_RATE,
      transientFailureShare: env.SMSC_TRANSIENT_FAILURE_SHARE,
      receiptDelayMs: env.SMSC_RECEIPT_DELAY_MS,
      statusMix: env.SMSC_STATUS_MIX,
      maxSubmitsPerSecond: env.SMSC_MAX_PER_SECOND,
      statsPort: env.SMSC_STATS_PORT,
      seed: env.SMSC_SEED,
      uppercaseMessageIds: env.SMSC_UPPERCASE_MESSAGE_IDS,
    },
  };
}

function violation(issue: z.ZodIssue, environment: NodeJS.ProcessEnv): EnvironmentViolation {
  const variable = String(issue.path[0]);
  const value = environment[variable];
  const shownValue = SECRET_VARIABLES.has(variable) || value === undefined ? '' : ` (got '${value}')`;
  return { variable, rule: `${issue.message}${shownValue}` };
}
