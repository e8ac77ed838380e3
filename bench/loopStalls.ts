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
 * A third cause is the machine itself stopping: this VM's host throttles it, and for 12-22 ms
 * nothing in it runs (no scheduler event on any CPU; the pauses end on a 100 ms grid), or it stops
 * one of its virtual CPUs only. The guest cannot see either (no steal time): a thread on a stopped
 * CPU looks as if it ran, or as if it slept, so a late tick looks like the thread's own. Measured:
 * a process that only ticks, pinned to CPU 0 beside two busy ones, had late ticks of up to 21.6 ms
 * that were neither CPU wait nor its own work; a witness pinned to CPU 0 was late at the same
 * moments. So a witness process per CPU (see Witness), pinned to it, notes when it was late without
 * waiting for a CPU; the part of a tick's delay that falls in a stop of the CPU the thread was on
 * (before or after the tick) is the machine's. `own` = delay minus the longer of the CPU wait and
 * the stop. Work of the thread itself never counts as a stop: the witness on its CPU, first in
 * line, runs every millisecond beside it.
 *
 * `own` is conservative: a late tick in which the thread neither ran nor waited for a CPU, and the
 * witness ran, still counts whole. Such ticks come from locks shared with the other threads:
 * `perf record -e sched:sched_switch --call-graph dwarf` on the main thread shows it asleep
 * mostly in MessagePort::OnMessage on the port's mutex (Node's AddToIncomingQueue wakes the
 * receiver while holding it, so a sending thread preempted there holds up the receiver until it
 * runs again), in V8's platform task queue, and in worker starts and joins.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { availableParallelism, loadavg, setPriority } from 'node:os';
import { collectGarbage, print, statFields } from './support';

const TICK_MS = 1;

/** A figure read from /proc on each call, and the files to close when sampling ends. */
interface ProcReader<T> {
  read(): T;
  close(): void;
}

/** A /proc file opened once, its text read again from its start on each call. */
function openProc(path: string, size: number): ProcReader<string> | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  const buf = Buffer.alloc(size);
  return { read: () => buf.toString('latin1', 0, readSync(fd, buf, 0, buf.length, 0)), close: () => closeSync(fd) };
}

/** The CPU this thread last ran on (/proc/thread-self/stat, field 39), or -1 when unknown. */
function cpuReader(): ProcReader<number> {
  const stat = openProc('/proc/thread-self/stat', 1024);
  return {
    read: () => {
      const cpu = stat ? Number(statFields(stat.read())[36]) : Number.NaN;
      return Number.isInteger(cpu) ? cpu : -1;
    },
    close: () => stat?.close(),
  };
}

/** Whether `taskset` can pin a process here (util-linux; Linux only). */
function canPin(): boolean {
  return spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' }).status === 0;
}

/** The main thread's run-queue wait so far (ms), or undefined off Linux. */
function runQueueReader(): ProcReader<number> | undefined {
  // Opened on the main thread: thread-self names this thread, and the fd keeps naming it.
  const schedstat = openProc('/proc/thread-self/schedstat', 128);
  if (!schedstat) return undefined;
  const read = (): number => Number(schedstat.read().split(' ')[1]) / 1e6;
  try {
    if (!Number.isFinite(read())) throw new Error('schedstat without a run-queue field');
  } catch {
    schedstat.close();
    return undefined;
  }
  return { read, close: () => schedstat.close() };
}

/**
 * The CPU time so far (ms) of the kernel's memory-access monitor (DAMON's `kdamond` threads), or
 * undefined where none runs. On this VM one samples physical memory every 500 ms with a `pageout`
 * scheme, running ~7-9 ms each time. Measured: 47 of 65 "own" stalls over 8 ms in one bench
 * overlapped a kdamond run, where chance would give 7 %. How it holds the thread up is inferred,
 * not measured: its page walks reach into this process's pages, and what they cost an interrupted
 * thread (TLB-flush IPIs) is charged to that thread as its own, which no witness can see.
 */
function kernelScannerReader(): ProcReader<number> | undefined {
  const files: ProcReader<string>[] = [];
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (!readFileSync(`/proc/${pid}/comm`, 'latin1').startsWith('kdamond')) continue;
      } catch {
        continue; // Gone meanwhile, or not ours to read.
      }
      const schedstat = openProc(`/proc/${pid}/schedstat`, 128);
      if (schedstat) files.push(schedstat);
    }
  } catch {
    // No /proc to list.
  }
  if (files.length === 0) return undefined;
  return {
    read: () => files.reduce((ms, f) => ms + Number(f.read().split(' ')[0]) / 1e6, 0),
    close: () => {
      for (const f of files) f.close();
    },
  };
}

export interface StallFigures {
  ownMax: number;
  /** The longest `own` stall among ticks during which no kernel memory scanner ran; undefined where none runs. */
  ownMaxScannerQuiet: number | undefined;
  ownP99: number;
  delayMax: number;
  delayP99: number;
  /** Total time the thread waited for a CPU while monitored. */
  cpuWaitMs: number;
  /** Total time the witnesses saw a CPU of the machine stopped while monitored (summed over CPUs), and how many times. */
  pausedMs: number;
  pauses: number;
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

/** CLOCK_MONOTONIC in ms: the same clock in this process and in the witness. */
function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** [due, woke, ms unexplained]: a tick of the witness that was late and not for want of a CPU. */
type Pause = [number, number, number];

/** A witness's late tick counts as a pause from this long: a timer's ordinary slack stays out. */
const PAUSE_MIN_MS = 2;

/**
 * A witness: a process of its own, at the highest priority, pinned to one CPU, that only ticks
 * every millisecond and notes each tick that came late although it was not waiting for a CPU. It
 * shares no lock, heap or address space with this process, so nothing the product does can hold
 * it up: when it and the main thread are late together on its CPU, that CPU itself stopped. On
 * this VM that happens when the host throttles it: `perf record -a -e 'sched:*'` logs no event on
 * any CPU for 12-22 ms, and the pauses end on a 100 ms grid (the host's quota period).
 */
const WITNESS = `
const fs = require('node:fs');
const fd = fs.openSync('/proc/thread-self/schedstat', 'r');
const buf = Buffer.alloc(128);
const waited = () => Number(buf.toString('latin1', 0, fs.readSync(fd, buf, 0, buf.length, 0)).split(' ')[1]) / 1e6;
const mono = () => Number(process.hrtime.bigint()) / 1e6;
let last = mono();
let lastWait = waited();
const pauses = [];
const timer = setInterval(() => {
  const now = mono();
  const wait = waited();
  const late = now - last - ${TICK_MS};
  const unexplained = late - (wait - lastWait);
  if (unexplained >= ${PAUSE_MIN_MS}) pauses.push([last + ${TICK_MS}, now, unexplained]);
  last = now;
  lastWait = wait;
}, ${TICK_MS});
process.stdin.on('end', () => {
  clearInterval(timer);
  process.stdout.write(JSON.stringify(pauses));
});
process.stdin.resume();
`;

class Witness {
  private readonly child: ChildProcess;
  private readonly output: Promise<Pause[]>;

  /** `cpu`: the CPU to pin it to (taskset execs node, so the pid is the witness's own); none: unpinned. */
  constructor(readonly cpu?: number) {
    const node = [process.execPath, '-e', WITNESS];
    const [command, ...args] = cpu === undefined ? node : ['taskset', '-c', String(cpu), ...node];
    this.child = spawn(command!, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      // First in line for a CPU, so it is late only when the machine was stopped (a waiting witness
      // would see a pause as run-queue time). Its ticks cost ~4 % of one core (0.4 s of CPU in 9 s).
      if (this.child.pid) setPriority(this.child.pid, -20);
    } catch {
      // Not allowed: at normal priority it misses the pauses that find it waiting for a CPU.
    }
    let text = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
    });
    this.output = new Promise<Pause[]>((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(text || '[]') as Pause[]) : reject(new Error(`the stall witness exited (${code})`))));
    });
  }

  stop(): Promise<Pause[]> {
    this.child.stdin!.end();
    return this.output;
  }
}

/** How much of the window [from, to] the pauses cover (each at most its unexplained ms). */
function pausedWithin(pauses: readonly Pause[], from: number, to: number): number {
  let sum = 0;
  for (const [due, woke, ms] of pauses) {
    const overlap = Math.min(to, woke) - Math.max(from, due);
    if (overlap > 0) sum += Math.min(overlap, ms);
  }
  return sum;
}

/** Samples from start() to stop(). */
export class LoopStalls {
  private readonly waited = runQueueReader();
  private readonly cpuOf = cpuReader();
  private readonly scanner = kernelScannerReader();
  private timer: NodeJS.Timeout | undefined;
  /** One per CPU, pinned; or one unpinned where taskset is missing (it then sees whole-machine stops only). */
  private witnesses: Witness[] = [];
  /**
   * Each tick: when it was due, when it ran, how long the thread waited for a CPU meanwhile, the
   * CPUs it ran on before and after, and whether a kernel memory scanner ran meanwhile.
   */
  private readonly late: Array<[number, number, number, number, number, boolean]> = [];
  private readonly delay: number[] = [];
  private cpuWaitMs = 0;

  /** Starts sampling, after a full collection (collectGarbage): the window starts with no garbage of the bench's. */
  start(): void {
    collectGarbage();
    // Without /proc the witness cannot tell its own waits from a pause: no witness, nothing subtracted.
    if (this.waited) {
      const pinned = this.cpuOf.read() >= 0 && canPin();
      this.witnesses = pinned ? Array.from({ length: availableParallelism() }, (_, cpu) => new Witness(cpu)) : [new Witness()];
    }
    let last = monoMs();
    let lastWait = this.waited?.read() ?? 0;
    let lastCpu = this.cpuOf.read();
    let lastScan = this.scanner?.read() ?? 0;
    this.timer = setInterval(() => {
      const now = monoMs();
      const scan = this.scanner?.read() ?? 0;
      const wait = this.waited?.read() ?? 0;
      const cpu = this.cpuOf.read();
      const late = Math.max(0, now - last - TICK_MS);
      this.delay.push(late);
      this.late.push([last + TICK_MS, now, Math.min(late, wait - lastWait), lastCpu, cpu, scan > lastScan]);
      this.cpuWaitMs += wait - lastWait;
      last = now;
      lastWait = wait;
      lastCpu = cpu;
      lastScan = scan;
    }, TICK_MS);
  }

  /** Ends sampling and closes its /proc files: a monitor is used once. */
  async stop(): Promise<StallFigures> {
    clearInterval(this.timer);
    for (const reader of [this.waited, this.cpuOf, this.scanner]) reader?.close();
    const seen = await Promise.all(this.witnesses.map(async (w) => ({ cpu: w.cpu, pauses: await w.stop() })));
    /** The stops of the CPU(s) a tick's thread was on: the pinned witness of each, or the one unpinned. */
    const stopsOn = (cpus: number[]): Pause[][] => seen.filter((w) => w.cpu === undefined || cpus.includes(w.cpu)).map((w) => w.pauses);
    // A late tick less the longer of its CPU wait and the stop of its CPU: the two may overlap
    // (a thread ready to run when the machine stopped), so only one of them is taken off.
    const own = this.late.map(([due, ran, waiting, before, after]) => {
      const stopped = Math.max(0, ...stopsOn([before, after]).map((p) => pausedWithin(p, due, ran)));
      return Math.max(0, ran - due - Math.max(waiting, stopped));
    });
    const first = this.late[0]?.[0] ?? 0;
    const last = this.late.at(-1)?.[1] ?? 0;
    const inside = seen.flatMap((w) => w.pauses).filter(([due, woke]) => woke > first && due < last);
    return {
      ownMax: max(own),
      ownMaxScannerQuiet: this.scanner ? max(own.filter((_, i) => !this.late[i]?.[5])) : undefined,
      ownP99: percentile(own, 99),
      delayMax: max(this.delay),
      delayP99: percentile(this.delay, 99),
      cpuWaitMs: this.cpuWaitMs,
      pausedMs: inside.reduce((sum, p) => sum + p[2], 0),
      pauses: inside.length,
      split: this.waited !== undefined,
    };
  }
}

/** The machine's load (1-minute average) and core count: every stall and ratio depends on them. */
export function printLoad(when: string): void {
  print(`machine.load_1m_${when}`, loadavg()[0]!, 'runnable tasks');
}
