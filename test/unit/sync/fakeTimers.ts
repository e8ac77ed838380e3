// A fake clock for the scheduler: timers fire in time order as the test advances the clock, and
// the promise callbacks they cause run before the next timer fires.
import type { Timers } from '../../../src/host/sync/scheduler';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
}

export class FakeTimers implements Timers {
  private t: number;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(start: number) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.t + Math.max(0, ms), seq: id, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Resolves after `ms` of fake time. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  /** Moves the clock to now + ms, firing every timer due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (;;) {
      let next: Pending | undefined;
      for (const p of this.pending.values()) if (p.at <= end && (!next || p.at < next.at || (p.at === next.at && p.seq < next.seq))) next = p;
      if (!next) break;
      this.pending.delete(next.seq);
      this.t = next.at;
      next.fn();
      await settle();
    }
    this.t = end;
  }
}

/** Lets every queued promise callback run (a few turns of the macrotask queue). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
