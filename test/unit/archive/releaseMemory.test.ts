/**
 * A run's end hands back what it cached (storeConnection.ts releaseMemory: SQLite's page cache and
 * the id caches), so a thread that syncs one archive after another reuses one run's memory instead
 * of keeping it per archive. Measured as this process's resident memory after a full GC, the
 * stores on this thread so that nothing else allocates meanwhile: archives whose runs ended beside
 * archives whose runs still hold their lease, in the same process.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadSqlite, openDatabase } from '../../../src/core/archive/db';
import { packPage } from '../../../src/core/archive/packing';
import { ArchiveStore } from '../../../src/core/archive/store';
import { parseMessage } from '../../../src/core/wecom/wire';
import type { ArchiveMessage } from '../../../src/shared/wire';
import { tempDir } from './helpers';

const MESSAGES = 40_000;
const PAGE = 1000;
const MB = 1024 * 1024;
const OWNER = 'run';
const LEASE = { owner: OWNER, ttlMs: 600_000 };

function message(i: number): ArchiveMessage {
  // Many chats and long ids, as a real corp's: the run touches index pages all over the file.
  const group = i % 3 === 0;
  const m = parseMessage({
    msgid: `${'m'.repeat(40)}-${i}-${(i * 2_654_435_761) % 1_000_003}`,
    sender: { type: 1, id: `wo-sender-${i % 97}` },
    receiver_list: group ? [{ type: 1, id: `wo-sender-${(i + 1) % 97}` }, { type: 2, id: `wm-${i % 89}` }] : [{ type: 2, id: `wm-customer-${i % 1_500}` }],
    ...(group ? { chatid: `wr-group-${i % 200}` } : {}),
    send_time: 1_700_000_000 + i,
    msgtype: 1 + (i % 5),
  });
  assert.ok(m);
  return m;
}

function page(from: number, count: number, cursor: string) {
  const batch = Array.from({ length: count }, (_, k) => message(from + k));
  return { ...packPage(batch), nextCursor: cursor, hasMore: true, now: Date.now(), lease: LEASE };
}

v8.setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** This process's resident memory once the garbage is collected (the id caches are JS objects). */
function residentBytes(): number {
  collectGarbage();
  return process.memoryUsage().rss;
}

/** A first sync of `MESSAGES` into a new archive; the run ends (lease released) or goes on holding it. */
function sync(store: ArchiveStore, end: boolean): void {
  assert.equal(store.acquireLease({ ...LEASE, now: Date.now() }).acquired, true);
  for (let from = 0; from < MESSAGES; from += PAGE) store.applyPage(page(from, PAGE, `c${from}`));
  if (end) store.releaseLease({ owner: OWNER });
}

describe('the end of a run', () => {
  it('releases the caches it filled: the next archive on the thread reuses that memory', (t) => {
    const dir = tempDir('release-memory-');
    const stores: ArchiveStore[] = [];
    const open = (): ArchiveStore => {
      const file = join(dir, `${stores.length}.sqlite`);
      const store = new ArchiveStore(openDatabase(loadSqlite(), file), file);
      stores.push(store);
      return store;
    };
    /** Memory growth over `runs` archives synced one after another, after a first one to warm up. */
    const growth = (runs: number, end: boolean): number => {
      sync(open(), end);
      const from = residentBytes();
      for (let i = 0; i < runs; i++) sync(open(), end);
      return residentBytes() - from;
    };
    try {
      const ended = growth(2, true);
      const holding = growth(2, false);
      const figures = `2 archives whose runs ended: +${(ended / MB).toFixed(1)} MB; 2 whose runs went on: +${(holding / MB).toFixed(1)} MB`;
      t.diagnostic(figures);
      // db.ts caps each cache at 32 MB; a run over this file fills well over 8 MB of it.
      assert.ok(holding > 16 * MB, `caches held by running syncs should show: ${figures}`);
      assert.ok(ended < holding / 2, `ended runs should keep no cache each: ${figures}`);

      // An archive whose cache was let go reads and writes on: a page of stored messages adds nothing.
      const first = stores[0] as ArchiveStore;
      assert.equal(first.acquireLease({ ...LEASE, now: Date.now() }).acquired, true);
      assert.equal(first.applyPage(page(0, PAGE, 'again')).inserted, 0);
      assert.equal(first.applyPage(page(MESSAGES, PAGE, 'more')).inserted, PAGE);
      assert.equal(first.stats().messages, MESSAGES + PAGE);
      first.releaseLease({ owner: OWNER });
    } finally {
      for (const s of stores) s.close();
    }
  });
});
