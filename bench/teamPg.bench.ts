/**
 * The team API of the real service on PostgreSQL under load (the proof of issue 16): the service
 * (dist/server.js, its own process, as it ships) syncs one corp from the simulator into a
 * throwaway cluster (scripts/postgres.mjs) while 50 concurrent clients page chats and streams
 * through its team API. Idle first (the base archive, the floor), then while the service ingests
 * 300,000 new messages (100,000 with --quick) at full speed. `team.pg.*` lines.
 *
 * Four processes share the machine: the clients (this one), the service, PostgreSQL and the
 * simulator; on a small machine the latencies are those of its cores being shared.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { newApiKey } from '../src/server/team/apiKeys';
import { database, startPostgres } from './postgres';
import { bundle, print, runBench, spawnSimulator } from './support';
import { CLIENTS, load, percentile } from './teamLoad';

const QUICK = process.argv.includes('--quick');
const BASE_MESSAGES = QUICK ? 20_000 : 50_000;
const INGEST_MESSAGES = QUICK ? 100_000 : 300_000;
const IDLE_MS = QUICK ? 5_000 : 10_000;

interface SimInfo {
  url: string;
  corpid: string;
  suite_id: string;
  suite_secret: string;
  suite_ticket: string;
  permanent_code: string;
}

interface SyncedLine {
  msg: string;
  inserted?: number;
  durationMs?: number;
  error?: string;
}

/** Starts the service; its port, and a hook on every `corp synced` / `corp sync failed` line. */
async function startService(script: string, configFile: string, env: NodeJS.ProcessEnv, onLine: (l: SyncedLine) => void): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [script, '--config', configFile], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: SyncedLine & { port?: number };
      try {
        entry = JSON.parse(line) as SyncedLine & { port?: number };
      } catch {
        return;
      }
      if (process.env.BENCH_VERBOSE) process.stderr.write(`${line}\n`);
      if (entry.msg === 'listening') resolve(Number(entry.port));
      onLine(entry);
    });
    child.once('exit', (code) => reject(new Error(`the service exited (${code}) before listening`)));
  });
  return { child, port };
}

runBench(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'team-pg-bench-'));
  const pg = await startPostgres();
  const children: ChildProcess[] = [];
  try {
    const { simulator, server } = await bundle(dir);
    const sim = await spawnSimulator<SimInfo>(simulator, ['--seed', '9', '--messages', String(BASE_MESSAGES), '--days', '2', '--no-token-limit', '100000000']);
    children.push(sim.child);
    const { info } = sim;
    const key = newApiKey();
    const env: NodeJS.ProcessEnv = { B_SUITE_SECRET: info.suite_secret, B_SUITE_TICKET: info.suite_ticket, B_PC: info.permanent_code };
    const configFile = join(dir, 'server.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        database: { url: await database(pg.url, 'bench_team') },
        listen: { host: '127.0.0.1', port: 0 },
        // Every second: the ingest starts within a second of the messages' arrival, as after a push.
        intervalSeconds: 1,
        leaseTtlSeconds: 30,
        pageSize: 1000,
        baseUrl: info.url,
        suite: { suiteId: info.suite_id, suiteSecretEnv: 'B_SUITE_SECRET', suiteTicketEnv: 'B_SUITE_TICKET' },
        corps: [{ corpId: info.corpid, permanentCodeEnv: 'B_PC' }],
        team: { auditLog: join(dir, 'audit.jsonl'), keys: [{ user: 'bench', sha256: createHash('sha256').update(key).digest('hex'), corps: ['*'] }] },
      }),
    );

    let inserted = 0;
    let ingestRuns: SyncedLine[] = [];
    let failures = 0;
    const service = await startService(server, configFile, env, (l) => {
      if (l.msg === 'corp synced' && (l.inserted ?? 0) > 0) {
        inserted += l.inserted ?? 0;
        ingestRuns.push(l);
      } else if (l.msg === 'corp sync failed') {
        failures++;
        process.stderr.write(`bench: a sync run failed and is retried: ${l.error}\n`);
      }
    });
    children.push(service.child);
    const base = `http://127.0.0.1:${service.port}`;
    const waitFor = async (what: string, total: number): Promise<void> => {
      const until = Date.now() + 600_000;
      while (inserted < total) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what} (${inserted} of ${total} stored)`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitFor('the base archive', BASE_MESSAGES);

    // Warm-up, not counted: the service opens its reader connections and compiles its hot paths.
    const warmEnd = Date.now() + 2_000;
    await load(base, key, info.corpid, () => Date.now() < warmEnd);
    // The floor: the same clients on the idle archive (the service polls every second, finds nothing).
    const idleEnd = Date.now() + IDLE_MS;
    const idle = await load(base, key, info.corpid, () => Date.now() < idleEnd);

    // Under ingest: the messages arrive in the simulator; the service's next run stores them all.
    await fetch(`${info.url}/_sim/messages`, { method: 'POST', body: JSON.stringify({ count: INGEST_MESSAGES }) });
    ingestRuns = [];
    let ingesting = true;
    const ingest = waitFor('the ingest', BASE_MESSAGES + INGEST_MESSAGES).finally(() => {
      ingesting = false;
    });
    const [busy] = await Promise.all([load(base, key, info.corpid, () => ingesting), ingest]);
    const ingestMs = ingestRuns.reduce((n, r) => n + (r.durationMs ?? 0), 0);

    print('team.pg.clients', CLIENTS, 'clients');
    print('team.pg.idle.requests', idle.latencies.length, 'requests');
    print('team.pg.idle.p50_ms', percentile(idle.latencies, 50), 'ms');
    print('team.pg.idle.p99_ms', percentile(idle.latencies, 99), 'ms');
    print('team.pg.ingest.messages', INGEST_MESSAGES, `messages (on ${BASE_MESSAGES} stored)`);
    print('team.pg.ingest.messages_per_s', (INGEST_MESSAGES / ingestMs) * 1000, 'msg/s (while the clients read)');
    print('team.pg.ingest.requests', busy.latencies.length, 'requests');
    print('team.pg.ingest.p50_ms', percentile(busy.latencies, 50), 'ms');
    print('team.pg.ingest.p99_ms', percentile(busy.latencies, 99), 'ms');
    print('team.pg.ingest.p99_ratio_vs_idle', percentile(busy.latencies, 99) / percentile(idle.latencies, 99), 'x');
    print('team.pg.errors', idle.errors + busy.errors, `errors (${failures} failed sync runs)`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
