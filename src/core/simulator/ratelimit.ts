// Rate limits on the simulator clock. WeCom publishes 10,000 calls/min per corp per API; sync_msg
// without a callback token gets an unpublished "strict" limit (configurable here). Exceeding a
// limit, or a 45009 from the fault plan, blocks the API for `blockSeconds` (WeCom: a minute-level
// block lasts 60 s) for every caller of that API, token or not.
import type { SimClock } from './clock';
import { ApiError, ErrCode } from './errors';

export interface RateLimitSettings {
  /** Calls per minute per API with a valid token (WeCom's base limit). */
  perMinute: number;
  /** Calls per minute to sync_msg without a valid callback token. */
  noTokenPerMinute: number;
  /** How long an API stays blocked after a 45009, in simulator seconds. */
  blockSeconds: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = { perMinute: 10_000, noTokenPerMinute: 10, blockSeconds: 60 };

/**
 * Sliding one-minute window: the times of the calls within the last minute, oldest first. Memory
 * follows the calls actually made, not the limit (a limit of 10^8 must not allocate 10^8 slots).
 */
class SlidingWindow {
  private times: number[] = [];
  private head = 0;

  constructor(private readonly limit: number) {}

  tryTake(nowMs: number): boolean {
    while (this.head < this.times.length && this.times[this.head]! <= nowMs - 60_000) this.head++;
    // Compact now and then, so the array holds about one minute of calls.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    if (this.times.length - this.head >= Math.max(1, this.limit)) return false;
    this.times.push(nowMs);
    return true;
  }
}

export class RateGuard {
  private readonly windows = new Map<string, SlidingWindow>();
  private readonly blocked = new Map<string, number>();

  constructor(
    private readonly clock: SimClock,
    private readonly settings: RateLimitSettings,
  ) {}

  private window(key: string, limit: number): SlidingWindow {
    let w = this.windows.get(key);
    if (!w) {
      w = new SlidingWindow(limit);
      this.windows.set(key, w);
    }
    return w;
  }

  /** Counts one call to `path`; throws 45009 when blocked or over the limit (and starts a block). */
  admit(path: string, strict: boolean): void {
    const now = this.clock.nowMs();
    const until = this.blocked.get(path);
    if (until !== undefined && until > now) throw new ApiError(ErrCode.rateLimited);
    const base = this.window(path, this.settings.perMinute).tryTake(now);
    const ok = base && (!strict || this.window(`${path}#strict`, this.settings.noTokenPerMinute).tryTake(now));
    if (!ok) {
      this.block(path);
      throw new ApiError(ErrCode.rateLimited);
    }
  }

  block(path: string): void {
    this.blocked.set(path, this.clock.nowMs() + this.settings.blockSeconds * 1000);
  }
}
