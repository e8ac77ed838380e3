// Credentials: corp access tokens, suite access tokens and callback tokens, each with an expiry on
// the simulator clock. Expired tokens are remembered so 42001 (expired) differs from 40014 (unknown).
import { randomBytes } from 'node:crypto';
import type { SimClock } from './clock';

export type TokenState = 'valid' | 'expired' | 'unknown';

/** One kind of token. Like WeCom, asking again while a token is valid returns the same token. */
export class TokenBook {
  private readonly expiry = new Map<string, number>();
  private current: string | undefined;

  constructor(
    private readonly clock: SimClock,
    private readonly ttlSeconds: number,
    private readonly length: number,
  ) {}

  /** The current token (fresh if none is valid) and its remaining lifetime in seconds. */
  issue(): { token: string; expiresIn: number } {
    const now = this.clock.nowMs();
    if (this.current !== undefined) {
      const exp = this.expiry.get(this.current)!;
      if (exp > now) return { token: this.current, expiresIn: Math.max(1, Math.floor((exp - now) / 1000)) };
    }
    return this.mint();
  }

  /** Always a new token (callback tokens: each event carries its own). */
  mint(): { token: string; expiresIn: number } {
    const token = randomBytes(this.length).toString('base64url').slice(0, this.length);
    this.expiry.set(token, this.clock.nowMs() + this.ttlSeconds * 1000);
    this.current = token;
    this.prune();
    return { token, expiresIn: this.ttlSeconds };
  }

  check(token: string): TokenState {
    const exp = this.expiry.get(token);
    if (exp === undefined) return 'unknown';
    return exp > this.clock.nowMs() ? 'valid' : 'expired';
  }

  /** Keeps the map bounded when many callback tokens are minted (benchmarks). */
  private prune(): void {
    if (this.expiry.size < 10_000) return;
    const horizon = this.clock.nowMs() - 86_400_000;
    for (const [t, exp] of this.expiry) if (exp < horizon) this.expiry.delete(t);
  }
}
