/**
 * The PostgreSQL schema's versions: a database an older build wrote is brought to this build's
 * version with what it holds kept, each msgid still once, and read back as before; a database a
 * newer build wrote is refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ArchiveError } from '../../src/core/archive/errors';
import { PgArchive } from '../../src/core/archive/pg/archive';
import { migratePg, PG_MIGRATIONS, PG_SCHEMA_VERSION } from '../../src/core/archive/pg/schema';
import { parseMessage } from '../../src/core/wecom/wire';
import type { ArchiveMessage } from '../../src/shared/wire';
import { freshDatabase } from '../harness/postgres';
import { connect } from './helpers';

function message(i: number): ArchiveMessage {
  const m = parseMessage({
    msgid: `mig-${i}`,
    sender: { type: 1, id: `wo${i % 2}` },
    receiver_list: [{ type: 2, id: 'wm0' }],
    send_time: 1_765_000_000 + i,
    msgtype: 1,
  });
  assert.ok(m);
  return m;
}

/** Each index of the table, as PostgreSQL defines it. */
async function indexes(db: Awaited<ReturnType<typeof connect>>, table: string): Promise<string[]> {
  const r = await db.query<{ def: string }>('SELECT indexdef AS def FROM pg_indexes WHERE tablename = $1 ORDER BY indexname', [table]);
  return r.rows.map((x) => x.def);
}

describe('PostgreSQL schema versions', () => {
  let url: string;
  let db: Awaited<ReturnType<typeof connect>>;

  before(async () => {
    url = await freshDatabase('migrate');
    db = await connect(url);
  });

  after(async () => {
    await db?.end();
  });

  it('a version-1 archive is migrated with every message kept once and readable', async () => {
    assert.ok(PG_SCHEMA_VERSION >= 2);
    assert.equal(await migratePg(db, PG_MIGRATIONS.slice(0, 1)), 0);
    const corps = ['corp-a', 'corp-b'];
    for (const corp of corps) {
      const old = await PgArchive.open(url, corp, { migrate: false });
      await old.applyPage({ messages: [0, 1, 2, 3].map(message), nextCursor: 'c1', hasMore: true });
      await old.close();
    }
    assert.match((await indexes(db, 'msgids')).join('\n'), /\(corp_id, mkey\)/, 'the version-1 key, before');

    const a = await PgArchive.open(url, 'corp-a'); // migrates
    try {
      const versions = await db.query<{ v: number }>('SELECT max(version) AS v FROM archive_migrations');
      assert.equal(versions.rows[0]!.v, PG_SCHEMA_VERSION);
      assert.match((await indexes(db, 'msgids')).join('\n'), /\(mkey, corp_id\)/);
      assert.match((await indexes(db, 'messages')).join('\n'), /messages_by_chat ON ONLY public\.messages USING btree \(khash, send_time, seq\)/);
      // Stored before, refused again after; the new ones taken; the cursor kept.
      const again = await a.applyPage({ messages: [2, 3, 4, 5].map(message), nextCursor: 'c2', hasMore: false, after: 'c1' });
      assert.equal(again.inserted, 2);
      const { found, missing } = await a.resolve([0, 1, 2, 3, 4, 5].map((i) => `mig-${i}`));
      assert.deepEqual(missing, []);
      assert.deepEqual(found.map((m) => m?.msgid), [0, 1, 2, 3, 4, 5].map((i) => `mig-${i}`));
      const chat = found[0]!.chatKey;
      const paged = await a.pageMessages({ chatKey: chat, direction: 'newer', limit: 10 });
      assert.deepEqual(paged.map((m) => m.msgid), [0, 2, 4].map((i) => `mig-${i}`), 'a chat pages through the new index');
      assert.equal((await a.stats()).messages, 6);
    } finally {
      await a.close();
    }
    // The other corp, untouched by corp-a's pages, still holds its four.
    const b = await PgArchive.open(url, 'corp-b');
    try {
      assert.equal((await b.stats()).messages, 4);
      assert.equal((await b.applyPage({ messages: [0, 1].map(message), nextCursor: 'c2', hasMore: false })).inserted, 0);
    } finally {
      await b.close();
    }
  });

  it('a database of a newer build is refused, and left as it is', async () => {
    await db.query('INSERT INTO archive_migrations(version) VALUES ($1)', [PG_SCHEMA_VERSION + 1]);
    await assert.rejects(
      PgArchive.open(url, 'corp-a'),
      (e: unknown) => e instanceof ArchiveError && e.code === 'NEWER_SCHEMA' && e.message.includes(`${PG_SCHEMA_VERSION + 1}`),
    );
    await db.query('DELETE FROM archive_migrations WHERE version = $1', [PG_SCHEMA_VERSION + 1]);
  });
});
