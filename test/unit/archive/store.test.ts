/**
 * The SQLite store: migrations, and what only its file shows (a recount of the tables after a real
 * sync from the simulator, the file's size, the worker). Queries, paging and summaries are the
 * archive contract's (contract.ts), which runs on SQLite and PostgreSQL alike.
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
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator/index';
import { type SyncPage, WeComClient } from '../../../src/core/wecom/client';
import type { ArchiveMessage } from '../../../src/shared/wire';
import { buildBundles, expectedChats, recount, simTokenSource, tempDir } from './helpers';
import { pagesOf } from '../wecom/helpers';

let sim: RunningSimulator;
let archive: Archive;
let file: string;
let workerPath: string;
const pages: SyncPage[] = [];
let messages: ArchiveMessage[] = [];

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
});

after(async () => {
  await archive?.close();
  await sim?.close();
});

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

// What the contract (contract.ts, run on SQLite by contract-sqlite.test.ts) cannot see: the file.
describe('archive store: the SQLite file', () => {
  it('holds every synced message once, as a recount of the file shows; the same pages again add no row', async () => {
    assert.ok(messages.length > 3000, `enough messages (${messages.length})`);
    assert.deepEqual(await archive.applyPage(pages[0]!), { inserted: 0, changedChats: [] });
    assert.equal((await archive.applyPage(pages[Math.floor(pages.length / 2)]!)).inserted, 0);
    // The cursor follows the page applied last: put it back where the sync left it.
    assert.equal((await archive.applyPage(pages[pages.length - 1]!)).inserted, 0);
    const r = recount(file);
    assert.equal(r.messages, messages.length);
    assert.equal(r.distinctMsgids, messages.length);
    assert.deepEqual([...r.msgids].sort(), messages.map((m) => m.msgid).sort());
  });

  it('chat summaries equal a recount of the messages table', () => {
    const r = recount(file);
    assert.deepEqual(r.summaries, r.byChat, 'summary columns = SELECT count(*), min, max … GROUP BY chat');
    assert.equal(r.summaries.size, expectedChats(messages).size);
  });

  it('stats count messages, chats and the file\'s bytes', async () => {
    const s = await archive.stats();
    assert.equal(s.messages, messages.length);
    assert.equal(s.chats, expectedChats(messages).size);
    assert.ok(s.fileBytes > 0);
  });

  it('refuses a missing worker, and calls after close', async () => {
    await assert.rejects(openArchive(join(tempDir(), 'x.sqlite'), { workerPath: '/nonexistent/archive-worker.js' }), (e: unknown) => e instanceof ArchiveError && e.code === 'WORKER_MISSING');
    const other = await openArchive(join(tempDir(), 'y.sqlite'), { workerPath });
    await other.close();
    await assert.rejects(other.stats(), (e: unknown) => e instanceof ArchiveError && e.code === 'CLOSED');
  });
});
