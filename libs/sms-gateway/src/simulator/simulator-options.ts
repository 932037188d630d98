import type { Logger } from 'pino';
import * as smpp from 'smpp';

import type { DeliveryStatus } from '../sms-gateway.port';

/** A delay in ms: fixed, or drawn uniformly from [min, max) for each message. */
export type DelaySetting = number | { readonly min: number; readonly max: number };

export interface SmscSimulatorOptions {
  /** Address to listen on. Default 127.0.0.1. */
  readonly host?: string;
  /** SMPP port; 0 picks a free one, readable afterwards from `SmscSimulator.port`. Default 0. */
  readonly port?: number;
  /** Credentials that a bind must carry; any other system_id gets ESME_RINVSYSID, any other password ESME_RINVPASWD. */
  readonly systemId: string;
  readonly password: string;
  /** Time from receiving a submit_sm to sending its submit_sm_resp. Default 0. */
  readonly latencyMs?: DelaySetting;
  /** Fraction of submits, from 0 to 1, rejected with an error status instead of accepted. Default 0. */
  readonly failureRate?: number;
  /** Fraction of those failures, from 0 to 1, that get `transientFailureStatus`. The others get `permanentFailureStatus`. Default 0.5. */
  readonly transientFailureShare?: number;
  /** Default ESME_RMSGQFUL (message queue full). */
  readonly transientFailureStatus?: number;
  /** Default ESME_RINVDSTADR (invalid destination address). */
  readonly permanentFailureStatus?: number;
  /** Time from accepting a submit to sending its delivery receipt. Default 0. */
  readonly receiptDelayMs?: DelaySetting;
  /** Time in ms before a deliver_sm is sent again after an error response or a lost session. Default 1,000. */
  readonly receiptRetryDelayMs?: number;
  /** Relative weights of the statuses reported in receipts. Default { DELIVERED: 1 }. */
  readonly statusMix?: Partial<Readonly<Record<DeliveryStatus, number>>>;
  /** Maximum accepted submits per second, with bursts up to the same number; the excess gets ESME_RTHROTTLED. Default unlimited. */
  readonly maxSubmitsPerSecond?: number;
  /**
   * When true, submit_sm_resp carries message ids as 16-digit uppercase hex with leading zeros, and
   * receipts carry the same id in lowercase without them, as some SMSCs do. Default false: both lowercase.
   */
  readonly uppercaseMessageIds?: boolean;
  /** Seed of the random choices (latency, failures, statuses), so a run can be repeated. Default 1. */
  readonly seed?: number;
  /** Port of the HTTP endpoint `GET /stats` on `host`; 0 picks a free one. Default: no endpoint. */
  readonly statsPort?: number;
  /** Maximum number of submits kept for `submits()`; later ones are counted but not kept. Default 100,000. */
  readonly maxRecordedSubmits?: number;
  /**
   * destination_addr values, as received (no plus sign), whose submits are accepted and recorded
   * but get no submit_sm_resp and no receipt, as when an SMSC's response is lost. The ESME's own
   * submit timeout then decides the outcome. Default none.
   */
  readonly unansweredDestinations?: readonly string[];
  readonly logger?: Logger;
}

export interface ResolvedSimulatorOptions {
  readonly host: string;
  readonly port: number;
  readonly systemId: string;
  readonly password: string;
  readonly latencyMs: { readonly min: number; readonly max: number };
  readonly failureRate: number;
  readonly transientFailureShare: number;
  readonly transientFailureStatus: number;
  readonly permanentFailureStatus: number;
  readonly receiptDelayMs: { readonly min: number; readonly max: number };
  readonly receiptRetryDelayMs: number;
  /** Entries with a weight above 0. */
  readonly statusMix: readonly (readonly [DeliveryStatus, number])[];
  readonly maxSubmitsPerSecond: number | undefined;
  readonly uppercaseMessageIds: boolean;
  readonly seed: number;
  readonly statsPort: number | undefined;
  readonly maxRecordedSubmits: number;
  readonly unansweredDestinations: ReadonlySet<string>;
}

export class InvalidSimulatorOptionError extends Error {
  readonly code = 'SMSC_SIMULATOR.INVALID_OPTION';

  constructor(
    readonly option: string,
    readonly value: unknown,
    readonly rule: string,
  ) {
    super(`SMSC simulator option ${option} = ${JSON.stringify(value)} is invalid: it ${rule}`);
    this.name = 'InvalidSimulatorOptionError';
  }
}

const DELIVERY_STATUSES: ReadonlySet<string> = new Set<DeliveryStatus>([
  'DELIVERED',
  'UNDELIVERED',
  'EXPIRED',
  'REJECTED',
  'ACCEPTED',
  'ENROUTE',
  'UNKNOWN',
]);

/** Applies defaults and validates every option; throws InvalidSimulatorOptionError naming the first invalid one. */
export function resolveSimulatorOptions(options: SmscSimulatorOptions): ResolvedSimulatorOptions {
  if (typeof options.systemId !== 'string' || options.systemId === '') {
    throw new InvalidSimulatorOptionError('systemId', options.systemId, 'must be a non-empty string');
  }
  if (typeof options.password !== 'string') {
    throw new InvalidSimulatorOptionError('password', '***', 'must be a string');
  }

  return {
    host: options.host ?? '127.0.0.1',
    port: port('port', options.port ?? 0),
    systemId: options.systemId,
    password: options.password,
    latencyMs: delay('latencyMs', options.latencyMs ?? 0),
    failureRate: fraction('failureRate', options.failureRate ?? 0),
    transientFailureShare: fraction('transientFailureShare', options.transientFailureShare ?? 0.5),
    transientFailureStatus: errorStatus('transientFailureStatus', options.transientFailureStatus ?? smpp.ESME_RMSGQFUL),
    permanentFailureStatus: errorStatus('permanentFailureStatus', options.permanentFailureStatus ?? smpp.ESME_RINVDSTADR),
    receiptDelayMs: delay('receiptDelayMs', options.receiptDelayMs ?? 0),
    receiptRetryDelayMs: nonNegative('receiptRetryDelayMs', options.receiptRetryDelayMs ?? 1_000),
    statusMix: statusMix(options.statusMix ?? { DELIVERED: 1 }),
    maxSubmitsPerSecond:
      options.maxSubmitsPerSecond === undefined ? undefined : positive('maxSubmitsPerSecond', options.maxSubmitsPerSecond),
    uppercaseMessageIds: options.uppercaseMessageIds ?? false,
    seed: integer('seed', options.seed ?? 1),
    statsPort: options.statsPort === undefined ? undefined : port('statsPort', options.statsPort),
    maxRecordedSubmits: integer('maxRecordedSubmits', options.maxRecordedSubmits ?? 100_000),
    unansweredDestinations: destinations('unansweredDestinations', options.unansweredDestinations ?? []),
  };
}

function port(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new InvalidSimulatorOptionError(option, value, 'must be an integer from 0 to 65535');
  }
  return value;
}

function delay(option: string, value: DelaySetting): { min: number; max: number } {
  const range = typeof value === 'number' ? { min: value, max: value } : { min: value.min, max: value.max };
  if (!Number.isFinite(range.min) || !Number.isFinite(range.max) || range.min < 0 || range.max < range.min) {
    throw new InvalidSimulatorOptionError(option, value, 'must be a number of ms from 0, or { min, max } with 0 <= min <= max');
  }
  return range;
}

function fraction(option: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new InvalidSimulatorOptionError(option, value, 'must be a number from 0 to 1');
  }
  return value;
}

function nonNegative(option: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new InvalidSimulatorOptionError(option, value, 'must be a number from 0');
  }
  return value;
}

function positive(option: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidSimulatorOptionError(option, value, 'must be a number above 0');
  }
  return value;
}

function integer(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidSimulatorOptionError(option, value, 'must be an integer from 0');
  }
  return value;
}

function destinations(option: string, value: readonly string[]): ReadonlySet<string> {
  if (!Array.isArray(value) || value.some((destination) => typeof destination !== 'string' || !/^\d+$/.test(destination))) {
    throw new InvalidSimulatorOptionError(option, value, 'must be an array of destination_addr digit strings, without a plus sign');
  }
  return new Set(value);
}

function errorStatus(option: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0 || value > 0xffffffff) {
    throw new InvalidSimulatorOptionError(option, value, 'must be a non-zero SMPP command_status');
  }
  return value;
}

function statusMix(mix: Partial<Readonly<Record<DeliveryStatus, number>>>): (readonly [DeliveryStatus, number])[] {
  const entries: (readonly [DeliveryStatus, number])[] = [];
  for (const [status, weight] of Object.entries(mix)) {
    if (!isDeliveryStatus(status)) {
      throw new InvalidSimulatorOptionError('statusMix', mix, `has unknown status ${status}; use ${[...DELIVERY_STATUSES].join(', ')}`);
    }
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      throw new InvalidSimulatorOptionError('statusMix', mix, `has weight ${String(weight)} for ${status}; weights must be numbers from 0`);
    }
    if (weight > 0) {
      entries.push([status, weight]);
    }
  }
  if (entries.length === 0) {
    throw new InvalidSimulatorOptionError('statusMix', mix, 'must give at least one status a weight above 0');
  }
  return entries;
}

function isDeliveryStatus(value: string): value is DeliveryStatus {
  return DELIVERY_STATUSES.has(value);
}
