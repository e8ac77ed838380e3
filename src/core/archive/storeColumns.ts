/** Column encodings the store's write and read paths agree on. */

/** The one row of `lease` that guards syncing this archive. */
export const LEASE = 'sync';

export const KIND_GROUP = 1;
export const KIND_SINGLE = 2;

/**
 * The send_time kept in the index columns. The message's text keeps the value as sent; the
 * columns only order and page. node:sqlite stores an integer beyond 2^53 (and below 2^63) as one it
 * cannot read back, so those are held at ±(2^53 − 1): same order, and every read answers.
 */
export function indexTime(t: number): number {
  if (Number.isSafeInteger(t) || !Number.isInteger(t) || Math.abs(t) >= 2 ** 63) return t;
  return Math.sign(t) * Number.MAX_SAFE_INTEGER;
}

export function typeBit(type: number): number {
  return type >= 0 && type < 31 ? 1 << type : 0;
}
