/**
 * Many corps benchmark. Prints one `name: value unit` line per figure.
 *
 *   sync.corps.ratio_vs_floor     20 corps × 20k messages (5k with --quick) behind 30 ms of
 *                                 simulated latency per request: the product's scheduler at its
 *                                 default concurrency (sync engine, SQLite archive per corp) ÷ a bare
 *                                 undici loop running the same 20 cursor chains at the same
 *                                 concurrency, same simulator, same run. Goal <= 1.10.
 *   sync.corps.cpu_ms             CPU of the scheduler's pass, every thread and the simulator's
 *                                 process; sync.corps.cores_busy: that ÷ its wall time, beside
 *                                 the floor's: how much the machine's cores, not the network,
 *                                 set the pace.
 *   sync.corps.max_loop_stall_ms  longest event-loop stall of this (host) process's main thread
 *                                 during the scheduler's runs, less the time it waited for a CPU
 *                                 or the CPU it was on was stopped (loopStalls.ts). Goal < 20.
 *                                 sync.corps.max_loop_delay_ms: the same stall whole, with
 *                                 machine.load_1m_* beside it.
 *   sync.corps.max_loop_stall_scanner_quiet_ms  where the kernel's memory monitor (DAMON) runs:
 *                                 the same stall, over the ticks in which it did not run.
 *   sync.corps.floor_max_loop_stall_ms  the same monitor during the floor's passes, when this
 *                                 thread does nothing but tick: the stalls the machine gives while
 *                                 the product is idle, a control for the figure above.
 *   sync.corps.rss_mb             this process's resident memory at the end of a pass, its 20
 *                                 archives still open (as the extension keeps them), beside the
 *                                 figure before the first: what 20 corps cost the extension host.
 *
 * The simulator (one process, 20 corps) runs in a child process so it does not share this event
 * loop, and so does the floor (FloorProcess). Floor and product alternate, RUNS times each; the medians are compared. The engines run
 * as the extension runs them, on the sync thread (--in-process: on this thread, as before #18).
 */
import type { ChildProcess, } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { type Archive, openArchive } from '../src/core/archive/archive';
import { OffThreadSyncEngine } from '../src/core/archive/syncThread';
import { DEFAULT_CONCURRENCY, SyncScheduler } from '../src/host/sync/scheduler';
import { demoTokenSource } from '../src/core/wecom/tokens';
import { LoopStalls, printLoad } from './loopStalls';
import { bundle, FloorProcess, median, print, processCpuMs, runBench, spawnSimulator } from './support';

const QUICK = process.argv.includes('--quick');
const CORPS = 20;
const MESSAGES = QUICK ? 5_000 : 20_000;
const LATENCY_MS = 30;
const LIMIT = 1000;
const RUNS = 5;
const IN_PROCESS = process.argv.includes('--in-process');

interface Corp {
  corpid: string;
  token: string;
}

async function startSimulatorProcess(cli: string): Promise<{ child: ChildProcess; url: string; corps: Corp[] }> {
  // 2.9 days: every message lies inside sync_msg's 3-day first-sync window.
  const args = ['--messages', String(MESSAGES), '--days', '2.9', '--no-token-limit', '100000000', '--corps', String(CORPS), '--latency-ms', String(LATENCY_MS)];
  const { child, info } = await spawnSimulator<{ url: string }>(cli, args);
  const { url } = info;
  const list = (await (await fetch(`${url}/_sim/corps`)).json()) as { corps: { corpid: string; token_service_url: string }[] };
  const corps: Corp[] = [];
  for (const c of list.corps) {
    const t = (await (await fetch(c.token_service_url)).json()) as { access_token: string };
    corps.push({ corpid: c.corpid, token: t.access_token });
  }
  return { child, url, corps };
}

/** One corp's cursor chain with nothing but undici and JSON.parse. */
async function bareChain(agent: Agent, url: string, token: string): Promise<number> {
  const target = `${url}/cgi-bin/chatdata/sync_msg?access_token=${encodeURIComponent(token)}`;
  let cursor: string | undefined;
  let messages = 0;
  const post = async (body: string, retried = false): Promise<string> => {
    try {
      const res = await request(target, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' }, body });
      return await res.body.text();
    } catch (error) {
      // A keep-alive socket the server closed just as it was reused: once more, as the product's client does.
      if (retried || (error as { code?: string }).code !== 'ECONNRESET') throw error;
      return post(body, true);
    }
  };
  for (;;) {
    const text = await post(JSON.stringify(cursor ? { cursor, limit: LIMIT } : { limit: LIMIT }));
    const reply = JSON.parse(text) as { errcode: number; has_more: boolean; next_cursor: string; msg_list: unknown[] };
    if (reply.errcode !== 0) throw new Error(`sync_msg errcode ${reply.errcode}`);
    messages += reply.msg_list.length;
    if (!reply.has_more) return messages;
    cursor = reply.next_cursor;
  }
}

/** The floor: the 20 chains, `concurrency` at a time, on one keep-alive agent. Runs in the floor process. */
async function floor(url: string, corps: Corp[], concurrency: number): Promise<{ ms: number; messages: number }> {
  const agent = new Agent({ connections: concurrency * 2, keepAliveTimeout: 30_000 });
  const started = performance.now();
  let next = 0;
  let messages = 0;
  const lane = async () => {
    while (next < corps.length) {
      const n = await bareChain(agent, url, corps[next++]!.token);
      messages += n;
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } finally {
    await agent.close();
  }
  return { ms: performance.now() - started, messages };
}

/** The product: the scheduler's Sync All at its default concurrency, each run a sync engine into its archive. */
async function product(url: string, corps: Corp[], archives: Archive[], syncWorker: string): Promise<{ ms: number; messages: number; stallMs: number; quietStallMs: number | undefined; delayMs: number; pausedMs: number; pauses: number }> {
  let messages = 0;
  let left = corps.length;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const scheduler = new SyncScheduler({
    intervalMs: 0,
    concurrency: DEFAULT_CONCURRENCY,
    run: async (id, release) => {
      const i = Number(id);
      try {
        const engine = new OffThreadSyncEngine(archives[i]!, {
          owner: 'bench',
          limit: LIMIT,
          client: { baseUrl: url },
          tokenSource: demoTokenSource(corps[i]!.token),
          workerPath: syncWorker,
          offThread: !IN_PROCESS,
        });
        const result = await engine.run({ onFetched: release });
        messages += result.inserted;
        return { kind: 'ok' };
      } catch (error) {
        process.stderr.write(`corp ${i}: ${error instanceof Error ? error.message : String(error)}\n`);
        return { kind: 'failed', error };
      } finally {
        if (--left === 0) finish();
      }
    },
  });
  scheduler.setCorps(corps.map((_, i) => ({ id: String(i) })));
  const loop = new LoopStalls();
  loop.start();
  const started = performance.now();
  scheduler.syncAll();
  await done;
  const ms = performance.now() - started;
  const stalls = await loop.stop();
  scheduler.dispose();
  return { ms, messages, stallMs: stalls.ownMax, quietStallMs: stalls.ownMaxScannerQuiet, delayMs: stalls.delayMax, pausedMs: stalls.pausedMs, pauses: stalls.pauses };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'corps-bench-'));
  let sim: ChildProcess | undefined;
  const floorProcess = new FloorProcess();
  try {
    const { worker, syncWorker, simulator } = await bundle(dir);
    const started = await startSimulatorProcess(simulator);
    sim = started.child;
    const { url, corps } = started;
    const floorIn = (): Promise<{ ms: number; messages: number }> => floorProcess.run('floor', url, corps, DEFAULT_CONCURRENCY);
    // Warm both processes' JITs and the simulator's page cache (it encrypts each message's key once,
    // on first read: seconds per corp) before anything is timed.
    await floorIn();

    const floors: number[] = [];
    const products: number[] = [];
    /** CPU ms of each pass, the simulator's included: this process (all its threads) or the floor process. */
    const floorCpu: number[] = [];
    const productCpu: number[] = [];
    const simPid = sim.pid!;
    const floorPid = floorProcess.pid!;
    const stalls: number[] = [];
    const floorStalls: number[] = [];
    const quietStalls: number[] = [];
    const delays: number[] = [];
    let pausedMs = 0;
    let pauses = 0;
    const rssBefore = process.memoryUsage().rss;
    /** Resident memory at the end of each pass, before its archives close. */
    const rssAfter: number[] = [];
    printLoad('start');
    let expected = 0;
    for (let run = 0; run < RUNS; run++) {
      const floorFrom = processCpuMs(floorPid) + processCpuMs(simPid);
      // Under the same stall monitor as the product's pass (its ticks and its witnesses, one per
      // CPU, cost CPU), so both sides carry its cost. Its stalls are a control: this thread only
      // ticks meanwhile (the floor runs in its own process; the product's threads, once started,
      // sit idle), so they are what the machine gives while the product does nothing.
      const floorLoop = new LoopStalls();
      floorLoop.start();
      const f = await floorIn();
      floorStalls.push((await floorLoop.stop()).ownMax);
      floorCpu.push(processCpuMs(floorPid) + processCpuMs(simPid) - floorFrom);
      floors.push(f.ms);
      expected = f.messages;
      // Fresh archives each run, opened before the clock starts (the extension keeps them open).
      const archives = await Promise.all(corps.map((_, i) => openArchive(join(dir, `run${run}-corp${i}.sqlite`), { workerPath: worker })));
      const ownFrom = process.cpuUsage();
      const simFrom = processCpuMs(simPid);
      const p = await product(url, corps, archives, syncWorker);
      const own = process.cpuUsage(ownFrom);
      productCpu.push((own.user + own.system) / 1000 + processCpuMs(simPid) - simFrom);
      rssAfter.push(process.memoryUsage().rss);
      await Promise.all(archives.map((a) => a.close()));
      if (p.messages !== f.messages) throw new Error(`the scheduler synced ${p.messages}, the floor saw ${f.messages}`);
      products.push(p.ms);
      stalls.push(p.stallMs);
      if (p.quietStallMs !== undefined) quietStalls.push(p.quietStallMs);
      delays.push(p.delayMs);
      pausedMs += p.pausedMs;
      pauses += p.pauses;
    }
    print('sync.corps.messages', expected, 'messages');
    print('sync.corps.wall_ms', Math.round(median(products)), 'ms');
    print('sync.corps.floor_wall_ms', Math.round(median(floors)), 'ms');
    print('sync.corps.ratio_vs_floor', median(products) / median(floors), 'x');
    // How busy the machine was: on a machine with few cores, a pass that keeps them all busy
    // waits for a CPU as much as for the network (the simulator shares them).
    print('sync.corps.cpu_ms', Math.round(median(productCpu)), `ms (all threads, the simulator's included; floor ${Math.round(median(floorCpu))} ms)`);
    print('sync.corps.cores_busy', median(productCpu) / median(products), `of ${availableParallelism()} cores (floor ${(median(floorCpu) / median(floors)).toFixed(2)})`);
    print('sync.corps.max_loop_stall_ms', Math.max(...stalls), 'ms (CPU waits and stops of its CPU excluded)');
    // Where the kernel's memory monitor runs (loopStalls.ts), the stall outside its runs beside it.
    if (quietStalls.length > 0) print('sync.corps.max_loop_stall_scanner_quiet_ms', Math.max(...quietStalls), 'ms (the same, ticks during which no kdamond ran)');
    print('sync.corps.floor_max_loop_stall_ms', Math.max(...floorStalls), 'ms (the same monitor while only the floor ran, the product idle)');
    const mb = (bytes: number): number => Math.round(bytes / (1024 * 1024));
    print('sync.corps.rss_mb', mb(Math.max(...rssAfter)), `MB (this process at a pass's end, the most of ${RUNS}, 20 archives open; before the first pass ${mb(rssBefore)} MB)`);
    print('sync.corps.max_loop_delay_ms', Math.max(...delays), 'ms (CPU waits included)');
    print('machine.paused_ms', pausedMs, `ms (the machine's CPUs stopped, ${pauses} times, summed over its CPUs, in the scheduler's runs)`);
    printLoad('end');
  } finally {
    floorProcess.stop();
    sim?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main, { floor });
