/**
 * Converts a bigint or xid8 column to a number. `pg` returns these as strings and PGlite returns
 * bigint as a number. Values stay exact up to 2^53, far above any revision, sequence or
 * transaction id the store reaches.
 */
export function toNumber(value: string | number): number {
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(number)) {
    throw new Error(`Internal error: column value '${String(value)}' is not an integer below 2^53`);
  }
  return number;
}
