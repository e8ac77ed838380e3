// Counters for /_sim/stats: requests per path, injected faults per kind, errcodes replied.

export interface SimStats {
  requests: Record<string, number>;
  faults: Record<string, number>;
  errcodes: Record<string, number>;
  messages: number;
  now: number;
}

export class StatsCounter {
  private readonly requests = new Map<string, number>();
  private readonly faults = new Map<string, number>();
  private readonly errcodes = new Map<string, number>();

  /** Counts a request and returns its 1-based call number for this path. */
  request(path: string): number {
    const n = (this.requests.get(path) ?? 0) + 1;
    this.requests.set(path, n);
    return n;
  }

  fault(kind: string): void {
    this.faults.set(kind, (this.faults.get(kind) ?? 0) + 1);
  }

  errcode(code: number): void {
    const k = String(code);
    this.errcodes.set(k, (this.errcodes.get(k) ?? 0) + 1);
  }

  snapshot(messages: number, now: number): SimStats {
    return {
      requests: Object.fromEntries(this.requests),
      faults: Object.fromEntries(this.faults),
      errcodes: Object.fromEntries(this.errcodes),
      messages,
      now,
    };
  }
}
