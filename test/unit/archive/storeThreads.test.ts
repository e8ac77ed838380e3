/**
 * The process's store threads: archives share a few warm threads, each archive keeps its own file,
 * and a thread that dies fails exactly the archives it served, while what they committed stays.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { type Archive, openArchive } from '../../../src/core/archive/archive';
import { ArchiveError } from '../../../src/core/archive/errors';
import { STORE_THREADS, storeThreadsFor } from '../../../src/core/archive/storeThreads';
import type { ArchiveMessage } from '../../../src/shared/wire';
import { parseMessage } from '../../../src/core/wecom/wire';
import { buildBundles, sleep, tempDir } from './helpers';

let workerPath: string;
let dir: string;

before(async () => {
  workerPath = (await buildBundles()).worker;
  dir = tempDir();
});

function page(tag: string, count: number): ArchiveMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const m = parseMessage({ msgid: `${tag}-${i}`, sender: { type: 1, id: 'wo1' }, receiver_list: [{ type: 2, id: `wm-${tag}` }], send_time: 1_700_000_000 + i, msgtype: 1 });
    if (!m) throw new Error('fixture');
    return m;
  });
}

const isDied = (e: unknown): boolean => e instanceof ArchiveError && e.code === 'WORKER_DIED';

/** Each archive's messages by msgid prefix, as its own store reads them back. */
async function tags(archive: Archive): Promise<string[]> {
  const { chats } = await archive.listChats({ kind: 'single', limit: 10 });
  const out: string[] = [];
  for (const chat of chats) for (const m of await archive.pageMessages({ chatKey: chat.key, direction: 'older', limit: 100 })) out.push(m.msgid.split('-')[0] ?? '');
  return [...new Set(out)];
}

describe('store threads', () => {
  it('many archives share a few threads; each keeps its own file; one closed leaves the others open', async () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    await stat(dir); // libuv's own threads start with the first asynchronous file call: not counted below
    const threadsBefore = readdirSync('/proc/self/task').length;
    const archives = await Promise.all(names.map((n) => openArchive(join(dir, `share-${n}.sqlite`), { workerPath })));
    try {
      assert.equal(storeThreadsFor(workerPath).workers.length, STORE_THREADS, 'five archives, no more threads than the pool holds');
      const added = readdirSync('/proc/self/task').length - threadsBefore;
      assert.ok(added <= 2 * STORE_THREADS, `${added} threads for five archives: a store thread and a checkpointer thread each, at most`);
      // Each archive's commits reach its own file through the checkpointer its store thread shares.
      const sizes = names.map((n) => statSync(join(dir, `share-${n}.sqlite`)).size);
      await Promise.all(archives.map((a, i) => a.applyPage({ messages: page(`${names[i]}big`, 3000), nextCursor: `big-${i}`, hasMore: false })));
      for (const [i, n] of names.entries()) {
        const file = join(dir, `share-${n}.sqlite`);
        for (let t = 0; t < 50 && statSync(file).size < (sizes[i] ?? 0) + 500_000; t++) await sleep(100);
        assert.ok(statSync(file).size >= (sizes[i] ?? 0) + 500_000, `${n}: its committed pages reached its database file`);
      }
      await Promise.all(archives.map((a, i) => a.applyPage({ messages: page(names[i] ?? '', 30), nextCursor: `c-${i}`, hasMore: false })));
      await archives[0]?.close();
      for (const [i, a] of archives.entries()) {
        if (i === 0) {
          await assert.rejects(a.stats(), (e: unknown) => e instanceof ArchiveError && e.code === 'CLOSED');
          continue;
        }
        assert.deepEqual((await tags(a)).sort(), [names[i], `${names[i]}big`].sort());
        assert.equal((await a.syncState()).cursor, `c-${i}`);
      }
    } finally {
      await Promise.all(archives.map((a) => a.close()));
    }
  });

  it('a file that cannot be opened fails its own open only; the thread serves the next', async () => {
    const notAFile = join(dir, 'a-directory.sqlite');
    mkdirSync(notAFile);
    const open = await openArchive(join(dir, 'neighbour.sqlite'), { workerPath });
    try {
      await assert.rejects(openArchive(notAFile, { workerPath }), (e: unknown) => e instanceof ArchiveError && !isDied(e));
      await open.applyPage({ messages: page('n', 5), nextCursor: 'n1', hasMore: false });
      const again = await openArchive(join(dir, 'after-failure.sqlite'), { workerPath });
      assert.equal((await again.stats()).messages, 0);
      await again.close();
    } finally {
      await open.close();
    }
  });

  it('a thread that dies fails the archives it served, not the others; reopened, they hold every committed page', async () => {
    const names = ['p', 'q', 'r', 's'];
    const files = names.map((n) => join(dir, `death-${n}.sqlite`));
    const archives = await Promise.all(files.map((f) => openArchive(f, { workerPath })));
    await Promise.all(archives.map((a, i) => a.applyPage({ messages: page(names[i] ?? '', 20), nextCursor: `k-${i}`, hasMore: false })));
    const threads = storeThreadsFor(workerPath);
    const victim = threads.workers[0];
    assert.ok(victim && threads.workers.length === 2, 'two threads to choose from');
    // A write in flight on every archive when the thread goes.
    const writes = archives.map((a, i) => a.applyPage({ messages: page(`${names[i]}x`, 10), nextCursor: `late-${i}`, hasMore: false }).then(() => 'ok' as const, (e: unknown) => (isDied(e) ? ('died' as const) : e)));
    await victim.terminate();
    const outcomes = await Promise.all(writes);
    const died = outcomes.flatMap((o, i) => (o === 'died' ? [i] : []));
    assert.ok(died.length >= 1 && died.length < archives.length, `some archives died with their thread, not all: ${JSON.stringify(outcomes)}`);
    for (const [i, a] of archives.entries()) {
      if (died.includes(i)) await assert.rejects(a.stats(), isDied);
      else assert.equal(outcomes[i], 'ok');
    }
    await Promise.all(archives.map((a) => a.close()));
    const reopened = await Promise.all(files.map((f) => openArchive(f, { workerPath })));
    try {
      for (const [i, a] of reopened.entries()) {
        // The first page was committed before the thread died: it is there whichever thread served it.
        const held = await tags(a);
        assert.ok(held.includes(names[i] ?? ''), `archive ${names[i]} kept its committed page`);
        // The write in flight when the thread died is all there with its cursor, or not at all.
        const cursor = (await a.syncState()).cursor;
        if (!died.includes(i)) assert.equal(cursor, `late-${i}`);
        assert.ok(cursor === `k-${i}` || cursor === `late-${i}`, `cursor ${cursor}`);
        assert.equal(held.includes(`${names[i]}x`), cursor === `late-${i}`, `archive ${names[i]}: its late page and its cursor go together`);
      }
    } finally {
      await Promise.all(reopened.map((a) => a.close()));
    }
  });
});
