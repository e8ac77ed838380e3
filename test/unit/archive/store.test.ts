/**
 * The store against the real simulator over HTTP: migrations, insert-or-ignore, summaries equal a
 * recount and an independent JS count, keyset paging both ways, locate, resolve, filters, stats.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { type Archive, openArchive } from '../../../src/core/archive/archive';
import { setAutoCheckpoint } from '../../../src/core/archive/db';
import { ArchiveError } from '../../../src/core/archive/errors';
import { migrate, SCHEMA_VERSION } from '../../../src/core/archive/schema';
import type { ChatCursor, ChatSummary, StoredMessage } from '../../../src/core/archive/types';
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator/index';
import { type SyncPage, WeComClient } from '../../../src/core/wecom/client';
import type { ArchiveMessage } from '../../../src/shared/wire';
import { buildBundles, type ExpectedChat, expectedChats, recount, simTokenSource, tempDir } from './helpers';
import { pagesOf } from '../wecom/helpers';

let sim: RunningSimulator;
let archive: Archive;
let file: string;
let workerPath: string;
const pages: SyncPage[] = [];
let messages: ArchiveMessage[] = [];
let expected: Map<string, ExpectedChat>;

before(async () => {
  workerPath = (await buildBundles()).worker;
  sim = await startSimulator({ seed: 21, messages: 12_000, days: 4, rateLimits: { noTokenPerMinute: 1_000_000 } });
  file = join(tempDir(), 'store.sqlite');
  archive = await openArchive(file, { workerPath });
  const client = new WeComClient({ tokenSource: simTokenSource(sim), baseUrl: sim.url });
  for await (const page of pagesOf((r) => client.syncMsg(r), { limit: 500 })) {
    pages.push(page);
    await archive.applyPage(page);
  }
  await client.close();
  messages = pages.flatMap((p) => p.messages);
  expected = expectedChats(messages);
});

after(async () => {
  await archive?.close();
  await sim?.close();
});

function byId(m: ArchiveMessage): string {
  return m.msgid;
}

/** Messages of one chat in the order the store must give them: send time, then arrival. */
function chatMessages(key: string): ArchiveMessage[] {
  const list = messages.filter((m) => expectedKey(m) === key);
  return list.map((m, i) => ({ m, i })).sort((a, b) => a.m.sendTime - b.m.sendTime || a.i - b.i).map((x) => x.m);
}

const keyOf = new Map<string, string>();
function expectedKey(m: ArchiveMessage): string {
  let k = keyOf.get(m.msgid);
  if (k === undefined) {
    k = m.chatid ? `g:${m.chatid}` : (() => {
      const other = m.receivers[0] ?? m.sender;
      return m.sender.id <= other.id ? `s:${m.sender.id}|${other.id}` : `s:${other.id}|${m.sender.id}`;
    })();
    keyOf.set(m.msgid, k);
  }
  return k;
}

function biggest(kind: 'g' | 's'): ExpectedChat {
  return [...expected.values()].filter((c) => c.key.startsWith(kind)).sort((a, b) => b.count - a.count)[0]!;
}

describe('schema migrations', () => {
  it('migrates a new file to the current version, once', () => {
    const db = new DatabaseSync(':memory:');
    assert.equal(migrate(db), 0);
    assert.equal((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, SCHEMA_VERSION);
    assert.equal(migrate(db), SCHEMA_VERSION, 'a second open runs nothing');
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    for (const t of ['chat_members', 'chats', 'gaps', 'lease', 'messages', 'parties', 'recv_sets', 'sync_state']) assert.ok(tables.includes(t), t);
    db.close();
  });

  it('applies migrations in order, each atomically with its version bump', () => {
    const db = new DatabaseSync(':memory:');
    const steps = ['CREATE TABLE a(x)', 'CREATE TABLE b(y); INSERT INTO b VALUES (1); CREATE TABLE broken(']; // second fails
    assert.throws(() => migrate(db, steps));
    assert.equal((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, 1, 'stays at 1');
    assert.equal(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get(), undefined, 'no half migration');
    assert.equal(migrate(db, ['CREATE TABLE a(x)', 'CREATE TABLE b(y)']), 1);
    db.close();
  });

  it('waits for another connection that holds the write lock (another window migrating), up to a limit', async () => {
    const file = join(tempDir(), 'locked.sqlite');
    const holder = spawn(
      process.execPath,
      ['-e', `const { DatabaseSync } = require('node:sqlite'); const d = new DatabaseSync(${JSON.stringify(file)});
        d.exec('PRAGMA journal_mode = WAL'); d.exec('BEGIN IMMEDIATE'); console.log('locked');
        setTimeout(() => { d.exec('COMMIT'); d.close(); }, 1500);`],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    await new Promise((resolve) => createInterface({ input: holder.stdout! }).once('line', resolve));
    const db = new DatabaseSync(file);
    db.exec('PRAGMA busy_timeout = 50');
    assert.throws(
      () => migrate(db, ['CREATE TABLE a(x)'], 100),
      (e: unknown) => (e as { errcode?: number }).errcode === 5,
      'past the limit: SQLITE_BUSY',
    );
    const started = Date.now();
    assert.equal(migrate(db, ['CREATE TABLE a(x)'], 10_000), 0);
    assert.ok(Date.now() - started >= 300, 'it waited for the other connection');
    assert.equal((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, 1);
    db.close();
    await exited;
  });

  it('refuses a file from a newer version of the extension', () => {
    const db = new DatabaseSync(':memory:');
    db.exec('PRAGMA user_version = 99');
    assert.throws(() => migrate(db), (e: unknown) => e instanceof ArchiveError && e.code === 'NEWER_SCHEMA');
    db.close();
  });

  it('the archive file is WAL, versioned, and reopens', async () => {
    const db = new DatabaseSync(file, { readOnly: true });
    assert.equal((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
    assert.equal((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, SCHEMA_VERSION);
    assert.equal((db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size, 16384, 'a new file has 16 KB pages');
    db.close();
  });

  it('checkpoint thresholds are bytes of WAL, whatever the page size', () => {
    for (const pageSize of [4096, 16384]) {
      const db = new DatabaseSync(join(tempDir(), 'pages.sqlite'));
      db.exec(`PRAGMA page_size = ${pageSize}`);
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('CREATE TABLE t(x)');
      setAutoCheckpoint(db, 32 * 1024 * 1024);
      assert.equal((db.prepare('PRAGMA wal_autocheckpoint').get() as { wal_autocheckpoint: number }).wal_autocheckpoint, (32 * 1024 * 1024) / pageSize);
      db.close();
    }
  });
});

describe('archive store', () => {
  it('holds every synced message once; the same page twice inserts nothing', async () => {
    assert.ok(messages.length > 3000, `enough messages (${messages.length})`);
    const again = await archive.applyPage(pages[0]!);
    assert.deepEqual(again, { inserted: 0, changedChats: [] });
    const mid = await archive.applyPage(pages[Math.floor(pages.length / 2)]!);
    assert.equal(mid.inserted, 0);
    // The cursor follows the page applied last: put it back where the sync left it.
    assert.equal((await archive.applyPage(pages[pages.length - 1]!)).inserted, 0);
    const r = recount(file);
    assert.equal(r.messages, messages.length);
    assert.equal(r.distinctMsgids, messages.length);
    assert.deepEqual([...r.msgids].sort(), messages.map(byId).sort());
  });

  it('chat summaries equal a recount of the messages table and an independent count', async () => {
    const r = recount(file);
    assert.deepEqual(r.summaries, r.byChat, 'summary columns = SELECT count(*), min, max … GROUP BY chat');
    assert.equal(r.summaries.size, expected.size);
    for (const e of expected.values()) {
      const s = await archive.getChat(e.key);
      assert.ok(s, e.key);
      assert.equal(s.count, e.count, `${e.key} count`);
      assert.equal(s.firstTime, e.firstTime);
      assert.equal(s.lastTime, e.lastTime);
      assert.deepEqual(s.countsByType, e.countsByType);
      assert.deepEqual(s.keyVersions, e.keyVersions);
      assert.equal(s.memberCount, e.members.size, `${e.key} members`);
      assert.equal(s.kind, e.key.startsWith('g:') ? 'group' : 'single');
      if (s.kind === 'single') {
        assert.deepEqual(s.parties.map((p) => p.id), [...e.members].sort());
        assert.equal(s.key, `s:${s.parties.map((p) => p.id).join('|')}`);
      } else {
        assert.equal(s.key, `g:${s.chatid}`);
        assert.deepEqual(s.parties, []);
      }
    }
    assert.equal(await archive.getChat('g:nope'), undefined);
  });

  it('senders(chat) lists who sent how much, most first', async () => {
    const g = biggest('g');
    const got = await archive.senders(g.key);
    assert.deepEqual(new Map(got.map((s) => [s.id, s.count])), g.senders);
    for (let i = 1; i < got.length; i++) assert.ok(got[i - 1]!.count >= got[i]!.count);
    assert.deepEqual(await archive.senders('g:nope'), []);
  });

  it('stored messages come back exactly as the client parsed them', async () => {
    const sample = messages.filter((_, i) => i % Math.floor(messages.length / 100) === 0).slice(0, 100);
    const { found, missing } = await archive.resolve(sample.map(byId));
    assert.deepEqual(missing, []);
    found.forEach((m, i) => {
      const want = sample[i]!;
      assert.deepEqual({ ...m, chatKey: undefined }, { ...want, chatKey: undefined });
      assert.equal(m?.chatKey, expectedKey(want));
      assert.deepEqual(m?.raw, want.raw, 'raw JSON, receiver_list included');
    });
  });

  it('resolve answers in the order given and lists the missing ids', async () => {
    const ids = [messages[5]!.msgid, 'nope-1', messages[0]!.msgid, messages[5]!.msgid, 'nope-2'];
    const { found, missing } = await archive.resolve(ids);
    assert.deepEqual(found.map((m) => m?.msgid), [ids[0], undefined, ids[2], ids[3], undefined]);
    assert.deepEqual(missing, ['nope-1', 'nope-2']);
    assert.deepEqual(await archive.resolve([]), { found: [], missing: [] });
    await assert.rejects(archive.resolve(Array.from({ length: 101 }, (_, i) => `x${i}`)), (e: unknown) => e instanceof ArchiveError && e.code === 'BAD_REQUEST');
  });

  for (const kind of ['g', 's'] as const) {
    it(`keyset paging of a ${kind === 'g' ? 'group' : 'single'} chat, both directions: no gaps, no repeats`, async () => {
      const chat = biggest(kind);
      const want = chatMessages(chat.key).map(byId);
      assert.ok(want.length > 40, `chat big enough (${want.length})`);
      // Older: from the newest back to the start.
      const older: StoredMessage[][] = [];
      let from: { sendTime: number; msgid: string } | undefined;
      for (;;) {
        const page = await archive.pageMessages({ chatKey: chat.key, direction: 'older', limit: 13, ...(from ? { from } : {}) });
        if (page.length === 0) break;
        assert.ok(page.length <= 13);
        for (let i = 1; i < page.length; i++) assert.ok(page[i - 1]!.sendTime <= page[i]!.sendTime, 'ascending in the result');
        older.unshift(page);
        from = { sendTime: page[0]!.sendTime, msgid: page[0]!.msgid };
      }
      assert.deepEqual(older.flat().map(byId), want);
      // Newer: from the start to the end.
      const newer: StoredMessage[] = [];
      from = undefined;
      for (;;) {
        const page = await archive.pageMessages({ chatKey: chat.key, direction: 'newer', limit: 17, ...(from ? { from } : {}) });
        if (page.length === 0) break;
        newer.push(...page);
        const last = page[page.length - 1]!;
        from = { sendTime: last.sendTime, msgid: last.msgid };
      }
      assert.deepEqual(newer.map(byId), want);
      // From the middle, both ways.
      const mid = chatMessages(chat.key)[Math.floor(want.length / 2)]!;
      const at = { sendTime: mid.sendTime, msgid: mid.msgid };
      const i = want.indexOf(mid.msgid);
      assert.deepEqual((await archive.pageMessages({ chatKey: chat.key, direction: 'older', from: at, limit: 10 })).map(byId), want.slice(i - 10, i));
      assert.deepEqual((await archive.pageMessages({ chatKey: chat.key, direction: 'newer', from: at, limit: 10 })).map(byId), want.slice(i + 1, i + 11));
    });
  }

  it('pages filtered by msgtype and by sender', async () => {
    const chat = biggest('g');
    const all = chatMessages(chat.key);
    const types = [...new Set(all.map((m) => m.msgtype))].slice(0, 2);
    const byType = await archive.pageMessages({ chatKey: chat.key, direction: 'newer', limit: 1000, msgtypes: types });
    assert.deepEqual(byType.map(byId), all.filter((m) => types.includes(m.msgtype)).map(byId));
    const sender = all[0]!.sender.id;
    const bySender = await archive.pageMessages({ chatKey: chat.key, direction: 'older', limit: 1000, sender });
    assert.deepEqual(bySender.map(byId), all.filter((m) => m.sender.id === sender).map(byId));
    assert.deepEqual(await archive.pageMessages({ chatKey: chat.key, direction: 'older', limit: 10, sender: 'nobody' }), []);
    assert.deepEqual(await archive.pageMessages({ chatKey: 'g:nope', direction: 'older', limit: 10 }), []);
  });

  it('locate finds the first message at or after a time (jump to date)', async () => {
    const chat = biggest('s');
    const all = chatMessages(chat.key);
    const target = all[Math.floor(all.length / 3)]!;
    const prev = all[all.indexOf(target) - 1]!;
    const t = prev.sendTime < target.sendTime ? prev.sendTime + 1 : target.sendTime;
    const first = all.find((m) => m.sendTime >= t)!;
    assert.deepEqual(await archive.locate({ chatKey: chat.key, sendTime: t }), { sendTime: first.sendTime, msgid: first.msgid });
    assert.deepEqual(await archive.locate({ chatKey: chat.key, sendTime: 0 }), { sendTime: all[0]!.sendTime, msgid: all[0]!.msgid });
    const last = all[all.length - 1]!;
    assert.deepEqual(await archive.locate({ chatKey: chat.key, sendTime: last.sendTime + 10_000 }), { sendTime: last.sendTime, msgid: last.msgid });
    assert.equal(await archive.locate({ chatKey: 'g:nope', sendTime: 0 }), undefined);
  });

  async function listAll(kind: 'group' | 'single', filter?: Parameters<Archive['listChats']>[0]['filter']): Promise<ChatSummary[]> {
    const out: ChatSummary[] = [];
    let after: ChatCursor | undefined;
    for (let guard = 0; guard < 1000; guard++) {
      const page = await archive.listChats({ kind, limit: 7, ...(after ? { after } : {}), ...(filter ? { filter } : {}) });
      out.push(...page.chats);
      if (!page.next) break;
      after = page.next;
    }
    return out;
  }

  function wantOrder(list: ExpectedChat[]): string[] {
    return list.sort((a, b) => b.lastTime - a.lastTime || (a.key < b.key ? 1 : -1)).map((c) => c.key);
  }

  it('listChats pages newest activity first, keyset, no repeats; countChats agrees', async () => {
    for (const kind of ['group', 'single'] as const) {
      const got = await listAll(kind);
      const want = wantOrder([...expected.values()].filter((c) => c.key.startsWith(kind === 'group' ? 'g:' : 's:')));
      assert.deepEqual(got.map((c) => c.key), want);
      assert.equal(await archive.countChats({ kind }), want.length);
    }
    assert.equal(await archive.countChats({}), expected.size);
  });

  it('listChats and countChats filter by id, party type and activity', async () => {
    const g = biggest('g');
    const member = [...g.members][1]!;
    const cases: { filter: Parameters<Archive['listChats']>[0]['filter']; test: (c: ExpectedChat) => boolean }[] = [
      { filter: { idContains: g.chatid!.slice(3, 12).toUpperCase() }, test: (c) => (c.chatid ?? '').toLowerCase().includes(g.chatid!.slice(3, 12).toLowerCase()) || [...c.members].some((m) => m.toLowerCase().includes(g.chatid!.slice(3, 12).toLowerCase())) },
      { filter: { idContains: member }, test: (c) => c.members.has(member) },
      { filter: { idContains: '%_' }, test: () => false },
      { filter: { partyType: 2 }, test: (c) => c.memberTypes.has(2) },
      { filter: { partyType: 3 }, test: (c) => c.memberTypes.has(3) },
    ];
    const times = [...expected.values()].map((c) => c.lastTime).sort((a, b) => a - b);
    const since = times[Math.floor(times.length / 2)]!;
    const until = since + 3600;
    cases.push({ filter: { activeSince: since }, test: (c) => c.lastTime >= since });
    cases.push({ filter: { activeSince: since, activeUntil: until, partyType: 1 }, test: (c) => c.lastTime >= since && c.firstTime <= until && c.memberTypes.has(1) });
    for (const { filter, test } of cases) {
      for (const kind of ['group', 'single'] as const) {
        const want = wantOrder([...expected.values()].filter((c) => c.key.startsWith(kind === 'group' ? 'g:' : 's:') && test(c)));
        const got = await listAll(kind, filter);
        assert.deepEqual(got.map((c) => c.key), want, JSON.stringify({ kind, filter }));
        assert.equal(await archive.countChats({ kind, ...(filter ? { filter } : {}) }), want.length);
      }
    }
  });

  it('stats count messages, chats and bytes', async () => {
    const s = await archive.stats();
    assert.equal(s.messages, messages.length);
    assert.equal(s.chats, expected.size);
    assert.ok(s.fileBytes > 0);
  });

  it('sync state holds the last cursor and success time', async () => {
    const state = await archive.syncState();
    assert.equal(state.cursor, pages[pages.length - 1]!.nextCursor);
    assert.ok(state.lastSuccessAt && state.lastSuccessAt > 0);
    assert.equal(state.lastMessageTime, Math.max(...messages.map((m) => m.sendTime)));
    assert.deepEqual(await archive.gaps(), []);
  });

  it('refuses a missing worker, and calls after close', async () => {
    await assert.rejects(openArchive(join(tempDir(), 'x.sqlite'), { workerPath: '/nonexistent/archive-worker.js' }), (e: unknown) => e instanceof ArchiveError && e.code === 'WORKER_MISSING');
    const other = await openArchive(join(tempDir(), 'y.sqlite'), { workerPath });
    await other.close();
    await assert.rejects(other.stats(), (e: unknown) => e instanceof ArchiveError && e.code === 'CLOSED');
  });
});
