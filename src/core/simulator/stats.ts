// Counters for /_sim/stats: requests per path, injected faults per kind, errcodes replied.

export interface SimStats {
  requests: Record<string, number>;
  faults: Record<string, number>;
  errcodes: Record<string, number>;
  /** sync_msg calls by the callback token they carried: valid, expired/unknown, or none. */
  syncTokens: { valid: number; invalid: number; none: number };
  messages: number;
  now: number;
}

export class StatsCounter {
  private readonly requests = new Map<string, number>();
  private readonly faults = new Map<string, number>();
  private readonly errcodes = new Map<string, number>();
  private readonly syncTokens = { valid: 0, invalid: 0, none: 0 };

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

  syncToken(state: 'valid' | 'invalid' | 'none'): void {
    this.syncTokens[state]++;
  }

  snapshot(messages: number, now: number): SimStats {
    return {
      requests: Object.fromEntries(this.requests),
      faults: Object.fromEntries(this.faults),
      errcodes: Object.fromEntries(this.errcodes),
      syncTokens: { ...this.syncTokens },
      messages,
      now,
    };
  }
}
