/**
 * The team API under load: 50 concurrent clients page chats and message streams through HTTP
 * while the sync engine stores a corp's messages at full speed into the same archive. Prints the
 * latency percentiles and errors under ingest, and the same clients' figures on the idle archive
 * in the same run (the floor), as `name: value unit` lines.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Archive, openArchive } from '../src/core/archive/archive';
import { SyncEngine } from '../src/core/archive/sync';
import { WeComClient } from '../src/core/wecom/client';
import { StaticTokenSource } from '../src/core/wecom/tokens';
import { HashedKeyStore, newApiKey } from '../src/server/team/apiKeys';
import { FileAuditLog } from '../src/server/team/auditLog';
import { TeamApi } from '../src/server/team/teamApi';
import { bundle, print, runBench, spawnSimulator } from './support';
import { CLIENTS, load, percentile } from './teamLoad';

const quick = process.argv.includes('--quick');
const BASE_MESSAGES = quick ? 20_000 : 50_000;
const INGEST_MESSAGES = quick ? 100_000 : 300_000;

interface SimInfo {
  url: string;
  access_token: string;
  token: string;
  corpid: string;
}

runBench(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'team-bench-'));
  const { worker, simulator } = await bundle(dir);
  const { child, info } = await spawnSimulator<SimInfo>(simulator, ['--messages', String(BASE_MESSAGES), '--days', '2', '--no-token-limit', '1000000']);
  let archive: Archive | undefined;
  try {
    archive = await openArchive(join(dir, 'a.sqlite'), { workerPath: worker });
    const client = new WeComClient({ tokenSource: new StaticTokenSource({ token: info.access_token, label: 'bench' }), baseUrl: info.url });
    const engine = new SyncEngine(archive, client, { owner: 'bench' });
    await engine.run();
    const keys = new HashedKeyStore();
    const key = newApiKey();
    keys.add(key, { user: 'bench', corps: ['*'], admin: false });
    const a = archive;
    const api = new TeamApi({ keys, audit: new FileAuditLog(join(dir, 'audit.jsonl')), corps: () => [info.corpid], archive: () => a });
    const server = createServer((req, res) => void api.handle(req, res, new URL(req.url ?? '/', 'http://127.0.0.1')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // Floor: the same clients on the idle archive, for as long as the ingest will take (about).
    const idleMs = quick ? 5_000 : 10_000;
    const idleEnd = Date.now() + idleMs;
    const idle = await load(base, key, info.corpid, () => Date.now() < idleEnd);

    // Under ingest: new messages arrive in the simulator and the engine stores them at full speed.
    await fetch(`${info.url}/_sim/messages`, { method: 'POST', body: JSON.stringify({ count: INGEST_MESSAGES }) });
    let ingesting = true;
    const t0 = performance.now();
    const ingest = engine.run().finally(() => {
      ingesting = false;
    });
    const busy = await load(base, key, info.corpid, () => ingesting);
    const result = await ingest;
    const ingestSeconds = (performance.now() - t0) / 1000;

    print('team.load.clients', CLIENTS, 'clients');
    print('team.load.idle.requests', idle.latencies.length, 'requests');
    print('team.load.idle.p50_ms', percentile(idle.latencies, 50), 'ms');
    print('team.load.idle.p99_ms', percentile(idle.latencies, 99), 'ms');
    print('team.load.ingest.messages_per_s', result.inserted / ingestSeconds, 'msg/s');
    print('team.load.ingest.requests', busy.latencies.length, 'requests');
    print('team.load.ingest.p50_ms', percentile(busy.latencies, 50), 'ms');
    print('team.load.ingest.p99_ms', percentile(busy.latencies, 99), 'ms');
    print('team.load.ingest.p99_ratio_vs_idle', percentile(busy.latencies, 99) / percentile(idle.latencies, 99), 'x');
    print('team.load.errors', idle.errors + busy.errors, 'errors');
    api.close();
    await new Promise<void>((r) => server.close(() => r()));
    await client.close();
  } finally {
    await archive?.close();
    child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
