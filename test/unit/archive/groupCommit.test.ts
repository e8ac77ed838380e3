/**
 * Group commit and the checkpointer thread, against the real worker and SQLite file: pages left
 * open are invisible to other connections until committed; a failure takes the whole group back
 * and every later page is refused (by group, and by the cursor it follows); closing keeps an open
 * group; checkpoints happen off the writer's thread.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { before, describe, it } from 'node:test';
import { openArchive } from '../../../src/core/archive/archive';
import { ArchiveError } from '../../../src/core/archive/errors';
import { SCHEMA_VERSION } from '../../../src/core/archive/schema';
import { SyncEngine } from '../../../src/core/archive/sync';
import type { ArchiveMessage } from '../../../src/shared/wire';
import { parseMessage } from '../../../src/core/wecom/wire';
import { buildBundles, recount, sleep, tempDir } from './helpers';

let workerPath: string;
const dir = tempDir('group-commit-');

before(async () => {
  workerPath = (await buildBundles()).worker;
});

/** `count` messages from `from` on, spread over a few single chats and one group. */
function messages(from: number, count: number): ArchiveMessage[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    const group = i % 3 === 0;
    const m = parseMessage({
      msgid: `gc-${i}`,
      sender: { type: 1, id: `wo${i % 4}` },
      receiver_list: group ? [{ type: 1, id: 'wo1' }, { type: 2, id: 'wm1' }] : [{ type: 2, id: `wm${i % 5}` }],
      ...(group ? { chatid: 'wr-group' } : {}),
      send_time: 1_700_000_000 + i,
      msgtype: 1 + (i % 3),
      service_encrypt_info: { encrypted_secret_key: 'K'.repeat(344), public_key_ver: 1 },
    });
    assert.ok(m);
    return m;
  });
}

const isCode = (code: string) => (e: unknown) => e instanceof ArchiveError && e.code === code;

describe('group commit', () => {
  it('pages left open are invisible to other connections until committed; commit gives the group totals', async () => {
    const file = join(dir, 'open.sqlite');
    const archive = await openArchive(file, { workerPath });
    try {
      const first = await archive.applyPage({ messages: messages(0, 300), nextCursor: 'c1', hasMore: true, commit: false });
      assert.equal(first.inserted, 300);
      const second = await archive.applyPage({ messages: messages(250, 300), nextCursor: 'c2', hasMore: true, commit: false, continues: true });
      assert.equal(second.inserted, 250, 'the overlap was stored once');
      assert.equal(recount(file).messages, 0, 'another connection sees nothing yet');
      assert.equal((await archive.syncState()).cursor, 'c2', 'this connection sees its own open group');

      const totals = await archive.commit();
      assert.equal(totals.inserted, 550);
      assert.deepEqual([...totals.changedChats].sort(), [...new Set([...first.changedChats, ...second.changedChats])].sort());
      const c = recount(file);
      assert.equal(c.messages, 550);
      assert.equal(c.distinctMsgids, 550);
      assert.deepEqual(c.summaries, c.byChat, 'summaries merged once per group equal a recount');
      assert.deepEqual(await archive.commit(), { inserted: 0, changedChats: [] }, 'nothing open: a no-op');
    } finally {
      await archive.close();
    }
  });

  it('a failing page takes the whole group back, and no later page is stored past it', async () => {
    const file = join(dir, 'fail.sqlite');
    const archive = await openArchive(file, { workerPath });
    try {
      const lease = { owner: 'window-A', ttlMs: 30_000 };
      await archive.applyPage({ messages: messages(0, 100), nextCursor: 'kept', hasMore: true, lease: undefined });
      assert.equal((await archive.acquireLease({ ...lease, now: Date.now() })).acquired, true);
      await archive.applyPage({ messages: messages(100, 100), nextCursor: 'c2', hasMore: true, lease, commit: false });
      // The lease goes away inside the open group; the next page's check fails.
      await archive.releaseLease({ owner: 'window-A' });
      await assert.rejects(
        archive.applyPage({ messages: messages(200, 100), nextCursor: 'c3', hasMore: true, lease, commit: false, continues: true }),
        isCode('LEASE_LOST'),
      );
      await assert.rejects(
        archive.applyPage({ messages: messages(300, 100), nextCursor: 'c4', hasMore: false, lease, continues: true }),
        isCode('BATCH_LOST'),
      );
      // Even as the start of a new group, a page fetched after a lost one is refused by its cursor.
      await assert.rejects(
        archive.applyPage({ messages: messages(300, 100), nextCursor: 'c4', hasMore: false, after: 'c3' }),
        isCode('OUT_OF_ORDER'),
      );
      assert.equal(recount(file).messages, 100, 'only the page committed before the group');
      assert.equal((await archive.syncState()).cursor, 'kept', 'the cursor of the last commit');
      assert.equal((await archive.resolve(['gc-150', 'gc-350'])).missing.length, 2);
      // The page that does follow the stored cursor is taken.
      const next = await archive.applyPage({ messages: messages(100, 100), nextCursor: 'c2', hasMore: true, after: 'kept' });
      assert.equal(next.inserted, 100);
    } finally {
      await archive.close();
    }
  });

  it('a page that does not say it continues an open group is refused; closing keeps the open group', async () => {
    const file = join(dir, 'close.sqlite');
    const archive = await openArchive(file, { workerPath });
    await archive.applyPage({ messages: messages(0, 200), nextCursor: 'c1', hasMore: true, commit: false });
    await assert.rejects(archive.applyPage({ messages: messages(200, 10), nextCursor: 'c2', hasMore: false }), isCode('BAD_REQUEST'));
    await archive.close();
    const c = recount(file);
    assert.equal(c.messages, 200, 'the open group was committed at close');
    assert.deepEqual(c.summaries, c.byChat);
    const again = await openArchive(file, { workerPath });
    assert.equal((await again.syncState()).cursor, 'c1');
    await again.close();
  });
});

describe('no write lock across the network, and a lease that never waits for pages', () => {
  it('a lease renewal commits the open group with it; the group goes on in a new transaction', async () => {
    const file = join(dir, 'renew.sqlite');
    const archive = await openArchive(file, { workerPath });
    try {
      const lease = { owner: 'window-A', ttlMs: 30_000 };
      assert.equal((await archive.acquireLease({ ...lease, now: 1000 })).acquired, true);
      await archive.applyPage({ messages: messages(0, 100), nextCursor: 'c1', hasMore: true, lease, now: 1000, commit: false });
      assert.equal(recount(file).messages, 0, 'the group is open');
      assert.equal(await archive.renewLease({ ...lease, now: 5000 }), true);
      assert.equal(recount(file).messages, 100, 'committed with the renewal');
      const other = await archive.acquireLease({ owner: 'window-B', ttlMs: 30_000, now: 34_000 });
      assert.deepEqual(other, { acquired: false, owner: 'window-A', expiresAt: 35_000 }, 'another window sees the renewed lease');
      const next = await archive.applyPage({ messages: messages(100, 100), nextCursor: 'c2', hasMore: false, lease, now: 6000, continues: true, after: 'c1' });
      assert.equal(next.inserted, 100, 'the next page of the group is taken');
      const c = recount(file);
      assert.equal(c.messages, 200);
      assert.deepEqual(c.summaries, c.byChat);
    } finally {
      await archive.close();
    }
  });

  it('the engine commits the open group when the next page is late, before the page arrives', async () => {
    const file = join(dir, 'idle.sqlite');
    const archive = await openArchive(file, { workerPath });
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    const pages = [
      { messages: messages(0, 50), nextCursor: 'c1', hasMore: true },
      { messages: messages(50, 50), nextCursor: 'c2', hasMore: true },
      { messages: messages(100, 50), nextCursor: 'c3', hasMore: false },
    ];
    let asked = 0;
    const server = {
      syncMsg: async () => {
        const page = pages[asked++]!;
        if (asked === 3) await slow; // the third page is late
        return { ...page, limitUsed: 100, skipped: 0 };
      },
    };
    try {
      // Groups would stay open for a minute; only lateness can commit them.
      const run = new SyncEngine(archive, server, { owner: 'idle', limit: 100, commitEveryMs: 60_000, idleCommitMs: 100 }).run();
      let seen = 0;
      for (let i = 0; i < 100 && seen < 100; i++) {
        await sleep(20);
        seen = recount(file).messages;
      }
      assert.equal(seen, 100, 'the two pages before the late one were committed while it was awaited');
      assert.equal(asked, 3);
      release();
      assert.equal((await run).inserted, 150);
      assert.equal(recount(file).messages, 150);
    } finally {
      release();
      await archive.close();
    }
  });

  it('a connection opened on an older schema never writes into a newer one', async () => {
    const file = join(dir, 'newer.sqlite');
    const archive = await openArchive(file, { workerPath });
    try {
      await archive.applyPage({ messages: messages(0, 10), nextCursor: 'c1', hasMore: true });
      // A newer build migrates the file from another window.
      const newer = new DatabaseSync(file);
      newer.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
      newer.close();
      await assert.rejects(archive.applyPage({ messages: messages(10, 10), nextCursor: 'c2', hasMore: false, after: 'c1' }), isCode('SCHEMA_CHANGED'));
      await assert.rejects(archive.recordError({ message: 'x', at: 1 }), isCode('SCHEMA_CHANGED'));
      await assert.rejects(archive.acquireLease({ owner: 'old-window', ttlMs: 1000, now: 1 }), isCode('SCHEMA_CHANGED'));
      assert.equal(recount(file).messages, 10, 'nothing written after the upgrade');
      assert.equal((await archive.syncState()).cursor, 'c1');
    } finally {
      await archive.close();
    }
  });
});

/** Nice values of this process's threads (Linux). */
function threadNices(): number[] {
  return readdirSync(`/proc/${process.pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
    // Fields after "(comm) ": state is the 3rd field of stat, nice the 19th.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

describe('the store threads', () => {
  it('yield the CPU to the host: the store and the checkpointer run at nice 10 (Linux)', { skip: !existsSync('/proc/thread-self') }, async () => {
    const archive = await openArchive(join(dir, 'nice.sqlite'), { workerPath });
    try {
      await sleep(300); // the checkpointer thread starts right after the store's
      // Warm threads that earlier archives started may serve this one: at least one store thread and its checkpointer.
      const now = threadNices().filter((n) => n === 10).length;
      assert.ok(now >= 2, `threads at nice 10 with the archive open: ${now}`);
      assert.ok(threadNices().includes(0), 'this (host) thread keeps its normal priority');
    } finally {
      await archive.close();
    }
  });
});

describe('checkpointer thread', () => {
  it('committed pages reach the database file while the writer stays below its own checkpoint threshold', async () => {
    const file = join(dir, 'checkpoint.sqlite');
    const archive = await openArchive(file, { workerPath });
    try {
      const before = statSync(file).size;
      // About 1.5 MB of WAL: far below the 32 MB at which the writer would checkpoint by itself.
      await archive.applyPage({ messages: messages(0, 3000), nextCursor: 'c1', hasMore: false });
      let after = statSync(file).size;
      for (let i = 0; i < 50 && after < before + 1_000_000; i++) {
        await sleep(100);
        after = statSync(file).size;
      }
      assert.ok(after >= before + 1_000_000, `database file ${before} → ${after} bytes: checkpointed pages make it grow`);
    } finally {
      await archive.close();
    }
  });
});
