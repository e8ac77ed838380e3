/**
 * Event-loop stalls of this (the host's) main thread, split by cause.
 *
 * A timer set every millisecond wakes late when the thread was busy (its own work, GC, a blocking
 * call) or when it was ready to run but no CPU was free. On this 2-core machine the second kind is
 * most of what `monitorEventLoopDelay` reports during a sync: the simulator (a stand-in for a remote
 * server), the other engineers' databases and browsers, and the bench's own threads hold both cores,
 * and the main thread, which ran 0.0-0.5 ms inside a 30-240 ms stall, waits for a turn. Linux counts
 * that wait per thread (/proc/thread-self/schedstat, field 2: time spent runnable on a run queue),
 * so each late tick is split: `own` = delay minus the time spent waiting for a CPU, which is what the
 * product does to the editor's thread; `delay` = the whole delay, as monitorEventLoopDelay measures
 * it, printed beside it with the machine's load. Without /proc, `own` is the whole delay.
 *
 * `own` is conservative: a late tick in which the thread neither ran nor waited for a CPU still
 * counts whole. Under a load of 4-7 on 2 cores such ticks of 10-100 ms appear with 0.0-0.3 ms run;
 * `perf record -e sched:sched_switch --call-graph dwarf` on the main thread shows where it slept:
 * mostly in MessagePort::OnMessage on the port's mutex (Node's AddToIncomingQueue wakes the
 * receiver while holding it, so a sending thread preempted there holds up the receiver until it
 * runs again, whatever its priority: the same with the workers at nice 0), and in worker joins.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { loadavg } from 'node:os';
import { print } from './support';

const TICK_MS = 1;

/** The main thread's run-queue wait so far (ms), or undefined off Linux. */
function runQueueReader(): (() => number) | undefined {
  let fd: number;
  try {
    // Opened on the main thread: thread-self names this thread, and the fd keeps naming it.
    fd = openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return undefined;
  }
  const buf = Buffer.alloc(128);
  const read = (): number => {
    const n = readSync(fd, buf, 0, buf.length, 0);
    return Number(buf.toString('latin1', 0, n).split(' ')[1]) / 1e6;
  };
  try {
    if (!Number.isFinite(read())) throw new Error('schedstat without a run-queue field');
  } catch {
    closeSync(fd);
    return undefined;
  }
  return read;
}

export interface StallFigures {
  ownMax: number;
  ownP99: number;
  delayMax: number;
  delayP99: number;
  /** Total time the thread waited for a CPU while monitored. */
  cpuWaitMs: number;
  /** Whether `own` excludes CPU waiting (Linux), or is the whole delay. */
  split: boolean;
}

function max(values: number[]): number {
  let m = 0;
  for (const v of values) if (v > m) m = v;
  return m;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Samples from start() to stop(). */
export class LoopStalls {
  private readonly waited = runQueueReader();
  private timer: NodeJS.Timeout | undefined;
  private readonly own: number[] = [];
  private readonly delay: number[] = [];
  private cpuWaitMs = 0;

  start(): void {
    let last = performance.now();
    let lastWait = this.waited?.() ?? 0;
    this.timer = setInterval(() => {
      const now = performance.now();
      const wait = this.waited?.() ?? 0;
      const late = Math.max(0, now - last - TICK_MS);
      const waiting = Math.min(late, wait - lastWait);
      this.delay.push(late);
      this.own.push(late - waiting);
      this.cpuWaitMs += wait - lastWait;
      last = now;
      lastWait = wait;
    }, TICK_MS);
  }

  stop(): StallFigures {
    clearInterval(this.timer);
    return {
      ownMax: max(this.own),
      ownP99: percentile(this.own, 99),
      delayMax: max(this.delay),
      delayP99: percentile(this.delay, 99),
      cpuWaitMs: this.cpuWaitMs,
      split: this.waited !== undefined,
    };
  }
}

/** The machine's load (1-minute average) and core count: every stall and ratio depends on them. */
export function printLoad(when: string): void {
  print(`machine.load_1m_${when}`, loadavg()[0]!, 'runnable tasks');
}
