/**
 * The schema, versioned with `PRAGMA user_version`. Each migration runs in its own transaction
 * together with the version bump, so a crash mid-migration leaves the previous version intact.
 * Never edit a released migration; append a new one.
 */
import { bytesOf, textOf } from './sqlText';
import type { DatabaseSync } from 'node:sqlite';
import { ArchiveError } from './errors';
import { msgidKey } from './msgidKey';

/** SQL, or a step that needs code (run inside the migration's transaction all the same). */
export type Migration = string | ((db: DatabaseSync) => void);

/** Rows read at a time by migration 2's copy: bounds its memory (the copy is one transaction). */
const COPY_CHUNK = 10_000;

/**
 * 2: messages found by an integer key of their msgid (msgidKey.ts) instead of a unique index on
 * the text, which was a quarter of the cost of storing a page. SQLite cannot drop a column's
 * UNIQUE, so the table is rebuilt, keeping every rowid (arrival order) and column as it was.
 */
export function keyMessagesByHash(db: DatabaseSync, keyOf: (msgid: string) => number = msgidKey): void {
  db.exec(`
  CREATE TABLE messages_keyed(
    id INTEGER PRIMARY KEY,
    msgid TEXT NOT NULL,
    mkey INTEGER,                       -- msgidKey(msgid); NULL when another msgid already has it
    chat INTEGER NOT NULL,
    send_time INTEGER NOT NULL,
    msgtype INTEGER NOT NULL,
    sender INTEGER NOT NULL,
    recv INTEGER,
    raw TEXT NOT NULL
  );
  CREATE UNIQUE INDEX messages_key ON messages_keyed(mkey);
  `);
  const ids = db.prepare(`SELECT id, ${bytesOf('msgid')} FROM messages WHERE id > ? ORDER BY id LIMIT ?`);
  const copy = db.prepare(
    `INSERT OR IGNORE INTO messages_keyed(id, msgid, mkey, chat, send_time, msgtype, sender, recv, raw)
     SELECT id, msgid, ?, chat, send_time, msgtype, sender, recv, raw FROM messages WHERE id = ?`,
  );
  let after = 0;
  for (;;) {
    const rows = ids.all(after, COPY_CHUNK) as { id: number; msgid: Uint8Array }[];
    for (const r of rows) {
      // msgids were unique, so a refused key is another msgid's: this one goes without.
      if (Number(copy.run(keyOf(textOf(r.msgid)), r.id).changes) === 0) copy.run(null, r.id);
    }
    if (rows.length < COPY_CHUNK) break;
    after = rows[rows.length - 1]!.id;
  }
  db.exec(`
  DROP TABLE messages;
  ALTER TABLE messages_keyed RENAME TO messages;
  CREATE INDEX messages_chat_time ON messages(chat, send_time);
  `);
}

export const MIGRATIONS: readonly Migration[] = [
  // 1: messages, chats, members, sync state, gaps, lease.
  `
  CREATE TABLE parties(
    id INTEGER PRIMARY KEY,
    pid TEXT NOT NULL UNIQUE,
    type INTEGER NOT NULL
  );
  -- Distinct receiver_list texts (see packing.ts).
  CREATE TABLE recv_sets(
    id INTEGER PRIMARY KEY,
    json TEXT NOT NULL UNIQUE
  );
  CREATE TABLE chats(
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    kind INTEGER NOT NULL,              -- 1 group, 2 single
    chatid TEXT,
    party_a INTEGER,                    -- single chats: parties.id, sorted by pid
    party_b INTEGER,
    first_time INTEGER NOT NULL,
    last_time INTEGER NOT NULL,
    count INTEGER NOT NULL,
    member_count INTEGER NOT NULL,
    party_types INTEGER NOT NULL,       -- bit (1 << type) per member type seen
    counts_by_type TEXT NOT NULL,       -- JSON {"msgtype": n}
    key_versions TEXT NOT NULL          -- JSON [ver, …] ascending
  );
  CREATE INDEX chats_activity ON chats(kind, last_time, key);
  CREATE TABLE chat_members(
    chat INTEGER NOT NULL,
    party INTEGER NOT NULL,
    sent INTEGER NOT NULL,              -- messages sent in this chat
    PRIMARY KEY(chat, party)
  ) WITHOUT ROWID;
  -- rowid order is arrival order, which is WeCom's order for messages of the same second.
  CREATE TABLE messages(
    id INTEGER PRIMARY KEY,
    msgid TEXT NOT NULL UNIQUE,
    chat INTEGER NOT NULL,
    send_time INTEGER NOT NULL,
    msgtype INTEGER NOT NULL,
    sender INTEGER NOT NULL,
    recv INTEGER,                       -- recv_sets.id when receiver_list was cut out of raw
    raw TEXT NOT NULL
  );
  -- (chat, send_time, rowid): keyset paging in both directions.
  CREATE INDEX messages_chat_time ON messages(chat, send_time);
  CREATE TABLE sync_state(
    id INTEGER PRIMARY KEY CHECK (id = 1),
    cursor TEXT,
    last_success INTEGER,
    last_error TEXT,
    last_error_at INTEGER,
    last_message_time INTEGER
  );
  INSERT INTO sync_state(id) VALUES (1);
  CREATE TABLE gaps(
    id INTEGER PRIMARY KEY,
    from_time INTEGER NOT NULL,
    to_time INTEGER NOT NULL,
    reason TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
  );
  CREATE TABLE lease(
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  `,
  (db) => keyMessagesByHash(db),
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The file's schema version (0: a new file). */
export function userVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number } | undefined;
  return row?.user_version ?? 0;
}

/**
 * How long opening a file waits for another window that is migrating it: a rebuild holds the
 * write lock for seconds per million messages, longer than busy_timeout.
 */
export const MIGRATION_WAIT_MS = 5 * 60_000;

/** SQLITE_BUSY: another connection kept the write lock past busy_timeout. */
function isBusy(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { errcode?: unknown }).errcode === 5;
}

/** BEGIN IMMEDIATE, trying again while another connection holds the write lock, up to `waitMs`. */
function beginImmediate(db: DatabaseSync, waitMs: number): void {
  const until = Date.now() + waitMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      db.exec('BEGIN IMMEDIATE');
      return;
    } catch (error) {
      if (!isBusy(error) || Date.now() >= until) throw error;
      Atomics.wait(pause, 0, 0, 50); // this runs on the worker thread: blocking it blocks no editor
    }
  }
}

/** Brings the database to SCHEMA_VERSION; returns the version it had. */
export function migrate(db: DatabaseSync, migrations: readonly Migration[] = MIGRATIONS, waitMs = MIGRATION_WAIT_MS): number {
  const before = userVersion(db);
  if (before > migrations.length) {
    throw new ArchiveError(
      'NEWER_SCHEMA',
      `the archive was written by a newer version of the extension (schema ${before} > ${migrations.length}): update the extension`,
    );
  }
  for (let v = before; v < migrations.length; v++) {
    // IMMEDIATE: two windows opening a fresh file must not both run the same migration; the
    // second waits for the first, then finds the version bumped.
    beginImmediate(db, waitMs);
    try {
      if (userVersion(db) === v) {
        const step = migrations[v]!;
        if (typeof step === 'string') db.exec(step);
        else step(db);
        db.exec(`PRAGMA user_version = ${v + 1}`);
      }
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
  if (before > 0 && before < migrations.length) reclaimFreePages(db);
  return before;
}

/** Free pages above this share of the file are given back to the disk after a migration. */
const RECLAIM_FREE_SHARE = 0.25;

/**
 * A migration that rebuilt a table (2) leaves the old table's pages free inside the file: the
 * file stays twice the size until new messages fill them. VACUUM gives them back (about 5 s for
 * a million messages). Best effort: if another window is reading, the pages are reused later.
 */
function reclaimFreePages(db: DatabaseSync): void {
  const pages = (db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count;
  const free = (db.prepare('PRAGMA freelist_count').get() as { freelist_count: number }).freelist_count;
  if (pages === 0 || free / pages <= RECLAIM_FREE_SHARE) return;
  try {
    db.exec('VACUUM');
  } catch {
    // Busy: the free pages stay, and the next inserts use them.
  }
}
