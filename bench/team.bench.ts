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
import { Agent, request } from 'undici';
import { type Archive, openArchive } from '../src/core/archive/archive';
import { SyncEngine } from '../src/core/archive/sync';
import { WeComClient } from '../src/core/wecom/client';
import { StaticTokenSource } from '../src/core/wecom/tokens';
import { HashedKeyStore, newApiKey } from '../src/server/team/apiKeys';
import { FileAuditLog } from '../src/server/team/auditLog';
import { TeamApi } from '../src/server/team/teamApi';
import { bundle, print, runBench, spawnSimulator } from './support';

const CLIENTS = 50;
const quick = process.argv.includes('--quick');
const BASE_MESSAGES = quick ? 20_000 : 50_000;
const INGEST_MESSAGES = quick ? 100_000 : 300_000;

interface SimInfo {
  url: string;
  access_token: string;
  token: string;
  corpid: string;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Each client: a page of chats, then a chat's stream page by page (100 a page), again and again. */
async function load(base: string, key: string, corp: string, running: () => boolean): Promise<{ latencies: number[]; errors: number }> {
  const agent = new Agent({ connections: CLIENTS });
  const latencies: number[] = [];
  let errors = 0;
  const get = async (path: string): Promise<unknown> => {
    const t0 = performance.now();
    try {
      const res = await request(`${base}${path}`, { dispatcher: agent, headers: { authorization: `Bearer ${key}` } });
      const body = await res.body.json();
      if (res.statusCode !== 200) errors++;
      return body;
    } catch {
      errors++;
      return undefined;
    } finally {
      latencies.push(performance.now() - t0);
    }
  };
  const client = async (n: number): Promise<void> => {
    let round = 0;
    while (running()) {
      const page = (await get(`/v1/chats?corp=${corp}&kind=${(n + round) % 2 ? 'single' : 'group'}&limit=50`)) as { chats?: Array<{ key: string }> } | undefined;
      const chats = page?.chats ?? [];
      const chat = chats[(n * 7 + round) % Math.max(1, chats.length)];
      round++;
      if (!chat) continue;
      let from = '';
      for (let p = 0; p < 5 && running(); p++) {
        const msgs = (await get(`/v1/messages?corp=${corp}&chat=${encodeURIComponent(chat.key)}&direction=older&limit=100${from}`)) as
          | { messages?: Array<{ raw: { msgid: string; send_time: number } }> }
          | undefined;
        const list = msgs?.messages ?? [];
        if (list.length < 100) break;
        const oldest = list[0]!.raw;
        from = `&from_time=${oldest.send_time}&from_msgid=${encodeURIComponent(oldest.msgid)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
  await agent.close();
  return { latencies: latencies.sort((a, b) => a - b), errors };
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
