/**
 * The lines of one COPY, written as UTF-8 straight into one buffer as they are made. A page's
 * rows as strings cost a string per row, a joined copy of them all and its UTF-8 encoding: about a
 * megabyte three times over per page, and most of the writer thread's garbage collection.
 */
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

  /** Appends text that is already COPY text (escaped). */
  add(text: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair, 2 units, is 4).
    const need = this.at + text.length * 3;
    if (need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(bigger, 0, 0, this.at);
      this.buf = bigger;
    }
    this.at += this.buf.write(text, this.at, 'utf8');
  }

  /** Ends the current row (its text ends with the newline). */
  endRow(): void {
    this.ends.push(this.at);
  }

  /** The rows `keep` keeps (all without it), end to end. */
  payload(keep?: (row: number) => boolean): Buffer {
    if (!keep) return this.buf.subarray(0, this.at);
    const parts: Buffer[] = [];
    let start = 0;
    for (let r = 0; r < this.ends.length; r++) {
      const end = this.ends[r]!;
      if (keep(r)) parts.push(this.buf.subarray(start, end));
      start = end;
    }
    return Buffer.concat(parts);
  }
}
