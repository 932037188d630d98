import type { DeliveryStatus } from '../sms-gateway.port';

/**
 * The fields of a delivery receipt's text, in the format of SMPP 3.4 Appendix B:
 * `id:IIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text:...`.
 * The appendix calls the format vendor specific and gives it as an example, so SMSCs vary. Keys
 * are matched without regard to case, dates may carry seconds, and fields other than id and stat
 * may be missing.
 */
export interface ReceiptText {
  readonly id: string;
  readonly stat: string;
  readonly sub?: string;
  readonly dlvrd?: string;
  readonly submitDate?: string;
  readonly doneDate?: string;
  readonly err?: string;
  readonly text?: string;
}

const RECEIPT_FIELD = /\b(id|sub|dlvrd|submit date|done date|stat|err):(\S*)/gi;
const TEXT_FIELD = /\btext:/i;

/** Parses a receipt's text; returns undefined unless it contains both `id:` and `stat:`. */
export function parseReceiptText(receipt: string): ReceiptText | undefined {
  // The free text comes last and may itself contain "id:" or "stat:", so fields are read before it.
  const textMatch = TEXT_FIELD.exec(receipt);
  const head = textMatch === null ? receipt : receipt.slice(0, textMatch.index);
  const fields = new Map<string, string>();
  for (const [, key, value] of head.matchAll(RECEIPT_FIELD)) {
    const name = key.toLowerCase();
    if (!fields.has(name)) {
      fields.set(name, value);
    }
  }

  const id = fields.get('id');
  const stat = fields.get('stat');
  if (id === undefined || id === '' || stat === undefined || stat === '') {
    return undefined;
  }
  return {
    id,
    stat,
    sub: fields.get('sub'),
    dlvrd: fields.get('dlvrd'),
    submitDate: fields.get('submit date'),
    doneDate: fields.get('done date'),
    err: fields.get('err'),
    text: textMatch === null ? undefined : receipt.slice(textMatch.index + textMatch[0].length),
  };
}

/**
 * Normalises a provider message id so that the id of a submit_sm_resp and the id of its receipt
 * compare equal, because some SMSCs return `000A1B` in one and `a1b` in the other. Lowercases, trims
 * and strips leading zeros; an id of only zeros becomes `0`.
 */
export function normaliseMessageId(messageId: string): string {
  const lowercase = messageId.trim().toLowerCase();
  let start = 0;
  while (start < lowercase.length - 1 && lowercase.charCodeAt(start) === 0x30) {
    start += 1;
  }
  return start === 0 ? lowercase : lowercase.slice(start);
}

const STATUS_BY_STAT: Readonly<Record<string, DeliveryStatus>> = {
  DELIVRD: 'DELIVERED',
  UNDELIV: 'UNDELIVERED',
  EXPIRED: 'EXPIRED',
  REJECTD: 'REJECTED',
  ACCEPTD: 'ACCEPTED',
  ENROUTE: 'ENROUTE',
};

/** Maps the `stat:` value of a receipt's text; DELETED, UNKNOWN and vendor values become UNKNOWN. */
export function deliveryStatusFromStat(stat: string): DeliveryStatus {
  return STATUS_BY_STAT[stat.toUpperCase()] ?? 'UNKNOWN';
}

/** message_state values (SMPP 3.4, section 5.2.28); 4 (DELETED) and 7 (UNKNOWN) become UNKNOWN. */
const STATUS_BY_MESSAGE_STATE: readonly DeliveryStatus[] = [
  'UNKNOWN',
  'ENROUTE',
  'DELIVERED',
  'EXPIRED',
  'UNKNOWN',
  'UNDELIVERED',
  'ACCEPTED',
  'UNKNOWN',
  'REJECTED',
];

export function deliveryStatusFromMessageState(messageState: number): DeliveryStatus {
  return STATUS_BY_MESSAGE_STATE[messageState] ?? 'UNKNOWN';
}

const RECEIPT_DATE = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$/;

/**
 * Parses a receipt date `YYMMDDhhmm` or `YYMMDDhhmmss` as UTC in the years 2000-2099; returns
 * undefined for any other shape or an impossible date. Appendix B names no time zone, so an SMSC
 * that writes local time shifts the result by its UTC offset.
 */
export function parseReceiptDate(value: string): Date | undefined {
  const match = RECEIPT_DATE.exec(value);
  if (match === null) {
    return undefined;
  }

  const [, year, month, day, hour, minute, second] = match;
  const date = new Date(Date.UTC(2000 + Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second ?? '0')));
  const roundTrips = date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
  return roundTrips && Number(hour) < 24 && Number(minute) < 60 ? date : undefined;
}
