/**
 * One SQLite connection of the store (worker thread only): prepared statements, write
 * transactions under the schema check, the open group-commit batch, and the id caches that the
 * ingest path shares with the reads. The store's modules (ingest, queries, leaseState) work
 * through it; store.ts puts them together.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { Party } from '../../shared/wire';
import type { ChatIdentity } from './chatKey';
import { ArchiveError } from './errors';
import { parseReceivers } from './packing';
import { migrate, SCHEMA_VERSION, userVersion } from './schema';
import { KIND_GROUP, KIND_SINGLE } from './storeColumns';
import type { ChatDelta } from './ingest';

/** Caches are conveniences; past this size they are simply dropped and refilled. */
const CACHE_LIMIT = 100_000;

/** The open group-commit transaction. */
export interface Batch {
  deltas: Map<number, ChatDelta>;
  inserted: number;
  changed: Set<string>;
}

export class StoreConnection {
  private readonly statements = new Map<string, StatementSync>();
  private readonly partyIds = new Map<string, number>();
  private readonly chatIds = new Map<string, number>();
  private readonly receiverIds = new Map<string, number>();
  private readonly receiverParties = new Map<string, Party[]>();
  /** `chat:party` pairs known to be in chat_members (rows are never deleted, so never stale). */
  readonly knownMembers = new Set<string>();
  /** The open batch of pages (ingest.ts), if any. */
  batch: Batch | undefined;
  /** The open batch was rolled back: a page that says it `continues` it must be refused. */
  batchLost = false;
  /** Told after every commit (the checkpointer). */
  onCommit: (() => void) | undefined;
  readonly schemaBefore: number;

  constructor(
    readonly db: DatabaseSync,
    readonly file: string,
    /** The msgid key; replaced only by tests, to make keys collide. */
    readonly keyOf: (msgid: string) => number,
  ) {
    this.schemaBefore = migrate(db);
  }

  /**
   * Hands back what a run cached: SQLite's page cache (up to 32 MB, db.ts) and the id caches (up
   * to CACHE_LIMIT entries each). An idle archive would keep them for the extension host's life:
   * 20 corps after one Sync All, ~380 MB. Freed at each run's end, a store thread reuses the same
   * memory for its next archive instead of growing by one cache per archive.
   */
  releaseMemory(): void {
    this.dropCaches();
    this.receiverParties.clear();
    this.db.exec('PRAGMA shrink_memory');
  }

  close(): void {
    this.statements.clear();
    this.db.close();
  }

  stmt(sql: string): StatementSync {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  get<T>(sql: string, ...params: SQLInputValue[]): T | undefined {
    return this.stmt(sql).get(...params) as T | undefined;
  }

  all<T>(sql: string, ...params: SQLInputValue[]): T[] {
    return this.stmt(sql).all(...params) as T[];
  }

  run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.stmt(sql).run(...params).changes);
  }

  /**
   * Starts a write transaction. IMMEDIATE takes the write lock up front (waiting up to
   * busy_timeout), so a transaction never fails half-way on a lock another window holds. Under
   * that lock the schema version is current: a window of an older build (its statements prepared
   * for the old tables) must not write into tables a newer build has migrated.
   */
  begin(): void {
    this.db.exec('BEGIN IMMEDIATE');
    const version = userVersion(this.db);
    if (version !== SCHEMA_VERSION) {
      this.db.exec('ROLLBACK');
      throw new ArchiveError(
        'SCHEMA_CHANGED',
        `the archive was upgraded by a newer version of the extension (schema ${version}, this window knows ${SCHEMA_VERSION}): reload the window`,
      );
    }
  }

  /** One write transaction (see begin). */
  write<T>(fn: () => T): T {
    // Inside an open batch (between pages): part of the batch's transaction.
    if (this.batch) {
      try {
        return fn();
      } catch (error) {
        this.rollback();
        throw error;
      }
    }
    this.begin();
    try {
      const value = fn();
      this.db.exec('COMMIT');
      this.onCommit?.();
      return value;
    } catch (error) {
      this.rollback();
      throw error;
    }
  }

  rollback(): void {
    if (this.batch) this.batchLost = true;
    this.batch = undefined;
    try {
      this.db.exec('ROLLBACK');
    } catch {
      /* already rolled back by SQLite */
    }
    // Ids cached during the failed transaction may not exist.
    this.dropCaches();
  }

  dropCaches(): void {
    this.partyIds.clear();
    this.chatIds.clear();
    this.receiverIds.clear();
    this.knownMembers.clear();
  }

  trimCaches(): void {
    if (this.partyIds.size + this.chatIds.size + this.receiverIds.size + this.knownMembers.size > CACHE_LIMIT) this.dropCaches();
    if (this.receiverParties.size > CACHE_LIMIT) this.receiverParties.clear();
  }

  partyId(pid: string, type: number): number {
    let id = this.partyIds.get(pid);
    if (id === undefined) {
      this.run('INSERT OR IGNORE INTO parties(pid, type) VALUES (?, ?)', pid, type);
      id = this.get<{ id: number }>('SELECT id FROM parties WHERE pid = ?', pid)!.id;
      this.partyIds.set(pid, id);
    }
    return id;
  }

  receiverListId(json: string): number {
    let id = this.receiverIds.get(json);
    if (id === undefined) {
      this.run('INSERT OR IGNORE INTO recv_sets(json) VALUES (?)', json);
      id = this.get<{ id: number }>('SELECT id FROM recv_sets WHERE json = ?', json)!.id;
      this.receiverIds.set(json, id);
    }
    return id;
  }

  receiversOf(json: string): Party[] {
    let parties = this.receiverParties.get(json);
    if (!parties) {
      parties = parseReceivers(json);
      this.receiverParties.set(json, parties);
    }
    return parties;
  }

  chatId(identity: ChatIdentity): number {
    let id = this.chatIds.get(identity.key);
    if (id !== undefined) return id;
    id = this.get<{ id: number }>('SELECT id FROM chats WHERE key = ?', identity.key)?.id;
    if (id === undefined) {
      const [a, b] = identity.parties;
      const partyA = a ? this.partyId(a.id, a.type) : null;
      const partyB = b ? this.partyId(b.id, b.type) : partyA;
      // Zero summary; the page's merge fills it in the same transaction.
      id = Number(
        this.stmt(
          `INSERT INTO chats(key, kind, chatid, party_a, party_b, first_time, last_time, count, member_count,
             party_types, counts_by_type, key_versions) VALUES (?, ?, ?, ?, ?, 0, 0, 0, 0, 0, '{}', '[]')`,
        ).run(identity.key, identity.kind === 'group' ? KIND_GROUP : KIND_SINGLE, identity.chatid ?? null, partyA, partyB)
          .lastInsertRowid,
      );
    }
    this.chatIds.set(identity.key, id);
    return id;
  }

  chatRowId(key: string): number | undefined {
    return this.chatIds.get(key) ?? this.get<{ id: number }>('SELECT id FROM chats WHERE key = ?', key)?.id;
  }
}
