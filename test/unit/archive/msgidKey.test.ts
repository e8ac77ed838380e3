/**
 * Messages found by an integer key of their msgid (schema 2): the key function itself, the store
 * when different msgids share a key, and the migration that rebuilds a schema-1 archive.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { openArchive } from '../../../src/core/archive/archive';
import { msgidKey } from '../../../src/core/archive/msgidKey';
import { packPage } from '../../../src/core/archive/packing';
import { keyMessagesByHash, MIGRATIONS, migrate, SCHEMA_VERSION } from '../../../src/core/archive/schema';
import { ArchiveStore } from '../../../src/core/archive/store';
import { MsgIdCodec } from '../../../src/core/simulator/msgid';
import type { ArchiveMessage } from '../../../src/shared/wire';
import { parseMessage } from '../../../src/core/wecom/wire';
import { buildBundles, tempDir } from './helpers';

const dir = tempDir('msgid-key-');

function message(msgid: string, i: number): ArchiveMessage {
  const group = i % 2 === 0;
  const m = parseMessage({
    msgid,
    sender: { type: 1, id: `wo${i % 3}` },
    receiver_list: group ? [{ type: 1, id: 'wo1' }, { type: 2, id: 'wm1' }] : [{ type: 2, id: `wm${i % 4}` }],
    ...(group ? { chatid: 'wr-group' } : {}),
    send_time: 1_700_000_000 + i,
    msgtype: 1 + (i % 3),
  });
  assert.ok(m);
  return m;
}

function page(messages: ArchiveMessage[], cursor: string) {
  return { ...packPage(messages), nextCursor: cursor, hasMore: true, now: Date.now() };
}

function storedIds(db: DatabaseSync): { id: number; msgid: string; mkey: number | null }[] {
  return db.prepare('SELECT id, msgid, mkey FROM messages ORDER BY id').all() as { id: number; msgid: string; mkey: number | null }[];
}

describe('msgid keys', () => {
  it('are safe integers, equal for equal msgids, and distinct for 200k simulator msgids', () => {
    const codec = new MsgIdCodec(7);
    const seen = new Map<number, string>();
    for (let i = 0; i < 200_000; i++) {
      const msgid = codec.encode(i);
      const key = msgidKey(msgid);
      assert.ok(Number.isSafeInteger(key) && key >= 0, `${msgid} → ${key}`);
      assert.equal(msgidKey(msgid.split('').join('')), key, 'a copy of the text gives the same key');
      assert.equal(seen.get(key), undefined, `${msgid} and ${seen.get(key)} share a key`);
      seen.set(key, msgid);
    }
    // Near-identical ids (one character apart, or one longer) differ too.
    const near = ['a', 'b', 'ab', 'ba', 'aa', 'a\u0000', '\u4f1a\u8bdd', '\u4f1a\u8be0'].map(msgidKey);
    assert.equal(new Set(near).size, near.length);
  });

  it('never change: archives on disk hold them', () => {
    // Pinned on purpose. If this fails, msgidKey changed, and every existing archive would stop
    // finding its messages by msgid: write a migration instead of changing the function.
    assert.equal(msgidKey(''), 8_580_638_860_803_083);
    assert.equal(msgidKey('xxxmsgid'), 1_812_263_744_416_383);
  });

  it('the store tells apart different msgids that share a key, and still stores each once', () => {
    const db = new DatabaseSync(join(dir, 'collide.sqlite'));
    // Two keys for everything: nearly every insert collides with a stored msgid.
    const store = new ArchiveStore(db, join(dir, 'collide.sqlite'), (msgid) => msgid.length % 2);
    const messages = Array.from({ length: 40 }, (_, i) => message(`m-${'x'.repeat(i % 5)}-${i}`, i));
    assert.equal(store.applyPage(page(messages, 'c1')).inserted, 40);
    assert.equal(store.applyPage(page(messages, 'c2')).inserted, 0, 'the same messages again: nothing');
    assert.equal(store.applyPage(page([...messages.slice(5, 9), message('m-new', 41)], 'c3')).inserted, 1);
    const rows = storedIds(db);
    assert.equal(rows.length, 41);
    assert.equal(new Set(rows.map((r) => r.msgid)).size, 41);
    assert.equal(rows.filter((r) => r.mkey !== null).length, 2, 'one message per key holds it; the rest go without');

    const ids = [...messages.map((m) => m.msgid), 'm-new', 'absent', 'absen'];
    const found = store.resolve(ids);
    assert.deepEqual(
      found.map((row) => (row ? (JSON.parse(row[1]) as { msgid: string }).msgid : undefined)),
      [...ids.slice(0, 41), undefined, undefined],
    );
    // Keyset paging from a message stored without a key starts right after it.
    const keyless = rows.find((r) => r.mkey === null && r.msgid.startsWith('m-x'))!;
    const from = messages.find((m) => m.msgid === keyless.msgid)!;
    const chatKey = found[messages.indexOf(from)]![0];
    const newer = store.pageMessages({ chatKey, direction: 'newer', limit: 3, from: { sendTime: from.sendTime, msgid: from.msgid } });
    assert.ok(newer.length > 0);
    for (const [, raw] of newer) assert.ok((JSON.parse(raw) as { send_time: number }).send_time > from.sendTime);
    store.close();
  });
});

describe('migration 2: a schema-1 archive rebuilt with msgid keys', () => {
  /** A schema-1 file with three messages whose rowids have gaps, as deletes never happen but rollbacks do. */
  function schema1(file: string): DatabaseSync {
    const db = new DatabaseSync(file);
    migrate(db, MIGRATIONS.slice(0, 1));
    db.exec(`
      INSERT INTO parties(id, pid, type) VALUES (1, 'wo1', 1), (2, 'wm1', 2);
      INSERT INTO recv_sets(id, json) VALUES (1, '[{"type":2,"id":"wm1"}]');
      INSERT INTO chats(id, key, kind, chatid, party_a, party_b, first_time, last_time, count, member_count, party_types, counts_by_type, key_versions)
        VALUES (1, 's:wm1|wo1', 2, NULL, 2, 1, 100, 300, 3, 2, 6, '{"1":3}', '[]');
      INSERT INTO messages(id, msgid, chat, send_time, msgtype, sender, recv, raw) VALUES
        (3, 'old-a', 1, 100, 1, 1, 1, '{"msgid":"old-a","sender":{"type":1,"id":"wo1"},"receiver_list":0,"send_time":100,"msgtype":1}'),
        (10, 'old-bb', 1, 200, 1, 1, 1, '{"msgid":"old-bb","sender":{"type":1,"id":"wo1"},"receiver_list":0,"send_time":200,"msgtype":1}'),
        (11, 'old-c', 1, 300, 1, 1, NULL, '{"msgid":"old-c","sender":{"type":1,"id":"wo1"},"send_time":300,"msgtype":1}');
    `);
    return db;
  }

  const columns = 'SELECT id, msgid, chat, send_time, msgtype, sender, recv, raw FROM messages ORDER BY id';

  it('keeps every row and rowid, keys each msgid, and swaps the text index for the key index', () => {
    const file = join(dir, 'v1.sqlite');
    const db = schema1(file);
    const before = db.prepare(columns).all();
    const store = new ArchiveStore(db, file);
    assert.equal(store.schemaBefore, 1);
    assert.equal((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, SCHEMA_VERSION);
    assert.deepEqual(db.prepare(columns).all(), before);
    assert.deepEqual(
      storedIds(db).map((r) => r.mkey),
      storedIds(db).map((r) => msgidKey(r.msgid)),
    );
    const indexes = db.prepare("SELECT name, \"unique\" AS u FROM pragma_index_list('messages') ORDER BY name").all();
    assert.deepEqual(
      indexes.map((r) => ({ ...r })),
      [
        { name: 'messages_chat_time', u: 0 },
        { name: 'messages_key', u: 1 },
      ],
    );
    assert.deepEqual(
      store.resolve(['old-c', 'old-a', 'nope']).map((r) => r?.[0]),
      ['s:wm1|wo1', 's:wm1|wo1', undefined],
    );
    assert.equal(store.resolve(['old-a'])[0]![1].includes('"receiver_list":[{"type":2,"id":"wm1"}]'), true);
    store.close();
  });

  it('gives the pages of the old table back to the disk: the file does not stay twice the size', () => {
    const file = join(dir, 'v1-big.sqlite');
    const db = schema1(file);
    const insert = db.prepare("INSERT INTO messages(msgid, chat, send_time, msgtype, sender, recv, raw) VALUES (?, 1, ?, 1, 1, NULL, ?)");
    db.exec('BEGIN');
    for (let i = 0; i < 3000; i++) insert.run(`bulk-${i}`, 1000 + i, `{"msgid":"bulk-${i}","pad":"${'p'.repeat(600)}"}`);
    db.exec('COMMIT');
    const pagesBefore = (db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
    const store = new ArchiveStore(db, file);
    const pagesAfter = (db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
    const free = (db.prepare('PRAGMA freelist_count').get() as { freelist_count: number }).freelist_count;
    assert.equal(free, 0);
    assert.ok(pagesAfter < pagesBefore * 1.25, `${pagesBefore} pages before, ${pagesAfter} after`);
    assert.equal(store.resolve(['bulk-2999'])[0]?.[0], 's:wm1|wo1');
    store.close();
  });

  it('opening a schema-1 archive says it is upgrading first, once', async () => {
    const file = join(dir, 'v1-open.sqlite');
    schema1(file).close();
    const { worker } = await buildBundles();
    const upgrades: [number, number][] = [];
    const archive = await openArchive(file, { workerPath: worker, onUpgrade: (from, to) => upgrades.push([from, to]) });
    assert.deepEqual(upgrades, [[1, SCHEMA_VERSION]]);
    assert.deepEqual((await archive.resolve(['old-bb'])).missing, []);
    await archive.close();
    const again = await openArchive(file, { workerPath: worker, onUpgrade: (from, to) => upgrades.push([from, to]) });
    await again.close();
    const fresh = await openArchive(join(dir, 'new.sqlite'), { workerPath: worker, onUpgrade: (from, to) => upgrades.push([from, to]) });
    await fresh.close();
    assert.equal(upgrades.length, 1, 'an archive already current, or a new file, opens without it');
  });

  it('gives a key shared by two old msgids to the first only; both stay found and unique', () => {
    const file = join(dir, 'v1-collide.sqlite');
    const db = schema1(file);
    migrate(db, [MIGRATIONS[0]!, (d) => keyMessagesByHash(d, (msgid) => msgid.length)]);
    assert.deepEqual(
      storedIds(db).map((r) => [r.msgid, r.mkey]),
      [
        ['old-a', 5],
        ['old-bb', 6],
        ['old-c', null],
      ],
    );
    const store = new ArchiveStore(db, file, (msgid) => msgid.length);
    assert.deepEqual(store.resolve(['old-c', 'old-a']).map((r) => (r ? (JSON.parse(r[1]) as { msgid: string }).msgid : undefined)), ['old-c', 'old-a']);
    const again = { msgid: 'old-c', sender: { type: 1, id: 'wo1' }, send_time: 300, msgtype: 1 };
    const m = parseMessage(again);
    assert.ok(m);
    assert.equal(store.applyPage({ ...packPage([m]), nextCursor: 'c', hasMore: false, now: 1 }).inserted, 0, 'the old message again: nothing');
    store.close();
  });
});
