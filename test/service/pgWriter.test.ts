/**
 * The service's PostgreSQL writer threads (core/archive/pg/writerPool.ts), started from the
 * service bundle as it ships: pages stored on a thread are byte-exact and exactly once; a thread
 * is reused by the next corp; an open that fails says why and frees its thread; threads stopped
 * in the middle of a group fail the calls waiting on them and leave only what was committed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from 'pg';
import { ArchiveError } from '../../src/core/archive/errors';
import { PgArchive } from '../../src/core/archive/pg/archive';
import { fromPgText, toPgText } from '../../src/core/archive/pg/text';
import { PgWriterPool } from '../../src/core/archive/pg/writerPool';
import { parseMessage } from '../../src/core/wecom/wire';
import type { ArchiveMessage } from '../../src/shared/wire';
import { freshDatabase } from '../harness/postgres';
import { connect, serverBundle } from './helpers';

/** An id WeCom's documents allow: long, with markup, bidi and control characters, CJK. */
const HOSTILE = `<b>\u202e${'档'.repeat(700)}\u0000\t\n"\\${'x'.repeat(1300)}`;

function message(i: number, msgid = `w-${i}`): ArchiveMessage {
  const m = parseMessage({ msgid, sender: { type: 1, id: `wo${i % 3}` }, receiver_list: [{ type: 1, id: 'wo9' }], send_time: 1_765_000_000 + i, msgtype: 1 });
  assert.ok(m);
  return m;
}

describe('PostgreSQL writer threads', () => {
  let url: string;
  let db: Client;
  let pool: PgWriterPool;

  before(async () => {
    url = await freshDatabase('writer');
    await (await PgArchive.open(url, 'setup')).close(); // migrated, as the service does at start
    db = await connect(url);
    pool = new PgWriterPool(await serverBundle());
  });

  after(async () => {
    await pool?.close();
    await db?.end();
  });

  async function stored(corp: string): Promise<string[]> {
    const r = await db.query<{ msgid: string }>('SELECT msgid FROM messages WHERE corp_id = $1 ORDER BY seq', [toPgText(corp)]);
    // As the archive reads them back: PostgreSQL text cannot hold NUL, so it is stored escaped.
    return r.rows.map((x) => fromPgText(x.msgid));
  }

  it('stores a group of pages byte-exact and once, then serves the next corp on the same thread', async () => {
    const w = await pool.open({ connectionString: url }, 'corp-a', { notify: false });
    const first = await w.applyPage({ messages: [message(1), message(2, HOSTILE)], nextCursor: 'c1', hasMore: true, commit: false, after: '' });
    const second = await w.applyPage({ messages: [message(2, HOSTILE), message(3)], nextCursor: 'c2', hasMore: false, commit: false, continues: true, after: 'c1' });
    assert.equal(first.inserted + second.inserted, 3, 'the repeated msgid is stored once');
    assert.deepEqual((await w.commit()).inserted, 3);
    assert.equal((await w.syncState()).cursor, 'c2');
    await w.close();
    assert.deepEqual(await stored('corp-a'), ['w-1', HOSTILE, 'w-3']);
    const threads = pool.threads;
    const b = await pool.open({ connectionString: url }, 'corp-b', { notify: false });
    assert.equal(pool.threads, threads, 'the idle thread took the next corp');
    await b.applyPage({ messages: [message(4)], nextCursor: 'b1', hasMore: false });
    await b.close();
    assert.deepEqual(await stored('corp-b'), ['w-4']);
  });

  it('an open that fails names its rule and frees the thread', async () => {
    const threads = pool.threads;
    await assert.rejects(pool.open({ connectionString: url }, '', { notify: false }), (e: unknown) => e instanceof ArchiveError && e.code === 'BAD_REQUEST' && /corp id is required/.test(e.message));
    const w = await pool.open({ connectionString: url }, 'corp-c', { notify: false });
    assert.equal(pool.threads, threads);
    await w.close();
  });

  it('threads stopped in the middle of a group fail the waiting calls; only committed pages remain', async () => {
    const own = new PgWriterPool(await serverBundle());
    const w = await own.open({ connectionString: url }, 'corp-d', { notify: false });
    await w.applyPage({ messages: [message(10)], nextCursor: 'd1', hasMore: true });
    await w.applyPage({ messages: [message(11)], nextCursor: 'd2', hasMore: true, commit: false, after: 'd1' });
    const waiting = w.applyPage({ messages: [message(12)], nextCursor: 'd3', hasMore: true, commit: false, continues: true, after: 'd2' });
    await own.close();
    await assert.rejects(waiting.then(() => w.commit()), (e: unknown) => e instanceof ArchiveError && e.code === 'WORKER_DIED');
    await assert.rejects(w.syncState(), (e: unknown) => e instanceof ArchiveError);
    const reader = await PgArchive.open(url, 'corp-d', { migrate: false });
    try {
      // The open group's transaction died with its connection: neither its rows nor its cursor.
      for (let i = 0; i < 50 && (await stored('corp-d')).length > 1; i++) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(await stored('corp-d'), ['w-10']);
      assert.equal((await reader.syncState()).cursor, 'd1');
    } finally {
      await reader.close();
    }
  });
});
