/**
 * The integer key that stands in for a msgid in the archive's unique index (schema 2).
 *
 * Why: a unique index on the msgid text grows by ~45 bytes per message and takes every insert to a
 * random place in it; at a million messages it no longer fits the page cache, and keeping it cost
 * about a quarter of the store's time per page. An 8-byte key makes the index about a third of
 * the size. Equal msgids always give equal keys; the rare different msgids that share a key are
 * told apart by the store (the later one is stored without a key and found by its text).
 *
 * The function is part of the file format: it must never change (existing archives hold its
 * values). Pure module.
 */

/** murmur3's 32-bit finalizer: every input bit affects every output bit. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A 53-bit key (a safe integer, so it crosses into SQLite as a plain number). */
export function msgidKey(msgid: string): number {
  // Two independent 32-bit lanes over the UTF-16 code units: FNV-1a, and a multiply-rotate one.
  let a = 0x811c9dc5;
  let b = msgid.length;
  for (let i = 0; i < msgid.length; i++) {
    const c = msgid.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b = (b << 15) | (b >>> 17);
  }
  const low = mix(a ^ Math.imul(b, 0x9e3779b1));
  const high = mix(b ^ a) & 0x1fffff;
  return high * 0x1_0000_0000 + low;
}
