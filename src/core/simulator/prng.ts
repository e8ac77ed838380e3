// Deterministic randomness: the simulator must produce the same corp and messages for the same
// seed, so nothing here uses Math.random.

/** mulberry32: tiny, fast, good enough for test data. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Avalanching 32-bit mix (murmur3 finalizer): used to derive stable values from (seed, index). */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combines two 32-bit values into one well-mixed value. */
export function hash2(a: number, b: number): number {
  return mix32((mix32(a) ^ Math.imul(b >>> 0, 0x9e3779b1)) >>> 0);
}

/** Hashes a string to 32 bits (FNV-1a, then mixed): for deriving sub-seeds from labels. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** A sub-stream of randomness for one purpose, so adding a purpose never shifts another's data. */
export function streamFor(seed: number, label: string): () => number {
  return mulberry32(hash2(seed, hashString(label)));
}

export function pickInt(rand: () => number, n: number): number {
  return Math.floor(rand() * n);
}

export function pick<T>(rand: () => number, items: readonly T[]): T {
  const item = items[Math.floor(rand() * items.length)];
  if (item === undefined) throw new Error('pick from empty list');
  return item;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An id shaped like WeCom's (`wo…`, `wm…`, `wr…`, `wb…`): prefix plus base62 characters. */
export function randomId(rand: () => number, prefix: string, length: number): string {
  let s = prefix;
  while (s.length < length) s += ALNUM[Math.floor(rand() * ALNUM.length)];
  return s;
}

/**
 * Weighted choice table: cumulative weights + binary search, O(log n) per draw.
 */
export class WeightedPicker {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(weights: readonly number[]) {
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((w, i) => {
      sum += w;
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  pick(rand: () => number): number {
    const x = rand() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
