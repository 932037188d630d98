import { RowRejection } from '../mapping/target-row';
import { SourceRecord } from '../mapping/source-record';

/**
 * Columns of a payment record, in the order of its values. `amount`, `dueDate` and
 * `paymentLink` become layout values of the target; `paymentId` only identifies the payment in
 * errors and is not kept.
 */
export const PAYMENT_COLUMNS: readonly string[] = ['phoneNumber', 'amount', 'dueDate', 'paymentLink'];

/** Layout types of the payment columns: the amount is a number, the others stay text. */
export const PAYMENT_LAYOUT_FIELDS = [{ key: 'amount', type: 'number' }] as const;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Reads an unpaid-payment message: a JSON object
 * `{ paymentId, phoneNumber, amount, dueDate, paymentLink }` where `amount` is a number or a
 * decimal string, `dueDate` an ISO calendar date such as 2026-07-01 (kept as text, since it is
 * shown in the SMS as written) and `paymentLink` an https or http URL. Other properties are
 * ignored. The phone number and the amount are checked by the row mapper, like any other source.
 *
 * @param line the stream sequence of the message.
 */
export function readPaymentMessage(line: number, payload: Uint8Array): SourceRecord | RowRejection {
  const text = Buffer.from(payload).toString('utf8');
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return rejection(line, text, `message ${line} is not valid JSON`);
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return rejection(line, text, `message ${line} is not a JSON object`);
  }

  const { paymentId, phoneNumber, amount, dueDate, paymentLink } = message as Record<string, unknown>;
  if (typeof paymentId !== 'string' || paymentId.trim() === '') {
    return rejection(line, JSON.stringify(paymentId ?? null), `paymentId of message ${line} must be a non-empty string`);
  }
  if (typeof dueDate !== 'string' || !isCalendarDate(dueDate)) {
    return rejection(line, String(dueDate), `dueDate of payment '${paymentId}' must be an ISO date such as 2026-07-01`);
  }
  if (typeof paymentLink !== 'string' || !isWebUrl(paymentLink)) {
    return rejection(line, String(paymentLink), `paymentLink of payment '${paymentId}' must be an https or http URL`);
  }
  return { kind: 'record', line, values: [phoneNumber, amount, dueDate, paymentLink] };
}

function rejection(line: number, value: string, reason: string): RowRejection {
  return { kind: 'rejected', line, value: value.length <= 100 ? value : `${value.slice(0, 99)}…`, reason };
}

function isCalendarDate(text: string): boolean {
  const parts = ISO_DATE.exec(text);
  if (parts === null) {
    return false;
  }
  const [year, month, day] = [Number(parts[1]), Number(parts[2]) - 1, Number(parts[3])];
  const date = new Date(Date.UTC(year, month, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month && date.getUTCDate() === day;
}

function isWebUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
