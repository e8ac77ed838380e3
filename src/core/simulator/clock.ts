// The simulator's own clock: real time plus an offset that tests advance, so token expiry,
// retention and rate-limit blocks can be exercised without waiting.

export class SimClock {
  private offsetMs: number;
  /** Real time when a frozen clock was started: it then moves only by advance(). */
  private readonly frozenAt: number | undefined;

  constructor(startTime?: number, offsetSeconds = 0, frozen = false) {
    this.offsetMs = startTime === undefined ? offsetSeconds * 1000 : startTime * 1000 - Date.now();
    this.frozenAt = frozen ? Date.now() : undefined;
  }

  /** Milliseconds since the epoch, simulated. */
  nowMs(): number {
    return (this.frozenAt ?? Date.now()) + this.offsetMs;
  }

  /** Unix seconds, simulated (WeCom's send_time unit). */
  now(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  /** Moves the clock forward only: going back would let expired data reappear. */
  advance(seconds: number): number {
    if (!(seconds >= 0)) throw new RangeError('the clock only moves forward');
    this.offsetMs += seconds * 1000;
    return this.now();
  }
}
