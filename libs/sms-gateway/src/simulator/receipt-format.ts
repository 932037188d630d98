import type { DeliveryStatus } from '../sms-gateway.port';

/** `stat:` values of SMPP 3.4 Appendix B. */
const STAT_BY_STATUS: Readonly<Record<DeliveryStatus, string>> = {
  DELIVERED: 'DELIVRD',
  UNDELIVERED: 'UNDELIV',
  EXPIRED: 'EXPIRED',
  REJECTED: 'REJECTD',
  ACCEPTED: 'ACCEPTD',
  ENROUTE: 'ENROUTE',
  UNKNOWN: 'UNKNOWN',
};

/** message_state values (SMPP 3.4, section 5.2.28), sent in the message_state TLV. */
export const MESSAGE_STATE_BY_STATUS: Readonly<Record<DeliveryStatus, number>> = {
  ENROUTE: 1,
  DELIVERED: 2,
  EXPIRED: 3,
  UNDELIVERED: 5,
  ACCEPTED: 6,
  UNKNOWN: 7,
  REJECTED: 8,
};

/** `err:` values are network specific; these are the simulator's own, non-zero for every failure. */
const ERROR_BY_STATUS: Readonly<Record<DeliveryStatus, string>> = {
  DELIVERED: '000',
  ACCEPTED: '000',
  ENROUTE: '000',
  UNDELIVERED: '001',
  EXPIRED: '002',
  REJECTED: '003',
  UNKNOWN: '004',
};

export interface ReceiptFields {
  readonly messageId: string;
  readonly status: DeliveryStatus;
  readonly submittedAt: Date;
  readonly doneAt: Date;
  readonly text: string;
}

/** Formats a receipt text as in SMPP 3.4 Appendix B, with the first 20 characters of the message. */
export function formatReceiptText(fields: ReceiptFields): string {
  const delivered = fields.status === 'DELIVERED' ? '001' : '000';
  return (
    `id:${fields.messageId} sub:001 dlvrd:${delivered} submit date:${formatReceiptDate(fields.submittedAt)} ` +
    `done date:${formatReceiptDate(fields.doneAt)} stat:${STAT_BY_STATUS[fields.status]} ` +
    `err:${ERROR_BY_STATUS[fields.status]} text:${fields.text.slice(0, 20)}`
  );
}

/** Formats `YYMMDDhhmm` in UTC. */
function formatReceiptDate(date: Date): string {
  const twoDigits = (value: number): string => String(value).padStart(2, '0');
  return (
    twoDigits(date.getUTCFullYear() % 100) +
    twoDigits(date.getUTCMonth() + 1) +
    twoDigits(date.getUTCDate()) +
    twoDigits(date.getUTCHours()) +
    twoDigits(date.getUTCMinutes())
  );
}
