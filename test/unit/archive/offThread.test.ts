/**
 * The sync on its own thread (OffThreadSyncEngine + sync-worker), as the extension runs it: the
 * window stored exactly once, the host's token source asked (and asked to refresh after 42001),
 * errors arriving typed (WeComApiError with its next step, SyncBusyError, CancelledError, the
 * host's TokenError), 45009 waits reported to the host, no token in any log line, and an archive
 * that is not a store worker's synced in-process. The host hears when the last page is in.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Archive, openArchive } from '../../../src/core/archive/archive';
import { fromCrossError, toCrossError } from '../../../src/core/archive/crossErrors';
import { ArchiveError, ServerProtocolError, SyncBusyError } from '../../../src/core/archive/errors';
import type { SyncChange } from '../../../src/core/archive/sync';
import { OffThreadSyncEngine, type OffThreadSyncOptions } from '../../../src/core/archive/syncThread';
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator/index';
import { CancelledError, NetworkError, PASTE_TOKEN_STEP, TokenError, WeComApiError, WeComError } from '../../../src/core/wecom/errors';
import type { TokenSource } from '../../../src/core/wecom/tokens';
import { phrase } from '../../../src/shared/text';
import { buildBundles, DAY, recount, simMessages, tempDir } from './helpers';

let workerPath: string;
let syncWorker: string;
const dir = tempDir('offthread-test-');

before(async () => {
  const b = await buildBundles();
  workerPath = b.worker;
  syncWorker = b.syncWorker;
});

/** The simulator's token, counting what the sync thread asked for. */
function countingSource(sim: RunningSimulator): TokenSource & { gets: number; refreshes: number } {
  return {
    gets: 0,
    refreshes: 0,
    async getToken() {
      this.gets++;
      return sim.accessToken;
    },
    async refresh() {
      this.refreshes++;
      return sim.accessToken;
    },
    describe: () => 'simulator',
    secrets: () => [sim.accessToken],
  };
}

describe('sync on its own thread', () => {
  let sim: RunningSimulator;
  let archive: Archive;
  let file: string;
  const lines: string[] = [];
  const logger = {
    debug: (t: string) => lines.push(`debug ${t}`),
    info: (t: string) => lines.push(`info ${t}`),
    warn: (t: string) => lines.push(`warn ${t}`),
    error: (t: string) => lines.push(`error ${t}`),
  };
  let source: ReturnType<typeof countingSource>;
  const engine = (extra: Partial<OffThreadSyncOptions> = {}): OffThreadSyncEngine =>
    new OffThreadSyncEngine(archive, {
      owner: 'window-main',
      limit: 500,
      client: { baseUrl: sim.url, retry: { baseDelayMs: 2, maxDelayMs: 10 }, rateLimit: { waitMs: 150 } },
      tokenSource: source,
      logger,
      debug: true,
      workerPath: syncWorker,
      ...extra,
    });

  before(async () => {
    // A 45009 blocks sync_msg for 0.1 s; the client waits 150 ms.
    sim = await startSimulator({ seed: 41, messages: 6000, days: 4, rateLimits: { noTokenPerMinute: 1_000_000, blockSeconds: 0.1 } });
    file = join(dir, 'offthread.sqlite');
    archive = await openArchive(file, { workerPath });
    source = countingSource(sim);
  });
  after(async () => {
    await archive.close();
    await sim.close();
  });

  it('stores the first-sync window exactly once, reports changes and progress, asks the host for the token', async () => {
    const changes: SyncChange[] = [];
    let lastTotal = 0;
    const e = engine();
    e.onChange((c) => changes.push(c));
    // The window is 3 days back from each request: a message may age out of it during the run.
    const window = (): Set<string> => new Set(simMessages(sim, sim.now() - 3 * DAY).map((m) => m.msgid));
    const before = window();
    const syncCalls = (): number => sim.stats().requests['/cgi-bin/chatdata/sync_msg'] ?? 0;
    const fetched: { calls: number; stored: number }[] = [];
    const result = await e.run({ onProgress: (p) => (lastTotal = p.total), onFetched: () => fetched.push({ calls: syncCalls(), stored: lastTotal }) });
    const after = window();
    // Told once, when the last page is in and before it is stored; no request after it.
    assert.equal(fetched.length, 1);
    assert.equal(fetched[0]!.calls, syncCalls());
    assert.equal(fetched[0]!.calls, result.pages);
    assert.ok(fetched[0]!.stored < result.inserted, `told before the last page was stored (${fetched[0]!.stored} of ${result.inserted})`);
    assert.ok(result.pages >= Math.ceil(after.size / 500));
    assert.equal(lastTotal, result.inserted, 'the last progress has the total');
    assert.equal(changes.reduce((n, c) => n + c.inserted, 0), result.inserted);
    const c = recount(file);
    assert.equal(c.messages, c.distinctMsgids);
    assert.equal(c.messages, result.inserted);
    for (const id of after) assert.ok(c.msgids.has(id), `${id}, in the window throughout, is stored`);
    for (const id of c.msgids) assert.ok(before.has(id), `${id} was in the window when the run began`);
    assert.deepEqual(c.summaries, c.byChat);
    assert.ok(source.gets >= 1, 'the host was asked for the token');
    assert.ok(source.gets < result.pages, `not once per page (${source.gets} for ${result.pages} pages)`);
    assert.ok(lines.some((l) => l.startsWith('debug POST')), 'debug lines cross when asked for');
  });

  it('42001: the host refreshes its token once and the run goes on', async () => {
    sim.addMessages(700);
    sim.setFaults([{ kind: 'errcode', errcode: 42001, path: 'sync_msg', times: 1 }]);
    const refreshes = source.refreshes;
    try {
      const result = await engine().run();
      assert.equal(result.inserted, 700);
      assert.equal(source.refreshes, refreshes + 1);
    } finally {
      sim.setFaults([]);
    }
  });

  it('45009: the wait is reported to the host with the typed error', async () => {
    sim.addMessages(10);
    sim.setFaults([{ kind: 'errcode', errcode: 45009, path: 'sync_msg', times: 1 }]);
    const waits: WeComApiError[] = [];
    try {
      const result = await engine({ onWait: (_until, reason) => waits.push(reason) }).run();
      assert.equal(result.inserted, 10);
      assert.equal(waits.length, 1);
      assert.ok(waits[0] instanceof WeComApiError && waits[0].errcode === 45009);
    } finally {
      sim.setFaults([]);
    }
  });

  it('a fatal errcode arrives as WeComApiError with its next step, recorded as the last error', async () => {
    sim.setFaults([{ kind: 'errcode', errcode: 48002, path: 'sync_msg', times: 1 }]);
    try {
      const error = await engine().run().then(
        () => assert.fail('48002 must stop the run'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof WeComApiError, String(error));
      assert.ok(error instanceof WeComError);
      assert.equal(error.errcode, 48002);
      assert.equal(error.kind, 'fatal');
      assert.equal(error.nextStep.action, 'checkAuthorization');
      assert.match(JSON.stringify(error.userMessage), /48002/);
      assert.match((await archive.syncState()).lastError?.message ?? '', /48002/);
    } finally {
      sim.setFaults([]);
    }
  });

  it('50100 arrives with the Reset Sync Position step', async () => {
    sim.setFaults([{ kind: 'errcode', errcode: 50100, path: 'sync_msg', times: 1 }]);
    try {
      await assert.rejects(engine().run(), (e: unknown) => e instanceof WeComApiError && e.errcode === 50100 && e.nextStep.action === 'resetSyncPosition');
    } finally {
      sim.setFaults([]);
    }
  });

  it("the host token source's own error arrives typed", async () => {
    const failing: TokenSource = {
      getToken: async () => {
        throw new TokenError('expired', phrase('The pasted access token expired'), PASTE_TOKEN_STEP);
      },
      refresh: async () => sim.accessToken,
      describe: () => 'failing',
    };
    await assert.rejects(engine({ tokenSource: failing }).run(), (e: unknown) => e instanceof TokenError && e.problem === 'expired' && e.nextStep.action === 'pasteToken');
  });

  it('SyncBusyError names the holder when another window holds the lease', async () => {
    const held = await archive.acquireLease({ owner: 'window-other', ttlMs: 60_000, now: Date.now() });
    assert.equal(held.acquired, true);
    try {
      await assert.rejects(engine().run(), (e: unknown) => e instanceof SyncBusyError && e.owner === 'window-other' && e.code === 'SYNC_BUSY');
    } finally {
      await archive.releaseLease({ owner: 'window-other' });
    }
  });

  it('cancel: CancelledError, what was stored stays consistent, and the next run resumes', async () => {
    const added = sim.addMessages(3000);
    const ac = new AbortController();
    await assert.rejects(
      engine().run({
        signal: ac.signal,
        onProgress: () => ac.abort(),
      }),
      (e: unknown) => e instanceof CancelledError,
    );
    const mid = recount(file);
    assert.equal(mid.messages, mid.distinctMsgids);
    assert.deepEqual(mid.summaries, mid.byChat);
    await engine().run();
    const c = recount(file);
    for (const id of added) assert.ok(c.msgids.has(id));
    assert.equal(c.messages, c.distinctMsgids);
  });

  it('no log line holds the access token', () => {
    assert.ok(lines.length > 0);
    for (const l of lines) assert.ok(!l.includes(sim.accessToken), l);
  });

  it('an archive that is not a store worker runs the engine in-process (any Archive implementation)', async () => {
    sim.addMessages(25);
    // Delegates every call: the same archive, but not the class the sync thread can reach.
    const ops = ['applyPage', 'commit', 'listChats', 'countChats', 'getChat', 'pageMessages', 'locate', 'resolve', 'senders', 'syncState', 'gaps', 'recordGap', 'resetCursor', 'recordError', 'acquireLease', 'renewLease', 'releaseLease', 'stats', 'close'] as const;
    const target = archive as unknown as Record<string, (...args: unknown[]) => unknown>;
    const plain = Object.fromEntries([['file', archive.file], ...ops.map((op) => [op, target[op]!.bind(archive)])]) as unknown as Archive;
    const e = new OffThreadSyncEngine(plain, { owner: 'service', limit: 500, client: { baseUrl: sim.url }, tokenSource: source, workerPath: join(dir, 'no-such-worker.js') });
    const result = await e.run();
    assert.equal(result.inserted, 25);
  });
});

describe('errors across threads', () => {
  it('keep their class, fields and wording', () => {
    const samples: Error[] = [
      new WeComApiError(50100, 'invalid cursor', 'sync_msg'),
      new NetworkError('ECONNRESET', 'socket hang up', true),
      new CancelledError(),
      new TokenError('notRefreshable', phrase('A pasted token cannot be refreshed'), PASTE_TOKEN_STEP),
      new SyncBusyError('window-b', 1_700_000_000_000),
      new ServerProtocolError('cursorCycle', 'A→B→A'),
      new ArchiveError('SCHEMA_CHANGED', 'the archive was upgraded'),
      new ArchiveError('BATCH_LOST', 'rolled back'),
    ];
    for (const original of samples) {
      const revived = fromCrossError(structuredClone(toCrossError(original)));
      assert.equal(Object.getPrototypeOf(revived), Object.getPrototypeOf(original), original.name);
      assert.equal(revived.message, original.message);
      assert.deepEqual({ ...revived }, { ...original });
    }
    const api = fromCrossError(structuredClone(toCrossError(new WeComApiError(42001, 'expired', 'sync_msg')))) as WeComApiError;
    assert.equal(api.kind, 'refreshToken');
    assert.equal(api.retryable, false);
    const plain = fromCrossError(structuredClone(toCrossError(new RangeError('odd'))));
    assert.equal(plain.message, 'odd');
  });
});
