// What the benchmarks share: the figure line format, the median, and the bundles they run.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';

/** One figure: `name: value unit`. */
export function print(name: string, value: number, unit: string): void {
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 3 : 1);
  process.stdout.write(`${name}: ${shown} ${unit}\n`);
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface GcOptions {
  type: 'major';
  execution: 'sync';
  /** Also hands the heap's pooled pages back to the system (V8's "last resort" collection). */
  flavor: 'last-resort';
}

let gc: ((options: GcOptions) => void) | undefined;

/**
 * A full garbage collection, now. A monitored pass starts with it (LoopStalls.start), so what
 * ran on this thread before it (the bench's own setup and figures) is not collected during the
 * product's pass, as a stall of the product's. The pages the heap grew to are handed back too:
 * else a later collection in the pass unmaps them (14 ms of munmap in one traced stall).
 */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as (options: GcOptions) => void;
  }
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

/** The repository root, seen from a built benchmark (out/bench/*.js). */
export function repoRoot(): string {
  return join(__dirname, '..', '..');
}

/** The archive worker, the sync thread and the simulator CLI, bundled into `dir`. */
export async function bundle(dir: string): Promise<{ worker: string; syncWorker: string; simulator: string; server: string }> {
  await build({
    absWorkingDir: repoRoot(),
    entryPoints: {
      'archive-worker': 'src/core/archive/worker.ts',
      'sync-worker': 'src/core/archive/syncWorker.ts',
      simulator: 'src/core/simulator/cli.ts',
      // The service as it ships: one file.
      server: 'src/server/main.ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['pg-native'],
    outdir: dir,
    logLevel: 'error',
  });
  return { worker: join(dir, 'archive-worker.js'), syncWorker: join(dir, 'sync-worker.js'), simulator: join(dir, 'simulator.js'), server: join(dir, 'server.js') };
}

/** The simulator CLI on 127.0.0.1 with `args`, and the JSON its first stdout line describes it with. */
export async function spawnSimulator<T>(cli: string, args: string[]): Promise<{ child: ChildProcess; info: T }> {
  const child = spawn(process.execPath, [cli, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`simulator exited (${code})`)));
  });
  return { child, info: JSON.parse(line) as T };
}

/** The functions a bench runs in its floor process (see FloorProcess), by name; their arguments cross as IPC data. */
export type Floors = Record<string, (...args: never[]) => Promise<unknown>>;

const FLOOR_ROLE = 'BENCH_FLOOR_PROCESS';

type FloorReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/**
 * The fields of a /proc/…/stat line after the command name (which may hold spaces and parentheses):
 * index 0 is field 3 (state), so field n is at n - 3 (utime 14 at 11, processor 39 at 36).
 */
export function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** CPU ms of a process so far (Linux: utime + stime, in clock ticks of 10 ms). */
export function processCpuMs(pid: number): number {
  try {
    const f = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
}

/**
 * A child process of the bench, the same bundle, that runs its floors. A floor allocates a
 * page text and its parse per page on the thread it runs on; in a process of its own it neither
 * leaves that garbage in the product's heap (to be collected during the product's pass) nor runs in
 * a heap the product's pass shrank or grew. Its JIT warms with its first floor, as before.
 */
export class FloorProcess {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private nextId = 1;

  constructor() {
    this.child = fork(process.argv[1]!, process.argv.slice(2), { env: { ...process.env, [FLOOR_ROLE]: '1' }, serialization: 'advanced' });
    this.child.on('message', (reply: FloorReply) => {
      const call = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.ok) call?.resolve(reply.value);
      else call?.reject(new Error(`floor process: ${reply.error}`));
    });
    this.child.on('exit', (code) => {
      for (const call of this.waiting.values()) call.reject(new Error(`the floor process exited (${code})`));
      this.waiting.clear();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  run<T>(name: string, ...args: unknown[]): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, name, args });
    });
  }

  stop(): void {
    this.child.disconnect();
  }
}

/** The floor process's side: runs the named floor for each request until the bench disconnects. */
function serveFloors(floors: Floors): void {
  process.on('message', (request: { id: number; name: string; args: unknown[] }) => {
    const floor = floors[request.name];
    const reply = (r: FloorReply): void => void process.send?.(r);
    if (!floor) {
      reply({ id: request.id, ok: false, error: `no floor named ${request.name}` });
      return;
    }
    (floor as (...args: unknown[]) => Promise<unknown>)(...request.args).then(
      (value) => reply({ id: request.id, ok: true, value }),
      (error: unknown) => reply({ id: request.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}

/** Runs a bench's main (a failure prints its stack and exits 1), or, in its floor process, serves its floors. */
export function runBench(main: () => Promise<void>, floors: Floors = {}): void {
  if (process.env[FLOOR_ROLE] === '1') {
    serveFloors(floors);
    return;
  }
  main().catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
