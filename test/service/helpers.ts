/**
 * Service-tier helpers: the server bundled once per test process (the test build leaves packages
 * external; the service runs as it ships, one file), replicas as child processes with their config
 * and secrets, and ground truth read straight from PostgreSQL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { Client } from 'pg';
import { toPgText } from '../../src/core/archive/pg/text';
import type { RunningSimulator } from '../../src/core/simulator/index';
import { ROOT } from '../unit/archive/helpers';

let bundle: Promise<string> | undefined;

/** dist/server.js as the build makes it, into a temp folder. */
export function serverBundle(): Promise<string> {
  bundle ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'server-bundle-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    await build({
      absWorkingDir: ROOT,
      entryPoints: { server: 'src/server/main.ts' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node22',
      external: ['pg-native'],
      sourcemap: 'inline',
      outdir: dir,
      logLevel: 'error',
    });
    return join(dir, 'server.js');
  })();
  return bundle;
}

export interface Replica {
  child: ChildProcess;
  pid: number;
  port: number;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  /** Raw stdout + stderr, for secret checks. */
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

export interface ServiceSetup {
  sim: RunningSimulator;
  database: string;
  concurrency?: number;
  intervalSeconds?: number;
  leaseTtlSeconds?: number;
  pageSize?: number;
}

/** The config (secrets by env var) and the env holding them, for the simulator's corps. */
export function serviceConfig(s: ServiceSetup): { config: Record<string, unknown>; env: Record<string, string> } {
  const env: Record<string, string> = { T_SUITE_SECRET: s.sim.suite.suiteSecret, T_SUITE_TICKET: s.sim.suite.suiteTicket };
  const corps = s.sim.corps.map((c, i) => {
    env[`T_PERMANENT_CODE_${i}`] = c.suite.permanentCode;
    return { corpId: c.corpId, permanentCodeEnv: `T_PERMANENT_CODE_${i}` };
  });
  return {
    env,
    config: {
      database: { url: s.database },
      listen: { host: '127.0.0.1', port: 0 },
      concurrency: s.concurrency ?? 10,
      intervalSeconds: s.intervalSeconds ?? 3600,
      leaseTtlSeconds: s.leaseTtlSeconds ?? 3,
      pageSize: s.pageSize ?? 100,
      baseUrl: s.sim.url,
      suite: { suiteId: s.sim.suite.suiteId, suiteSecretEnv: 'T_SUITE_SECRET', suiteTicketEnv: 'T_SUITE_TICKET' },
      corps,
    },
  };
}

/** Starts a replica; resolves once it listens. */
export async function startReplica(s: ServiceSetup, dir: string, name: string): Promise<Replica> {
  const { config, env } = serviceConfig(s);
  const file = join(dir, `${name}.json`); // one per replica: concurrency may differ
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, ['--enable-source-maps', await serverBundle(), '--config', file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  createInterface({ input: child.stderr! }).on('line', (l) => output.push(l));
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      if (entry.msg === 'listening') resolve(Number(entry.port));
    });
    void exited.then((e) => reject(new Error(`replica ${name} exited (${e.code ?? e.signal}) before listening:\n${output.join('\n')}`)));
  });
  return { child, pid: child.pid!, port, logs, output, exited };
}

/** A connection to the test database for ground truth. */
export async function connect(url: string): Promise<Client> {
  const c = new Client({ connectionString: url });
  await c.connect();
  return c;
}

/** Whether a session of this replica has a transaction open now (a page group being written). */
export async function inTransaction(db: Client, pid: number): Promise<boolean> {
  const r = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1 AND xact_start IS NOT NULL
       AND (state = 'idle in transaction' OR query ILIKE '%INSERT INTO messages%' OR query ILIKE '%msgids%')`,
    [`wecom-archive-server ${pid}`],
  );
  return Number(r.rows[0]!.n) > 0;
}

/** Every msgid stored for the corp (with repeats, if any were stored twice). */
export async function storedMsgids(db: Client, corpId: string): Promise<string[]> {
  const r = await db.query<{ msgid: string }>('SELECT msgid FROM messages WHERE corp_id = $1', [toPgText(corpId)]);
  return r.rows.map((x) => x.msgid);
}

export async function leaseOwners(db: Client): Promise<Map<string, string>> {
  const r = await db.query<{ corp_id: string; owner: string; expires_at: number }>('SELECT corp_id, owner, expires_at FROM leases');
  return new Map(r.rows.map((x) => [x.corp_id, x.owner]));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function until(what: string, ms: number, test: () => Promise<boolean> | boolean, every = 25): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await test()) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

export async function httpGet(port: number, path: string): Promise<{ status: number; text: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, text: await r.text() };
}
