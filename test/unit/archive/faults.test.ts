/**
 * Fault suite: a sync of more than 100k messages under a fault plan with every fault kind ends with
 * every message, and the number of retries is bounded by the plan.
 *
 * The plan puts each fault on fixed sync_msg call numbers (1-based, counting every request), some
 * back to back so one page needs several retries. Each injected fault costs exactly one extra
 * request, so: requests = successful pages + injected faults (+ at most one more 45009 per 45009
 * fault, should the simulator's block outlast the client's wait).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Archive, openArchive } from '../../../src/core/archive/archive';
import { SyncEngine } from '../../../src/core/archive/sync';
import { type FaultRule, type RunningSimulator, startSimulator } from '../../../src/core/simulator/index';
import { WeComClient } from '../../../src/core/wecom/client';
import { buildBundles, recount, simMessages, simTokenSource, tempDir } from './helpers';

const SYNC = '/cgi-bin/chatdata/sync_msg';
const PLAN: FaultRule[] = [
  { kind: 'http5xx', status: 503, path: 'sync_msg', calls: [2, 17] },
  { kind: 'http5xx', status: 500, path: 'sync_msg', calls: [33] },
  { kind: 'http5xx', status: 502, path: 'sync_msg', calls: [34] },
  { kind: 'reset', path: 'sync_msg', calls: [5, 6, 41] },
  // Longer than the client's 400 ms timeout.
  { kind: 'delay', delayMs: 1500, path: 'sync_msg', calls: [9, 50] },
  { kind: 'malformed', path: 'sync_msg', calls: [12, 13, 14] },
  { kind: 'errcode', errcode: -1, path: 'sync_msg', calls: [20, 21, 22, 23] },
  { kind: 'errcode', errcode: 45033, path: 'sync_msg', calls: [26, 70] },
  // The simulator then blocks sync_msg for blockSeconds (0.1 s); the client waits 150 ms.
  { kind: 'errcode', errcode: 45009, path: 'sync_msg', calls: [30, 90] },
  { kind: 'errcode', errcode: 42001, path: 'sync_msg', calls: [36, 80] },
  // Halves the page size for the rest of the run.
  { kind: 'errcode', errcode: 301058, path: 'sync_msg', calls: [45] },
];
const PLANNED = PLAN.reduce((n, r) => n + (r.calls?.length ?? 0), 0);
const RATE_LIMIT_FAULTS = PLAN.filter((r) => r.errcode === 45009).reduce((n, r) => n + (r.calls?.length ?? 0), 0);

let sim: RunningSimulator;
let archive: Archive;
let file: string;

before(async () => {
  const { worker } = await buildBundles();
  // 2.5 days: every message lies inside the 3-day first-sync window.
  sim = await startSimulator({
    seed: 41,
    messages: 104_000,
    days: 2.5,
    faults: PLAN,
    rateLimits: { noTokenPerMinute: 1_000_000, blockSeconds: 0.1 },
  });
  file = join(tempDir(), 'faults.sqlite');
  archive = await openArchive(file, { workerPath: worker });
});

after(async () => {
  await archive?.close();
  await sim?.close();
});

describe('fault suite', () => {
  it(`syncs > 100k messages through every fault kind with at most ${PLANNED} + ${RATE_LIMIT_FAULTS} retries`, async () => {
    const waits: number[] = [];
    const client = new WeComClient({
      tokenSource: simTokenSource(sim),
      baseUrl: sim.url,
      timeoutMs: 400,
      retry: { maxAttempts: 6, baseDelayMs: 2, maxDelayMs: 10 },
      rateLimit: { waitMs: 150, maxWaits: 3 },
      onWait: (until) => waits.push(until),
    });
    try {
      const engine = new SyncEngine(archive, client, { owner: 'faults', limit: 1000 });
      const result = await engine.run();
      const stats = sim.stats();
      const requests = stats.requests[SYNC] ?? 0;
      const injected = Object.values(stats.faults).reduce((a, b) => a + b, 0);
      assert.equal(injected, PLANNED, 'every planned fault fired');
      for (const kind of ['http5xx', 'reset', 'delay', 'malformed', 'errcode']) assert.ok((stats.faults[kind] ?? 0) > 0, kind);
      for (const code of ['-1', '45033', '45009', '42001', '301058']) assert.ok((stats.errcodes[code] ?? 0) > 0, code);
      const retries = requests - result.pages;
      assert.ok(retries >= PLANNED, `each fault cost a retry (${retries})`);
      assert.ok(retries <= PLANNED + RATE_LIMIT_FAULTS, `retries bounded: ${retries} <= ${PLANNED} + ${RATE_LIMIT_FAULTS}`);
      assert.ok(waits.length >= RATE_LIMIT_FAULTS, 'the client waited out each 45009');
      // Pages: 1000 per page before the 301058, 500 after it.
      assert.ok(result.pages <= Math.ceil(result.inserted / 500) + 1, `pages bounded (${result.pages})`);

      const all = simMessages(sim);
      assert.ok(all.length >= 100_000);
      assert.equal(result.inserted, all.length);
      const c = recount(file);
      assert.equal(c.messages, all.length);
      assert.equal(c.distinctMsgids, all.length);
      for (const m of all) assert.ok(c.msgids.has(m.msgid));
      assert.deepEqual(c.summaries, c.byChat);
    } finally {
      await client.close();
    }
  });
});
