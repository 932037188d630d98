import type { TargetStatus } from '@sms/domain';

/** Number of a campaign's targets in each status. */
export interface TargetCounts {
  readonly pending: number;
  readonly inProgress: number;
  readonly sent: number;
  readonly delivered: number;
  readonly undelivered: number;
  readonly failed: number;
  readonly unknown: number;
  readonly cancelled: number;
  readonly expired: number;
  readonly optedOut: number;
}

/** Column of the campaigns table that counts the targets in each status. */
export const COUNT_COLUMNS: Readonly<Record<TargetStatus, string>> = {
  PENDING: 'pending',
  IN_PROGRESS: 'in_progress',
  SENT: 'sent',
  DELIVERED: 'delivered',
  UNDELIVERED: 'undelivered',
  FAILED: 'failed',
  UNKNOWN: 'unknown',
  CANCELLED: 'cancelled',
  EXPIRED: 'expired',
  OPTED_OUT: 'opted_out',
};

export const TARGET_STATUSES = Object.keys(COUNT_COLUMNS) as TargetStatus[];

/** `pending, in_progress, ...` in the order of TARGET_STATUSES. */
export const COUNT_COLUMN_LIST = TARGET_STATUSES.map((status) => COUNT_COLUMNS[status]).join(', ');

export const EMPTY_TARGET_COUNTS: TargetCounts = {
  pending: 0,
  inProgress: 0,
  sent: 0,
  delivered: 0,
  undelivered: 0,
  failed: 0,
  unknown: 0,
  cancelled: 0,
  expired: 0,
  optedOut: 0,
};

export type TargetCountRow = Record<string, number>;

export function toTargetCounts(row: TargetCountRow): TargetCounts {
  return {
    pending: row.pending,
    inProgress: row.in_progress,
    sent: row.sent,
    delivered: row.delivered,
    undelivered: row.undelivered,
    failed: row.failed,
    unknown: row.unknown,
    cancelled: row.cancelled,
    expired: row.expired,
    optedOut: row.opted_out,
  };
}

/** Counts statuses one by one, for states rebuilt from events rather than read from the table. */
export function countStatuses(statuses: Iterable<TargetStatus>): TargetCounts {
  const row: TargetCountRow = Object.fromEntries(TARGET_STATUSES.map((status) => [COUNT_COLUMNS[status], 0]));
  for (const status of statuses) {
    row[COUNT_COLUMNS[status]] += 1;
  }
  return toTargetCounts(row);
}
