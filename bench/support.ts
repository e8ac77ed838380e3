// What the benchmarks share: the figure line format, the median, and the bundles they run.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
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

/** Runs a benchmark's main; a failure prints its stack and exits 1. */
export function runBench(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
