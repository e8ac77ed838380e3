/**
 * A page's columns as a few compact query parameters. pg sends every parameter as text and writes
 * an array of n byte strings element by element (hex, then quoted and escaped), which cost the
 * service more CPU per page than the page's COPY; one byte string of n fixed-width keys, and number
 * arrays written as one literal, cost a fraction of it and PostgreSQL reads them back by position.
 */
/** Bytes of a row key (idHash). */
export const KEY_BYTES = 16;

/** n keys of KEY_BYTES each, end to end: key o (1-based) is `keyAt(p, o)`. */
export function keysParam(keys: readonly Buffer[]): Buffer {
  for (const k of keys) if (k.length !== KEY_BYTES) throw new RangeError(`a key is ${k.length} bytes, not ${KEY_BYTES}`);
  return Buffer.concat(keys as Buffer[]);
}

/** A number as PostgreSQL's float8, int and bigint input read it back exactly: shortest round-trip digits; NaN, ±Infinity and -0 by name. */
export function numberText(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}

/** An array literal of numbers, each as JavaScript writes it (NaN, Infinity and -0 included): exact for float8, int and bigint. */
export function numbersParam(ns: readonly number[]): string {
  let out = '{';
  for (let i = 0; i < ns.length; i++) {
    out += `${i > 0 ? ',' : ''}${numberText(ns[i]!)}`;
  }
  return `${out}}`;
}

/** SQL: key `o` (1-based) of a keysParam parameter. */
export function keyAt(param: string, o: string): string {
  return `substring(${param} FROM ${o} * ${KEY_BYTES} - ${KEY_BYTES - 1} FOR ${KEY_BYTES})`;
}
