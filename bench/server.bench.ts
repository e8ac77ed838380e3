/**
 * The archive service on PostgreSQL (a throwaway cluster, scripts/postgres.mjs). One figure a line.
 *
 *   server.ingest_ratio_vs_copy  N messages of one corp synced by the service (ArchiveService:
 *                                SyncEngine → PgArchive on its writer thread, limit 1000, group commits, the lease) ÷ a
 *                                bare loop that fetches the same pages from the same simulator
 *                                (undici, JSON.parse) and COPYs one row per message (corp, msgid,
 *                                send_time, the message's text) into an index-free table, in a
 *                                process of its own (FloorProcess: its garbage stays out of the
 *                                service's heap). Goal <= 1.5.
 *                                The two alternate PAIRS times; each side's fastest run counts.
 *   server.ingest_cpu_ratio_vs_copy  the same two runs by CPU time (the process that ran it +
 *                                PostgreSQL + the simulator), which other work on a shared machine disturbs far less
 *                                than wall time: the figure to compare builds with on a busy machine.
 *   server.corps_per_core        corps one core keeps within their interval: 20 corps × M messages
 *                                each (M per 5-minute interval) at 30 ms simulated latency, synced
 *                                by one service at concurrency 4; 300 s ÷ (the service process's
 *                                CPU seconds per corp), in the second interval (M new messages
 *                                each), after the first has synced the first M. PostgreSQL's own CPU is not counted (it is
 *                                the database's, shared by every replica); printed beside it.
 *
 * N = 1,000,000 (100,000 with --quick); M = 5,000 (2,000 with --quick). The simulator runs in a
 * child process so it does not share this event loop. --ingest-only skips corps per core;
 * --in-process writes pages on the service's main thread instead of its writer threads.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Agent, request } from 'undici';
import type { ServerConfig } from '../src/server/config';
import { ArchiveService, JsonLog } from '../src/server/service';
import { database, startPostgres } from './postgres';
import { bundle, FloorProcess, print, processCpuMs, runBench, spawnSimulator, statFields } from './support';

const QUICK = process.argv.includes('--quick');
const MESSAGES = QUICK ? 100_000 : 1_000_000;
const PER_CORP = QUICK ? 2_000 : 5_000;
const CORPS = 20;
/** Floor and ingest alternate this many times; each side's fastest run is compared (the first run of each is the slowest: processes and simulator warming up). */
const PAIRS = 3;
const INTERVAL_S = 300;
/** The service default. */
const CONCURRENCY = 4;
/** Pages written on the service's main thread (as before writer threads), for comparison. */
const IN_PROCESS = process.argv.includes('--in-process');

interface SimInfo {
  url: string;
  access_token: string;
  suite_id: string;
  suite_secret: string;
  suite_ticket: string;
}
interface CorpInfo {
  auth_corpid: string;
  permanent_code: string;
}

/**
 * The service syncing `corps` until each has run once, or, with `next`, twice: `next` runs between
 * the rounds (it adds messages) and the service's clock then moves one interval on, so every corp
 * is due again. Wall and CPU time are the last round's: a second round is the service at work,
 * its threads started and warm.
 */
async function runService(
  db: string,
  sim: SimInfo,
  corps: CorpInfo[],
  concurrency: number,
  writerEntry: string,
  next?: () => Promise<void>,
): Promise<{ ms: number; cpuMs: number; inserted: number; failures: number }> {
  const env: NodeJS.ProcessEnv = { B_SUITE_SECRET: sim.suite_secret, B_SUITE_TICKET: sim.suite_ticket };
  corps.forEach((c, i) => {
    env[`B_PC_${i}`] = c.permanent_code;
  });
  const config: ServerConfig = {
    database: { url: db },
    listen: { host: '127.0.0.1', port: 0 },
    concurrency,
    intervalSeconds: INTERVAL_S,
    leaseTtlSeconds: 30,
    pageSize: 1000,
    baseUrl: sim.url,
    suite: { suiteId: sim.suite_id, suiteSecret: { env: 'B_SUITE_SECRET' }, suiteTicket: { env: 'B_SUITE_TICKET' } },
    corps: corps.map((c, i) => ({ corpId: c.auth_corpid, permanentCode: { env: `B_PC_${i}` } })),
  };
  let synced = 0;
  let inserted = 0;
  let failures = 0;
  let done: () => void = () => undefined;
  let finished = new Promise<void>((resolve) => (done = resolve));
  const log = new JsonLog((line) => {
    if (process.env.BENCH_VERBOSE) process.stderr.write(`${line}\n`);
    const entry = JSON.parse(line) as { msg: string; inserted?: number; error?: string };
    if (entry.msg === 'corp synced') {
      inserted += entry.inserted ?? 0;
      if (++synced === corps.length) done();
    } else if (entry.msg === 'corp sync failed') {
      // The service retries a failed corp (backoff); a loaded machine may time a token request out.
      failures++;
      process.stderr.write(`bench: a corp sync failed and is retried: ${entry.error}\n`);
    }
  });
  let skipped = 0;
  // The service as it ships: its bundle is also its writer threads' entry.
  const service = new ArchiveService(config, { env, log, now: () => Date.now() + skipped, ...(IN_PROCESS ? {} : { writerEntry }) });
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  await service.start();
  await finished;
  if (next) {
    await next();
    synced = 0;
    inserted = 0;
    finished = new Promise<void>((resolve) => (done = resolve));
    cpu0 = process.cpuUsage();
    t0 = performance.now();
    skipped += INTERVAL_S * 1000;
    await finished;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await service.stop();
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, inserted, failures };
}

/** The floor: the same pages with undici + JSON.parse, each message's text COPYed as one row. */
async function bareCopy(db: string, sim: SimInfo): Promise<{ ms: number; rows: number }> {
  const client = new Client({ connectionString: db });
  await client.connect();
  await client.query('CREATE TABLE bare (corp_id text, msgid text, send_time float8, raw text)');
  const agent = new Agent({ connections: 2, keepAliveTimeout: 30_000 });
  const target = `${sim.url}/cgi-bin/chatdata/sync_msg?access_token=${encodeURIComponent(sim.access_token)}`;
  const copyText = (s: string): string => s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
  const started = performance.now();
  const stream = client.query(copyFrom('COPY bare (corp_id, msgid, send_time, raw) FROM STDIN'));
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  let cursor: string | undefined;
  let rows = 0;
  try {
    for (;;) {
      const res = await request(target, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ limit: 1000, ...(cursor ? { cursor } : {}) }),
      });
      const page = (await res.body.json()) as { errcode: number; has_more: boolean; next_cursor: string; msg_list: { msgid: string; send_time: number }[] };
      if (page.errcode !== 0) throw new Error(`sync_msg errcode ${page.errcode}`);
      let chunk = '';
      for (const m of page.msg_list) chunk += `corp\t${copyText(m.msgid)}\t${m.send_time}\t${copyText(JSON.stringify(m))}\n`;
      rows += page.msg_list.length;
      if (!stream.write(chunk)) await new Promise((resolve) => stream.once('drain', resolve));
      if (!page.has_more) break;
      cursor = page.next_cursor;
    }
    stream.end();
    await ended;
    return { ms: performance.now() - started, rows };
  } finally {
    await agent.close();
    await client.end();
  }
}

/**
 * Every run starts on the same cluster: the databases of the runs before it dropped, and a
 * checkpoint, so no run pays for writing out the one before it (1 GB of WAL and dirty pages each).
 */
async function cleanSlate(admin: string, drop: string[]): Promise<void> {
  const c = new Client({ connectionString: admin });
  await c.connect();
  try {
    for (const name of drop) await c.query(`DROP DATABASE IF EXISTS ${name}`);
    await c.query('CHECKPOINT');
  } finally {
    await c.end();
  }
}

/** CPU ms so far of the process that runs the side measured (`runner`; this one without it), the cluster and the simulator. */
function cpuNow(dataDir: string, simulator: number, runner?: number): { self: number; pg: number; sim: number } {
  const u = process.cpuUsage();
  return { self: runner === undefined ? (u.user + u.system) / 1000 : processCpuMs(runner), pg: postgresCpuMs(dataDir), sim: processCpuMs(simulator) };
}

/**
 * CPU ms spent since `from`. The cluster counts a backend's time once it has exited and been
 * reaped, so this waits until no session of the database is left, and a moment more.
 */
async function cpuSince(
  from: ReturnType<typeof cpuNow>,
  admin: string,
  db: string,
  dataDir: string,
  simulator: number,
  runner?: number,
): Promise<{ self: number; pg: number; sim: number; total: number }> {
  const name = new URL(db).pathname.slice(1);
  const c = new Client({ connectionString: admin });
  await c.connect();
  try {
    for (let i = 0; i < 100; i++) {
      const r = await c.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [name]);
      if (Number(r.rows[0]!.n) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await c.end();
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  const to = cpuNow(dataDir, simulator, runner);
  const d = { self: to.self - from.self, pg: to.pg - from.pg, sim: to.sim - from.sim };
  return { ...d, total: d.self + d.pg + d.sim };
}

/**
 * CPU ms of the cluster so far (Linux): the postmaster's own time plus that of its exited children
 * (the service opens a connection per corp run; a backend's time is counted when it exits).
 */
function postgresCpuMs(dataDir: string): number {
  try {
    const pid = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]!.trim();
    const f = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    // utime, stime, cutime, cstime: fields 14-17, in clock ticks (100 per second on Linux).
    return [11, 12, 13, 14].reduce((n, i) => n + Number(f[i]), 0) * 10;
  } catch {
    return 0;
  }
}

runBench(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'server-bench-'));
  const pg = await startPostgres();
  const children: ChildProcess[] = [];
  const floorProcess = new FloorProcess();
  try {
    const { simulator, server } = await bundle(dir);

    // ---------------------------------------------------------------- ingest vs a bare COPY
    if (!process.argv.includes('--corps-only')) {
      const { child, info } = await spawnSimulator<SimInfo & { auth_corpid: string; permanent_code: string }>(simulator, [
        '--seed', '7', '--messages', String(MESSAGES), '--days', '2.9', '--no-token-limit', '100000000',
      ]);
      children.push(child);
      const data = join(pg.dir, 'data');
      const corp = [{ auth_corpid: info.auth_corpid, permanent_code: info.permanent_code }];
      const floors: { ms: number; cpu: Awaited<ReturnType<typeof cpuSince>> }[] = [];
      const ingests: { ms: number; cpu: Awaited<ReturnType<typeof cpuSince>>; inserted: number }[] = [];
      for (let pair = 0; pair < PAIRS; pair++) {
        const copyDb = await database(pg.url, `bench_copy_${pair}`);
        const ingestDb = await database(pg.url, `bench_ingest_${pair}`);
        await cleanSlate(pg.url, pair > 0 ? [`bench_ingest_${pair - 1}`] : []);
        const c0 = cpuNow(data, child.pid!, floorProcess.pid);
        const floor = await floorProcess.run<{ ms: number; rows: number }>('copy', copyDb, info);
        floors.push({ ms: floor.ms, cpu: await cpuSince(c0, pg.url, copyDb, data, child.pid!, floorProcess.pid) });
        await cleanSlate(pg.url, [`bench_copy_${pair}`]);
        const c1 = cpuNow(data, child.pid!);
        const service = await runService(ingestDb, info, corp, 1, server);
        ingests.push({ ms: service.ms, cpu: await cpuSince(c1, pg.url, ingestDb, data, child.pid!), inserted: service.inserted });
        if (service.inserted !== floor.rows) throw new Error(`the service stored ${service.inserted} messages, the floor copied ${floor.rows}`);
      }
      // Each side's fastest run: on a shared machine other work only ever adds time.
      const fastest = <T extends { ms: number }>(runs: T[]): T => runs.reduce((a, b) => (b.ms < a.ms ? b : a));
      const floor = fastest(floors);
      const service = fastest(ingests);
      const all = (runs: { ms: number }[]): string => runs.map((r) => Math.round(r.ms)).join(', ');
      const cpu = (c: typeof floor.cpu): string => `ms CPU (its process ${Math.round(c.self)}, PostgreSQL ${Math.round(c.pg)}, simulator ${Math.round(c.sim)})`;
      print('server.ingest_ms', Math.round(service.ms), `ms (${service.inserted} messages; fastest of ${all(ingests)})`);
      print('server.copy_floor_ms', Math.round(floor.ms), `ms (fastest of ${all(floors)})`);
      print('server.ingest_ratio_vs_copy', service.ms / floor.ms, 'x (goal <= 1.5)');
      print('server.ingest_cpu_ms', Math.round(service.cpu.total), cpu(service.cpu));
      print('server.copy_floor_cpu_ms', Math.round(floor.cpu.total), cpu(floor.cpu));
      print('server.ingest_cpu_ratio_vs_copy', service.cpu.total / floor.cpu.total, 'x');
      child.kill('SIGTERM');
    }

    // ---------------------------------------------------------------- corps per core
    if (!process.argv.includes('--ingest-only')) {
      const { child, info } = await spawnSimulator<SimInfo>(simulator, [
        '--seed', '8', '--corps', String(CORPS), '--messages', String(PER_CORP), '--days', '2.9', '--no-token-limit', '100000000', '--latency-ms', '30',
      ]);
      children.push(child);
      const corps = ((await (await request(`${info.url}/_sim/corps`)).body.json()) as { corps: CorpInfo[] }).corps;
      let pg0 = 0;
      // Round one syncs each corp's first PER_CORP messages; round two, one interval later, the
      // PER_CORP each has received since: what the service does every interval.
      const arrive = async (): Promise<void> => {
        for (const c of corps) {
          await request(`${info.url}/_sim/messages?corpid=${encodeURIComponent(c.auth_corpid)}`, { method: 'POST', body: JSON.stringify({ count: PER_CORP }) }).then((r) => r.body.dump());
        }
        // The first round's sessions have ended (each run closes its own); a moment for the cluster to count them.
        await new Promise((resolve) => setTimeout(resolve, 200));
        pg0 = postgresCpuMs(join(pg.dir, 'data'));
      };
      const run = await runService(await database(pg.url, 'bench_corps'), info, corps, CONCURRENCY, server, arrive);
      if (run.inserted !== corps.length * PER_CORP) throw new Error(`the second round stored ${run.inserted} messages, not ${corps.length * PER_CORP}`);
      const pgCpu = postgresCpuMs(join(pg.dir, 'data')) - pg0;
      const perCorpS = run.cpuMs / 1000 / corps.length;
      print('server.corps_wall_ms', Math.round(run.ms), `ms (${corps.length} corps × ${PER_CORP} messages, 30 ms latency, concurrency ${CONCURRENCY}, ${run.failures} failed runs retried)`);
      print('server.cpu_ms_per_corp', Math.round(run.cpuMs / corps.length), `ms (service process; PostgreSQL ${Math.round(pgCpu / corps.length)} ms)`);
      print('server.corps_per_core', Math.floor(INTERVAL_S / perCorpS), `corps (${PER_CORP} messages each per ${INTERVAL_S} s interval)`);
      child.kill('SIGTERM');
    }
  } finally {
    floorProcess.stop();
    for (const c of children) c.kill('SIGKILL');
    pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}, { copy: bareCopy });
