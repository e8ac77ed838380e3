// Columnar message store: a few typed arrays instead of one object per message, so a million
// messages fit in ~14 MB and generate in a second or two. Messages are appended in send-time
// order; the index is the stable tie-breaker for equal send times.

export interface MessageRow {
  sendTime: number;
  conv: number;
  /** Position of the sender inside the conversation's member list. */
  senderPos: number;
  msgtype: number;
  /** Content-table index for searchable types, call duration for 21/22, else 0. */
  extra: number;
}

export class MessageStore {
  private times: Uint32Array;
  private convs: Uint32Array;
  private senders: Uint8Array;
  private types: Uint8Array;
  private extras: Uint32Array;
  private count = 0;

  constructor(capacity = 1024) {
    const c = Math.max(16, capacity);
    this.times = new Uint32Array(c);
    this.convs = new Uint32Array(c);
    this.senders = new Uint8Array(c);
    this.types = new Uint8Array(c);
    this.extras = new Uint32Array(c);
  }

  get length(): number {
    return this.count;
  }

  private grow(): void {
    const c = this.times.length * 2;
    const g32 = (a: Uint32Array): Uint32Array => {
      const n = new Uint32Array(c);
      n.set(a);
      return n;
    };
    const g8 = (a: Uint8Array): Uint8Array => {
      const n = new Uint8Array(c);
      n.set(a);
      return n;
    };
    this.times = g32(this.times);
    this.convs = g32(this.convs);
    this.extras = g32(this.extras);
    this.senders = g8(this.senders);
    this.types = g8(this.types);
  }

  append(row: MessageRow): number {
    if (this.count > 0 && row.sendTime < this.times[this.count - 1]!) {
      throw new RangeError('messages must be appended in send-time order');
    }
    if (this.count === this.times.length) this.grow();
    const i = this.count++;
    this.times[i] = row.sendTime;
    this.convs[i] = row.conv;
    this.senders[i] = row.senderPos;
    this.types[i] = row.msgtype;
    this.extras[i] = row.extra;
    return i;
  }

  sendTime(i: number): number {
    return this.times[i]!;
  }
  conv(i: number): number {
    return this.convs[i]!;
  }
  senderPos(i: number): number {
    return this.senders[i]!;
  }
  msgtype(i: number): number {
    return this.types[i]!;
  }
  extra(i: number): number {
    return this.extras[i]!;
  }

  /** The first index whose send time is >= t (== length when none). */
  firstAtOrAfter(t: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
