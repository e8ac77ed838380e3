/**
 * The rows of one `COPY … FROM STDIN WITH (FORMAT binary)`, written straight into one buffer as
 * they are made. Binary, because every field goes as it is: text as its UTF-8 bytes, keys as
 * their 16 bytes, numbers as their 8 (NaN, ±Infinity and -0 exact), where the text format had the
 * writer escape and hex-encode each field and PostgreSQL scan, unescape and parse it again
 * (measured: a seventh of the server's COPY time). A row is its field count, then each field's
 * byte length (-1 for NULL) and bytes; the stream has a header and a trailer (`payload`).
 *
 * Text must already be what PostgreSQL accepts (no NUL, no lone surrogate): pass it through
 * toPgText (text.ts) first, as for any other parameter.
 */
const HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
const TRAILER = Buffer.from([0xff, 0xff]);
const TWO_32 = 2 ** 32;

export class CopyRows {
  private buf: Buffer;
  private at = 0;
  /** Where each row ends. */
  private readonly ends: number[] = [];

  constructor(estimateBytes: number) {
    this.buf = Buffer.allocUnsafe(Math.max(1024, estimateBytes));
  }

  get rows(): number {
    return this.ends.length;
  }

  private room(bytes: number): void {
    const need = this.at + bytes;
    if (need <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  /** Starts a row of `fields` fields. */
  row(fields: number): void {
    this.room(2);
    this.at = this.buf.writeInt16BE(fields, this.at);
  }

  /** A text field. */
  text(s: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair, 2 units, is 4).
    this.room(4 + s.length * 3);
    const n = this.buf.write(s, this.at + 4, 'utf8');
    this.buf.writeInt32BE(n, this.at);
    this.at += 4 + n;
  }

  /** A bytea field. */
  bytes(b: Uint8Array): void {
    this.room(4 + b.length);
    this.at = this.buf.writeInt32BE(b.length, this.at);
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  /** An integer field. */
  int4(n: number): void {
    this.room(8);
    this.at = this.buf.writeInt32BE(4, this.at);
    this.at = this.buf.writeInt32BE(n, this.at);
  }

  /** A bigint field: a safe integer, 0 or more. */
  int8(n: number): void {
    if (!(Number.isSafeInteger(n) && n >= 0)) throw new RangeError(`a bigint field takes a safe integer of 0 or more, not ${n}`);
    this.room(12);
    this.at = this.buf.writeInt32BE(8, this.at);
    this.at = this.buf.writeUInt32BE(Math.floor(n / TWO_32), this.at);
    this.at = this.buf.writeUInt32BE(n % TWO_32, this.at);
  }

  /** A float8 field: any JS number, exactly. */
  float8(n: number): void {
    this.room(12);
    this.at = this.buf.writeInt32BE(8, this.at);
    this.at = this.buf.writeDoubleBE(n, this.at);
  }

  /** A NULL field. */
  nul(): void {
    this.room(4);
    this.at = this.buf.writeInt32BE(-1, this.at);
  }

  /** Ends the current row. */
  endRow(): void {
    this.ends.push(this.at);
  }

  /** The COPY stream of the rows `keep` keeps (all without it), header and trailer included, in parts (not copied into one). */
  payload(keep?: (row: number) => boolean): Buffer[] {
    return CopyRows.stream([{ rows: this, keep }]);
  }

  /** One COPY stream of several sets of rows, in order, each filtered by its `keep` (all without it); in parts. */
  static stream(sets: ReadonlyArray<{ rows: CopyRows; keep?: ((row: number) => boolean) | undefined }>): Buffer[] {
    const parts: Buffer[] = [HEADER];
    for (const { rows, keep } of sets) rows.body(parts, keep);
    parts.push(TRAILER);
    return parts;
  }

  private body(parts: Buffer[], keep: ((row: number) => boolean) | undefined): void {
    if (!keep) {
      if (this.at > 0) parts.push(this.buf.subarray(0, this.at));
      return;
    }
    let start = 0;
    for (let r = 0; r < this.ends.length; r++) {
      const end = this.ends[r]!;
      if (keep(r)) parts.push(this.buf.subarray(start, end));
      start = end;
    }
  }
}
