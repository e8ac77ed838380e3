// Opaque cursors: a kind byte, a few uint32 fields and a truncated HMAC. Tampered cursors and
// cursors from another simulator instance (the key is random per instance) fail verification.
import { createHmac, randomBytes } from 'node:crypto';

const MAC_BYTES = 12;

export class CursorCodec {
  private readonly key = randomBytes(32);

  private mac(data: Buffer): Buffer {
    return createHmac('sha256', this.key).update(data).digest().subarray(0, MAC_BYTES);
  }

  encode(kind: number, fields: readonly number[]): string {
    const data = Buffer.alloc(1 + fields.length * 4);
    data[0] = kind;
    fields.forEach((f, i) => {
      data.writeUInt32BE(f >>> 0, 1 + i * 4);
    });
    return Buffer.concat([data, this.mac(data)]).toString('base64url');
  }

  /** The fields, or undefined when the cursor is not one this codec made for `kind`. */
  decode(kind: number, cursor: string, fieldCount: number): number[] | undefined {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
    const raw = Buffer.from(cursor, 'base64url');
    const dataLen = 1 + fieldCount * 4;
    if (raw.length !== dataLen + MAC_BYTES || raw[0] !== kind) return undefined;
    const data = raw.subarray(0, dataLen);
    if (!this.mac(data).equals(raw.subarray(dataLen))) return undefined;
    const fields: number[] = [];
    for (let i = 0; i < fieldCount; i++) fields.push(data.readUInt32BE(1 + i * 4));
    return fields;
  }
}
