// Opaque, unique msgids derived from (seed, index): 32 hex characters. The first 8 are a keyed
// permutation of the index, so a msgid maps back to its message without an index-sized Map.
import { hash2 } from './prng';

function round(x: number, key: number): number {
  return hash2(x, key) & 0xffff;
}

export class MsgIdCodec {
  private readonly keys: readonly number[];

  constructor(private readonly seed: number) {
    this.keys = [1, 2, 3, 4].map((r) => hash2(seed, 0x51d0 + r));
  }

  private permute(index: number): number {
    let l = index >>> 16;
    let r = index & 0xffff;
    for (const k of this.keys) {
      const next = l ^ round(r, k);
      l = r;
      r = next;
    }
    return ((l << 16) | r) >>> 0;
  }

  private unpermute(value: number): number {
    let l = value >>> 16;
    let r = value & 0xffff;
    for (let i = this.keys.length - 1; i >= 0; i--) {
      const prev = r ^ round(l, this.keys[i]!);
      r = l;
      l = prev;
    }
    return ((l << 16) | r) >>> 0;
  }

  encode(index: number): string {
    const h1 = hash2(this.seed ^ 0x6d736731, index);
    const h2 = hash2(this.seed ^ 0x6d736732, index);
    const h3 = hash2(this.seed ^ 0x6d736733, index);
    return hex8(this.permute(index)) + hex8(h1) + hex8(h2) + hex8(h3);
  }

  /** The message index for a msgid, or -1 when the msgid was not made by this codec. */
  decode(msgid: string): number {
    if (msgid.length !== 32 || !/^[0-9a-f]{32}$/.test(msgid)) return -1;
    const index = this.unpermute(Number.parseInt(msgid.slice(0, 8), 16));
    return this.encode(index) === msgid ? index : -1;
  }
}

/** Byte → two hex digits; table lookups are much faster than toString(16).padStart on hot paths. */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex8(n: number): string {
  return HEX[n >>> 24]! + HEX[(n >>> 16) & 255]! + HEX[(n >>> 8) & 255]! + HEX[n & 255]!;
}
