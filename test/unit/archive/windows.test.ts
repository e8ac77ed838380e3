/**
 * Two windows, two processes, one archive file: this process syncs; a child process (the other
 * window) tries to sync and is refused with SyncBusyError, reads all the while, then takes over
 * once the lease is free; and when the syncing window stalls 40 s on one page (past the lease TTL),
 * the other is still told at once who syncs. Neither side sees SQLITE_BUSY or a lock error.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { type Archive, openArchive } from '../../../src/core/archive/archive';
import { SyncEngine } from '../../../src/core/archive/sync';
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator/index';
import { WeComClient } from '../../../src/core/wecom/client';
import { type Bundles, buildBundles, recount, simMessages, simTokenSource, tempDir } from './helpers';

let sim: RunningSimulator;
let bundles: Bundles;
let archive: Archive;
let file: string;

before(async () => {
  bundles = await buildBundles();
  sim = await startSimulator({ seed: 61, messages: 12_000, days: 4, rateLimits: { noTokenPerMinute: 1_000_000 } });
  file = join(tempDir(), 'windows.sqlite');
  archive = await openArchive(file, { workerPath: bundles.worker });
});

after(async () => {
  await archive?.close();
  await sim?.close();
});

interface ChildReport {
  busy?: { owner: string; until: number; afterMs: number };
  reads?: number;
  errors: string[];
  final?: { inserted: number; pages: number };
}

/** The other window: a child process that tries to sync, reads for 1.5 s, then syncs (fixtures/windowChild.ts). */
function otherWindow(archiveFile: string, server: RunningSimulator): { report: Promise<ChildReport>; exited: Promise<number | null>; stderr(): string } {
  const child = spawn(process.execPath, [bundles.windowChild, archiveFile, bundles.worker, server.url, server.accessToken, 'window-B', '1500'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return {
    report: new Promise<ChildReport>((resolve) => {
      createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line) as ChildReport));
    }),
    exited: new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))),
    stderr: () => stderr,
  };
}

describe('two windows on one archive', () => {
  it('one syncs, the other is told who is syncing, reads concurrently, then takes over', async () => {
    // Slow pages so the sync is still running when the other window starts.
    sim.setFaults([{ kind: 'delay', delayMs: 25, path: 'sync_msg' }]);
    const client = new WeComClient({ tokenSource: simTokenSource(sim), baseUrl: sim.url });
    const engine = new SyncEngine(archive, client, { owner: 'window-A', limit: 100 });
    let firstPage: () => void = () => undefined;
    const stored = new Promise<void>((resolve) => {
      firstPage = resolve;
    });
    // The first page stored (its group may stay open for a while: group commit).
    const syncing = engine.run({ onProgress: () => firstPage() });
    await stored;

    const other = otherWindow(file, sim);

    // This window reads too while it writes.
    const errors: string[] = [];
    let reads = 0;
    let done = false;
    void syncing.finally(() => {
      done = true;
    });
    while (!done) {
      try {
        const { chats } = await archive.listChats({ kind: 'single', limit: 20 });
        if (chats[0]) await archive.pageMessages({ chatKey: chats[0].key, direction: 'older', limit: 200 });
        await archive.stats();
        reads++;
      } catch (error) {
        errors.push(String(error));
      }
    }
    const result = await syncing;
    sim.setFaults([]);
    await client.close();
    assert.ok(result.inserted > 0);
    assert.deepEqual(errors, []);
    assert.ok(reads > 0);

    const got = await other.report;
    assert.equal(await other.exited, 0, other.stderr());
    assert.deepEqual(got.errors, [], 'no SQLITE_BUSY or lock errors in the other window');
    assert.equal(got.busy?.owner, 'window-A', 'the other window was told who syncs');
    assert.ok((got.reads ?? 0) > 5, `the other window read meanwhile (${got.reads})`);
    assert.ok(got.final, 'the other window synced once the lease was free');
    assert.ok(!/SQLITE_BUSY|database is locked/i.test(other.stderr()));

    const c = recount(file);
    const oldest = Math.min(...[...c.byChat.values()].map((x) => x.first));
    assert.equal(c.messages, simMessages(sim, oldest).length);
    assert.equal(c.messages, c.distinctMsgids);
    assert.deepEqual(c.summaries, c.byChat);
  });
  it('the syncing window stalls 40 s on one page: the other is told at once who syncs and reads; the stalled run finishes', async () => {
    const slow = await startSimulator({ seed: 62, messages: 3000, days: 4, rateLimits: { noTokenPerMinute: 1_000_000 } });
    const slowFile = join(tempDir(), 'stalled.sqlite');
    const mine = await openArchive(slowFile, { workerPath: bundles.worker });
    // The 5th page takes 40 s: longer than the lease's TTL (30 s), shorter than the client's timeout.
    slow.setFaults([{ kind: 'delay', delayMs: 40_000, path: 'sync_msg', calls: [5] }]);
    const client = new WeComClient({ tokenSource: simTokenSource(slow), baseUrl: slow.url, timeoutMs: 60_000 });
    let fifthAsked: () => void = () => undefined;
    const fifth = new Promise<void>((resolve) => {
      fifthAsked = resolve;
    });
    let calls = 0;
    const counting = {
      syncMsg: (...args: Parameters<WeComClient['syncMsg']>) => {
        if (++calls === 5) fifthAsked();
        return client.syncMsg(...args);
      },
    };
    try {
      const syncing = new SyncEngine(mine, counting, { owner: 'window-A', limit: 100 }).run();
      await fifth;
      await new Promise((resolve) => setTimeout(resolve, 32_000)); // past the TTL, if renewals had waited for the page
      const other = otherWindow(slowFile, slow);

      const result = await syncing;
      assert.ok(result.inserted > 0, 'the stalled run finished (it did not lose its lease)');
      const got = await other.report;
      assert.equal(await other.exited, 0, other.stderr());
      assert.equal(got.busy?.owner, 'window-A', 'the other window was told who syncs');
      assert.ok((got.busy?.afterMs ?? Infinity) < 1000, `answered in ${got.busy?.afterMs} ms`);
      assert.ok((got.reads ?? 0) > 5, `the other window read meanwhile (${got.reads})`);
      assert.deepEqual(got.errors, [], 'no SQLITE_BUSY or lock errors in the other window');
      assert.ok(!/SQLITE_BUSY|database is locked/i.test(other.stderr()));
      const c = recount(slowFile);
      assert.equal(c.messages, c.distinctMsgids);
      assert.deepEqual(c.summaries, c.byChat);
    } finally {
      slow.setFaults([]);
      await client.close();
      await mine.close();
      await slow.close();
    }
  });
});
