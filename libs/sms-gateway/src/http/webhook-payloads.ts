import type { DeliveryReceipt, DeliveryStatus, InboundMessage } from '../sms-gateway.port';

/** The `status` values of a status callback, mapped to the port's delivery statuses. */
const DELIVERY_STATUSES: Readonly<Record<string, DeliveryStatus>> = {
  delivered: 'DELIVERED',
  undelivered: 'UNDELIVERED',
  expired: 'EXPIRED',
  rejected: 'REJECTED',
  accepted: 'ACCEPTED',
  enroute: 'ENROUTE',
  unknown: 'UNKNOWN',
};

const MAX_ID_LENGTH = 256;
const MAX_ERROR_CODE_LENGTH = 64;
const MAX_ADDRESS_LENGTH = 32;
const MAX_TEXT_LENGTH = 10_000;

/** An ISO-8601 date-time with seconds and an offset or `Z`, so that it names one instant. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** One invalid field of a callback body, named as the provider sent it. */
export interface PayloadIssue {
  readonly field: string;
  readonly rule: string;
}

export type Parsed<Value> = { readonly ok: true; readonly value: Value } | { readonly ok: false; readonly issues: readonly PayloadIssue[] };

/**
 * Reads a status callback `{ id, status, errorCode?, doneAt }`. Fields the contract does not name
 * are ignored, so that a provider adding one does not get every callback rejected.
 */
export function parseStatusCallback(body: unknown): Parsed<DeliveryReceipt> {
  if (!isObject(body)) {
    return { ok: false, issues: [{ field: '(body)', rule: 'must be a JSON object' }] };
  }

  const issues: PayloadIssue[] = [];
  const id = requiredString(body, 'id', MAX_ID_LENGTH, issues);
  const status = readStatus(body.status, issues);
  const doneAt = readInstant(body, 'doneAt', issues);
  const errorCode = body.errorCode;
  if (errorCode !== undefined && errorCode !== null && (typeof errorCode !== 'string' || errorCode.length > MAX_ERROR_CODE_LENGTH)) {
    issues.push({ field: 'errorCode', rule: `must be a string of at most ${MAX_ERROR_CODE_LENGTH} characters, or null` });
  }
  if (issues.length > 0 || id === undefined || status === undefined || doneAt === undefined) {
    return { ok: false, issues };
  }

  const receipt: DeliveryReceipt = { providerMessageId: id, status, doneAt };
  return { ok: true, value: typeof errorCode === 'string' && errorCode !== '' ? { ...receipt, errorCode } : receipt };
}

/** Reads an inbound message callback `{ from, to, text, receivedAt }`; other fields are ignored. */
export function parseInboundCallback(body: unknown): Parsed<InboundMessage> {
  if (!isObject(body)) {
    return { ok: false, issues: [{ field: '(body)', rule: 'must be a JSON object' }] };
  }

  const issues: PayloadIssue[] = [];
  const from = requiredString(body, 'from', MAX_ADDRESS_LENGTH, issues);
  const to = requiredString(body, 'to', MAX_ADDRESS_LENGTH, issues);
  const receivedAt = readInstant(body, 'receivedAt', issues);
  const text = body.text;
  if (typeof text !== 'string' || text.length > MAX_TEXT_LENGTH) {
    issues.push({ field: 'text', rule: `must be a string of at most ${MAX_TEXT_LENGTH} characters` });
  }
  if (issues.length > 0 || from === undefined || to === undefined || receivedAt === undefined || typeof text !== 'string') {
    return { ok: false, issues };
  }
  return { ok: true, value: { from, to, text, receivedAt } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requiredString(body: Record<string, unknown>, field: string, maxLength: number, issues: PayloadIssue[]): string | undefined {
  const value = body[field];
  if (typeof value !== 'string' || value.trim() === '' || value.length > maxLength) {
    issues.push({ field, rule: `must be a non-empty string of at most ${maxLength} characters` });
    return undefined;
  }
  return value;
}

function readStatus(value: unknown, issues: PayloadIssue[]): DeliveryStatus | undefined {
  const status = typeof value === 'string' && Object.hasOwn(DELIVERY_STATUSES, value) ? DELIVERY_STATUSES[value] : undefined;
  if (status === undefined) {
    issues.push({ field: 'status', rule: `must be one of ${Object.keys(DELIVERY_STATUSES).join(', ')}` });
  }
  return status;
}

function readInstant(body: Record<string, unknown>, field: string, issues: PayloadIssue[]): Date | undefined {
  const value = body[field];
  const instant = typeof value === 'string' && INSTANT.test(value) ? new Date(value) : undefined;
  if (instant === undefined || Number.isNaN(instant.getTime())) {
    issues.push({ field, rule: 'must be an ISO-8601 date-time with an offset, such as 2026-05-06T12:45:00Z' });
    return undefined;
  }
  return instant;
}
