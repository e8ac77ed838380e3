/**
 * The sync engine against the simulator: first sync, resume, an old cursor tried rather than
 * dropped, a refused one (50100) and Reset Sync Position, cancellation at any point, and the
 * one-sync-at-a-time lease.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Archive, openArchive } from '../../../src/core/archive/archive';
import { ArchiveError, recordedError, SyncBusyError } from '../../../src/core/archive/errors';
import { STORE_AHEAD_PAGES, SyncEngine, type SyncChange } from '../../../src/core/archive/sync';
import { resetSyncPosition } from '../../../src/core/archive/resetPosition';
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator/index';
import { WeComClient } from '../../../src/core/wecom/client';
import { CancelledError, WeComApiError } from '../../../src/core/wecom/errors';
import type { SyncMsgRequest } from '../../../src/shared/wire';
import { english, word } from '../../../src/shared/text';
import { chinese } from '../../harness/l10n';
import { buildBundles, DAY, recount, simMessages, simTokenSource, sleep, tempDir } from './helpers';

let workerPath: string;
const dir = tempDir();

before(async () => {
  workerPath = (await buildBundles()).worker;
});

interface Rig {
  sim: RunningSimulator;
  archive: Archive;
  client: WeComClient;
  file: string;
  /** Every sync_msg request the engine made. */
  requests: SyncMsgRequest[];
  engine(owner?: string, limit?: number): SyncEngine;
  close(): Promise<void>;
}

async function rig(name: string, seed: number, messages: number, days: number): Promise<Rig> {
  const sim = await startSimulator({ seed, messages, days, rateLimits: { noTokenPerMinute: 1_000_000 } });
  const file = join(dir, `${name}.sqlite`);
  const archive = await openArchive(file, { workerPath });
  const client = new WeComClient({ tokenSource: simTokenSource(sim), baseUrl: sim.url, retry: { baseDelayMs: 2, maxDelayMs: 10 } });
  const requests: SyncMsgRequest[] = [];
  const spy = {
    syncMsg: (request: SyncMsgRequest, signal?: AbortSignal) => {
      requests.push(request);
      return client.syncMsg(request, signal);
    },
  };
  return {
    sim,
    archive,
    client,
    file,
    requests,
    // The engine's clock is the simulator's, so advancing it ages the archive's last success too.
    engine: (owner = 'test-window', limit = 300) => new SyncEngine(archive, spy, { owner, limit, clock: { now: () => sim.now() * 1000 } }),
    close: async () => {
      await client.close();
      await archive.close();
      await sim.close();
    },
  };
}

/** The archive holds exactly the simulator's messages from its oldest one on: none lost, none twice. */
function assertMirror(r: Rig, notBefore: number): void {
  const c = recount(r.file);
  assert.equal(c.messages, c.distinctMsgids, 'no message twice');
  const oldest = Math.min(...[...c.byChat.values()].map((x) => x.first));
  assert.ok(oldest >= notBefore, 'nothing older than the first-sync window');
  const want = simMessages(r.sim, oldest).map((m) => m.msgid);
  assert.equal(c.messages, want.length, 'none lost');
  assert.deepEqual([...c.msgids].sort(), want.sort());
  assert.deepEqual(c.summaries, c.byChat, 'chat summaries = recount');
}

describe('sync: first sync, resume, gaps', () => {
  let r: Rig;
  before(async () => {
    r = await rig('gaps', 31, 8000, 8);
  });
  after(async () => r.close());

  it('a first sync of an empty archive stores the 3-day window, records no gap, emits changes', async () => {
    const t0 = r.sim.now();
    const engine = r.engine();
    const changes: SyncChange[] = [];
    engine.onChange((c) => changes.push(c));
    const result = await engine.run();
    assert.deepEqual(await r.archive.gaps(), []);
    assert.equal(r.requests[0]!.cursor, undefined, 'first request without a cursor');
    assertMirror(r, t0 - 3 * DAY);
    assert.equal(result.inserted, recount(r.file).messages);
    // One change per commit: pages are committed in groups, so there are at most as many as pages.
    assert.ok(changes.length >= 1 && changes.length <= result.pages, `${changes.length} changes, ${result.pages} pages`);
    assert.equal(changes.reduce((n, c) => n + c.inserted, 0), result.inserted);
    assert.equal(changes[changes.length - 1]!.total, result.inserted);
    assert.ok(changes.every((c) => c.changedChats.length > 0 || c.inserted === 0));
    const lease = await r.archive.acquireLease({ owner: 'someone-else', ttlMs: 1000, now: Date.now() });
    assert.equal(lease.acquired, true, 'the lease was released');
    await r.archive.releaseLease({ owner: 'someone-else' });
  });

  it('a second run resumes from the cursor and fetches only what is new', async () => {
    const state = await r.archive.syncState();
    r.sim.addMessages(123);
    r.requests.length = 0;
    const result = await r.engine().run();
    assert.equal(result.inserted, 123);
    assert.equal(r.requests[0]!.cursor, state.cursor);
  });

  it('a run asks its store one thing before its first request: the lease, which brings the cursor', async () => {
    // A store thread that other corps share answers after all it has queued, so every request a
    // run waits for before its first fetch is a wait behind another corp's pages.
    const state = await r.archive.syncState();
    r.sim.addMessages(20);
    const asked: string[] = [];
    let beforeFirstRequest: string[] | undefined;
    const counted = new Proxy(r.archive, {
      get(target, name) {
        const member: unknown = Reflect.get(target, name);
        if (typeof member !== 'function') return member;
        return (...args: unknown[]) => {
          asked.push(String(name));
          return Reflect.apply(member, target, args);
        };
      },
    });
    const client = {
      syncMsg: (request: SyncMsgRequest, signal?: AbortSignal) => {
        beforeFirstRequest ??= [...asked];
        assert.equal(request.cursor, state.cursor, 'the first request resumes from the stored cursor');
        return r.client.syncMsg(request, signal);
      },
    };
    const result = await new SyncEngine(counted, client, { owner: 'test-window', clock: { now: () => r.sim.now() * 1000 } }).run();
    assert.equal(result.inserted, 20);
    assert.deepEqual(beforeFirstRequest, ['acquireLease']);
  });

  it('last success 6 days ago but WeCom still honours the cursor: it is tried, nothing is lost, no gap', async () => {
    const before = await r.archive.syncState();
    r.sim.advanceClock(6 * DAY); // nothing was sent meanwhile, so the position is still retained
    const added = new Set(r.sim.addMessages(50));
    r.requests.length = 0;
    const result = await r.engine().run();
    assert.equal(r.requests[0]!.cursor, before.cursor, 'the stored cursor was sent, not dropped');
    assert.equal(result.inserted, 50);
    assert.deepEqual(await r.archive.gaps(), []);
    const c = recount(r.file);
    for (const id of added) assert.ok(c.msgids.has(id));
  });

  it('a refused cursor (50100) stops with the next step; Reset Sync Position records the gap and starts afresh', async () => {
    r.sim.addMessages(40);
    r.sim.advanceClock(6 * DAY); // those 40 age out: the stored position is gone for good
    const fresh = r.sim.addMessages(10);
    const before = await r.archive.syncState();
    r.requests.length = 0;
    const refused = await r.engine().run().then(
      () => assert.fail('a refused cursor must stop the run'),
      (e: unknown) => e,
    );
    assert.ok(refused instanceof WeComApiError && refused.errcode === 50100, String(refused));
    assert.equal(refused.nextStep.action, 'resetSyncPosition');
    assert.equal(r.requests.length, 1, 'no request after the refusal');
    const after = await r.archive.syncState();
    assert.equal(after.cursor, before.cursor, 'the cursor is kept until the user resets it');
    assert.match(word(recordedError(after.lastError?.message ?? ''), english), /50100/);
    assert.deepEqual(await r.archive.gaps(), [], 'no gap before the user decides');

    const now = r.sim.now();
    const gap = await resetSyncPosition(r.archive, 'test-window', { now: () => r.sim.now() * 1000 });
    assert.ok(gap, 'a gap is recorded');
    assert.equal(gap.reason, 'reset');
    assert.equal(gap.from, before.lastMessageTime, 'from the newest message the archive had');
    assert.ok(Math.abs(gap.to - (now - 3 * DAY)) <= 2, 'to where a sync without a cursor starts');
    assert.deepEqual(await r.archive.gaps(), [gap]);
    assert.equal((await r.archive.syncState()).cursor, undefined);

    r.requests.length = 0;
    const result = await r.engine().run();
    assert.equal(r.requests[0]!.cursor, undefined, 'started again without the cursor');
    assert.equal(result.inserted, fresh.length);
    const c = recount(r.file);
    for (const id of fresh) assert.ok(c.msgids.has(id));
    assert.equal(c.messages, c.distinctMsgids);
    assert.deepEqual(c.summaries, c.byChat);
  });

  it('Reset Sync Position is refused while another window holds the lease', async () => {
    const held = await r.archive.acquireLease({ owner: 'other-window', ttlMs: 60_000, now: r.sim.now() * 1000 });
    assert.equal(held.acquired, true);
    try {
      await assert.rejects(resetSyncPosition(r.archive, 'test-window', { now: () => r.sim.now() * 1000 }), (e: unknown) => e instanceof SyncBusyError && e.owner === 'other-window');
    } finally {
      await r.archive.releaseLease({ owner: 'other-window' });
    }
  });

  it('records the last error when a sync fails', async () => {
    r.sim.setFaults([{ kind: 'errcode', errcode: 48002, path: 'sync_msg', times: 1 }]);
    try {
      await assert.rejects(r.engine().run(), /48002/);
      const state = await r.archive.syncState();
      const recorded = recordedError(state.lastError?.message ?? '');
      assert.match(word(recorded, english), /48002/);
      // Recorded as a phrase, not as English: a zh-cn reader sees it in Chinese, whoever's run failed.
      assert.match(word(recorded, chinese), /没有调用此接口的权限/);
      await r.engine().run();
      assert.equal((await r.archive.syncState()).lastError, undefined, 'cleared by the next success');
    } finally {
      r.sim.setFaults([]);
    }
  });
});

describe('sync: cancellation', () => {
  let r: Rig;
  before(async () => {
    r = await rig('cancel', 32, 20_000, 4);
  });
  after(async () => r.close());

  it('abort after a page: the archive holds exactly the pages reported stored, and resumes', async () => {
    const t0 = r.sim.now();
    const ac = new AbortController();
    let reported = 0;
    await assert.rejects(
      r.engine('w', 200).run({
        signal: ac.signal,
        onProgress: (p) => {
          reported = p.total;
          if (p.pages === 5) ac.abort();
        },
      }),
      CancelledError,
    );
    const c = recount(r.file);
    // Pages handed to the worker before the abort was seen are kept too: whole pages only.
    assert.ok(reported >= 1000 && reported <= 1000 + STORE_AHEAD_PAGES * 200 && reported % 200 === 0, `reported ${reported}`);
    assert.equal(c.messages, reported, 'every page reported stored is committed, whole');
    assert.deepEqual(c.summaries, c.byChat);
    const lease = await r.archive.acquireLease({ owner: 'other', ttlMs: 1000, now: Date.now() });
    assert.equal(lease.acquired, true, 'lease released on cancel');
    await r.archive.releaseLease({ owner: 'other' });
    await r.engine('w', 200).run();
    assertMirror(r, t0 - 3 * DAY);
  });

  it('abort while a request hangs: stops at once, nothing half-written', async () => {
    const before = recount(r.file).messages;
    r.sim.addMessages(500);
    r.sim.setFaults([{ kind: 'delay', delayMs: 3000, path: 'sync_msg' }]);
    try {
      const ac = new AbortController();
      const started = Date.now();
      setTimeout(() => ac.abort(), 100);
      await assert.rejects(r.engine('w', 200).run({ signal: ac.signal }), CancelledError);
      assert.ok(Date.now() - started < 1500, 'cancelled promptly');
      assert.equal(recount(r.file).messages, before);
    } finally {
      r.sim.setFaults([]);
    }
    const result = await r.engine('w', 200).run();
    assert.equal(result.inserted, 500);
  });

  it('abort between fetch and commit, many times in a row: always consistent', async () => {
    r.sim.addMessages(3000);
    for (let i = 0; i < 8; i++) {
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 5 + i * 7);
      await r.engine('w', 100).run({ signal: ac.signal }).catch((e: unknown) => assert.ok(e instanceof CancelledError, String(e)));
      const c = recount(r.file);
      assert.equal(c.messages, c.distinctMsgids);
      assert.deepEqual(c.summaries, c.byChat);
    }
    await r.engine('w', 100).run();
    const c = recount(r.file);
    assert.equal(c.messages, simMessages(r.sim, Math.min(...[...c.byChat.values()].map((x) => x.first))).length);
  });
});

describe('sync: one at a time (lease)', () => {
  let r: Rig;
  before(async () => {
    r = await rig('lease', 33, 6000, 4);
  });
  after(async () => r.close());

  it('a second engine gets SyncBusyError naming the holder; the same engine too; free again after', async () => {
    r.sim.setFaults([{ kind: 'delay', delayMs: 40, path: 'sync_msg' }]);
    const a = r.engine('window-A', 100);
    const b = r.engine('window-B', 100);
    const running = a.run();
    await sleep(60);
    await assert.rejects(b.run(), (e: unknown) => e instanceof SyncBusyError && e.owner === 'window-A' && e.until > Date.now() - 1000);
    await assert.rejects(a.run(), SyncBusyError);
    assert.equal(a.running, true);
    r.sim.setFaults([]);
    await running;
    assert.equal(a.running, false);
    await b.run();
  });

  it('a crashed holder blocks only until its lease expires', async () => {
    const ghost = await r.archive.acquireLease({ owner: 'crashed', ttlMs: 300, now: Date.now() });
    assert.equal(ghost.acquired, true);
    const b = new SyncEngine(r.archive, r.client, { owner: 'window-B' });
    await assert.rejects(b.run(), (e: unknown) => e instanceof SyncBusyError && e.owner === 'crashed');
    await sleep(350);
    await b.run();
  });

  it('a page is not committed by a process that lost its lease', async () => {
    const page = await r.client.syncMsg({ limit: 10 });
    await r.archive.acquireLease({ owner: 'new-holder', ttlMs: 10_000, now: Date.now() });
    const before = recount(r.file).messages;
    await assert.rejects(
      r.archive.applyPage({ ...page, messages: [{ ...page.messages[0]!, msgid: 'never-stored' }], lease: { owner: 'old-holder', ttlMs: 1000 } }),
      (e: unknown) => e instanceof ArchiveError && e.code === 'LEASE_LOST',
    );
    assert.equal(recount(r.file).messages, before);
    assert.equal((await r.archive.resolve(['never-stored'])).missing.length, 1);
    await r.archive.releaseLease({ owner: 'new-holder' });
  });
});
