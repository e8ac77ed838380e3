/**
 * The store's operations on one SQLite connection. Runs in the worker thread only (synchronous
 * node:sqlite calls); the host reaches it through archive.ts.
 *
 * Exactly-once comes from applyPage: messages (INSERT OR IGNORE by msgid key), the summaries of the
 * chats they touch and the next cursor are written in one transaction. Summaries are merged in
 * memory from the rows actually inserted, then written once per changed chat at commit.
 *
 * Group commit: the sync engine may leave a page's transaction open (`commit: false`) so the next
 * pages join it. A commit costs about as much as the index pages it dirties, and a thousand random
 * msgids dirty nearly a thousand pages, so committing every couple of seconds instead of every
 * page is several times faster (sync.ts). Every page leaves the open transaction consistent (its
 * messages and its cursor), so committing at any page boundary is safe; a failure rolls back
 * the whole batch, and a page that then says it `continues` it gets BATCH_LOST. A page also names
 * the cursor it was fetched with (`after`): one whose predecessor was lost is refused even when it
 * would start a new batch.
 */
import { statSync } from 'node:fs';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { Party } from '../../shared/wire';
import { type ChatIdentity, chatIdentity } from './chatKey';
import { setAutoCheckpoint } from './db';
import { ArchiveError } from './errors';
import { joinRaw, parseReceivers } from './packing';
import type { LeaseRequest, ListChatsQuery, PackedPage, RawRow, StoreHandlers } from './protocol';
import { msgidKey } from './msgidKey';
import { migrate, SCHEMA_VERSION, userVersion } from './schema';
import { bytesOf, textOf } from './sqlText';
import type {
  ApplyResult,
  ArchiveStats,
  ChatCursor,
  ChatFilter,
  ChatSummary,
  Gap,
  GapReason,
  LeaseResult,
  MessagePosition,
  PageQuery,
  SyncState,
} from './types';

const LEASE = 'sync';
/** Caches are conveniences; past this size they are simply dropped and refilled. */
const CACHE_LIMIT = 100_000;

const KIND_GROUP = 1;
const KIND_SINGLE = 2;

/** As read: ids as bytes (sqlText.ts). */
interface ChatRow {
  id: number;
  key: Uint8Array;
  kind: number;
  chatid: Uint8Array | null;
  a_type: number | null;
  a_pid: Uint8Array | null;
  b_type: number | null;
  b_pid: Uint8Array | null;
  first_time: number;
  last_time: number;
  count: number;
  member_count: number;
  counts_by_type: string;
  key_versions: string;
}

/** What one page adds to one chat. */
interface ChatDelta {
  identity: ChatIdentity;
  count: number;
  first: number;
  last: number;
  byType: Map<number, number>;
  keyVersions: Set<number>;
  /** parties.id → messages sent on this page. */
  senders: Map<number, number>;
  /** Receiver-list texts seen (groups): every party in them is a member. */
  receiverLists: Set<string>;
  partyTypes: number;
}

const CHAT_COLUMNS = `c.id, ${bytesOf('c.key')}, c.kind, ${bytesOf('c.chatid')}, pa.type AS a_type, ${bytesOf('pa.pid', 'a_pid')},
  pb.type AS b_type, ${bytesOf('pb.pid', 'b_pid')}, c.first_time, c.last_time, c.count, c.member_count, c.counts_by_type, c.key_versions`;
const CHAT_FROM = 'chats c LEFT JOIN parties pa ON pa.id = c.party_a LEFT JOIN parties pb ON pb.id = c.party_b';
/** Messages `m` whose msgid is the parameters (key, msgid): by its key, or without one (msgidKey.ts). */
const M_BY_MSGID = '(m.mkey = ? OR m.mkey IS NULL) AND m.msgid = ?';

/**
 * The send_time kept in the index columns. The message's text keeps the value as sent; the
 * columns only order and page. node:sqlite stores an integer beyond 2^53 (and below 2^63) as one it
 * cannot read back, so those are held at ±(2^53 − 1): same order, and every read answers.
 */
function indexTime(t: number): number {
  if (Number.isSafeInteger(t) || !Number.isInteger(t) || Math.abs(t) >= 2 ** 63) return t;
  return Math.sign(t) * Number.MAX_SAFE_INTEGER;
}

function typeBit(type: number): number {
  return type >= 0 && type < 31 ? 1 << type : 0;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The open group-commit transaction. */
interface Batch {
  deltas: Map<number, ChatDelta>;
  inserted: number;
  changed: Set<string>;
}

export class ArchiveStore implements StoreHandlers {
  private readonly statements = new Map<string, StatementSync>();
  private readonly partyIds = new Map<string, number>();
  private readonly chatIds = new Map<string, number>();
  private readonly receiverIds = new Map<string, number>();
  private readonly receiverParties = new Map<string, Party[]>();
  /** `chat:party` pairs known to be in chat_members (rows are never deleted, so never stale). */
  private readonly knownMembers = new Set<string>();
  private batch: Batch | undefined;
  /** The open batch was rolled back: a page that says it `continues` it must be refused. */
  private batchLost = false;
  /** Told after every commit (the checkpointer). */
  onCommit: (() => void) | undefined;
  readonly schemaBefore: number;

  constructor(
    private readonly db: DatabaseSync,
    private readonly file: string,
    /** The msgid key; replaced only by tests, to make keys collide. */
    private readonly keyOf: (msgid: string) => number = msgidKey,
  ) {
    this.schemaBefore = migrate(db);
  }

  // ---------------------------------------------------------------- plumbing

  /** The WAL size at which a commit checkpoints by itself. */
  setAutoCheckpoint(bytes: number): void {
    setAutoCheckpoint(this.db, bytes);
  }

  private stmt(sql: string): StatementSync {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private get<T>(sql: string, ...params: SQLInputValue[]): T | undefined {
    return this.stmt(sql).get(...params) as T | undefined;
  }

  private all<T>(sql: string, ...params: SQLInputValue[]): T[] {
    return this.stmt(sql).all(...params) as T[];
  }

  private run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.stmt(sql).run(...params).changes);
  }

  /**
   * Starts a write transaction. IMMEDIATE takes the write lock up front (waiting up to
   * busy_timeout), so a transaction never fails half-way on a lock another window holds. Under
   * that lock the schema version is current: a window of an older build (its statements prepared
   * for the old tables) must not write into tables a newer build has migrated.
   */
  private begin(): void {
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
  private write<T>(fn: () => T): T {
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

  private rollback(): void {
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

  private dropCaches(): void {
    this.partyIds.clear();
    this.chatIds.clear();
    this.receiverIds.clear();
    this.knownMembers.clear();
  }

  private trimCaches(): void {
    if (this.partyIds.size + this.chatIds.size + this.receiverIds.size + this.knownMembers.size > CACHE_LIMIT) this.dropCaches();
    if (this.receiverParties.size > CACHE_LIMIT) this.receiverParties.clear();
  }

  private partyId(pid: string, type: number): number {
    let id = this.partyIds.get(pid);
    if (id === undefined) {
      this.run('INSERT OR IGNORE INTO parties(pid, type) VALUES (?, ?)', pid, type);
      id = this.get<{ id: number }>('SELECT id FROM parties WHERE pid = ?', pid)!.id;
      this.partyIds.set(pid, id);
    }
    return id;
  }

  private receiverListId(json: string): number {
    let id = this.receiverIds.get(json);
    if (id === undefined) {
      this.run('INSERT OR IGNORE INTO recv_sets(json) VALUES (?)', json);
      id = this.get<{ id: number }>('SELECT id FROM recv_sets WHERE json = ?', json)!.id;
      this.receiverIds.set(json, id);
    }
    return id;
  }

  private receiversOf(json: string): Party[] {
    let parties = this.receiverParties.get(json);
    if (!parties) {
      parties = parseReceivers(json);
      this.receiverParties.set(json, parties);
    }
    return parties;
  }

  private chatId(identity: ChatIdentity): number {
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

  private chatRowId(key: string): number | undefined {
    return this.chatIds.get(key) ?? this.get<{ id: number }>('SELECT id FROM chats WHERE key = ?', key)?.id;
  }

  private assertLease(lease: { owner: string; ttlMs: number }, now: number): void {
    // Renewing inside the page's transaction: a process that lost its lease (paused past the TTL
    // while another took over) can never commit a stale cursor.
    const renewed = this.run('UPDATE lease SET expires_at = ? WHERE name = ? AND owner = ?', now + lease.ttlMs, LEASE, lease.owner);
    if (renewed === 0) throw new ArchiveError('LEASE_LOST', `the sync lease of ${lease.owner} was taken over by another process`);
  }

  // ---------------------------------------------------------------- writes

  applyPage(page: PackedPage): ApplyResult {
    // A batch that ended early by a commit (a lease renewal) is continued in a new transaction;
    // one that was rolled back is not.
    if (page.continues && !this.batch && this.batchLost) {
      throw new ArchiveError('BATCH_LOST', 'the pages before this one were rolled back; nothing after the last commit was kept');
    }
    if (!page.continues && this.batch) throw new ArchiveError('BAD_REQUEST', 'a batch of pages is still open: commit it first');
    if (!page.continues) this.batchLost = false;
    if (!this.batch) {
      this.trimCaches();
      this.begin();
      this.batch = { deltas: new Map(), inserted: 0, changed: new Set() };
    }
    let result: ApplyResult;
    try {
      result = this.insertPage(page, this.batch);
    } catch (error) {
      this.rollback();
      throw error;
    }
    if (page.commit !== false) this.commit();
    return result;
  }

  /** Commits the open batch (if any): what it inserted in all, and which chats changed. */
  commit(): ApplyResult {
    const batch = this.batch;
    if (!batch) return { inserted: 0, changedChats: [] };
    try {
      for (const [chat, d] of batch.deltas) this.mergeChat(chat, d);
      this.db.exec('COMMIT');
    } catch (error) {
      this.rollback();
      throw error;
    }
    this.batch = undefined;
    this.onCommit?.();
    return { inserted: batch.inserted, changedChats: [...batch.changed] };
  }

  private insertPage(page: PackedPage, batch: Batch): ApplyResult {
    if (page.lease) this.assertLease(page.lease, page.now);
    if (page.after !== undefined) {
      const stored = textOf(this.get<{ cursor: Uint8Array | null }>(`SELECT ${bytesOf('cursor')} FROM sync_state WHERE id = 1`)!.cursor) ?? '';
      if (stored !== page.after) {
        throw new ArchiveError('OUT_OF_ORDER', 'this page does not follow the stored cursor (an earlier page was not stored); nothing was stored');
      }
    }
    const changed = new Set<string>();
    let inserted = 0;
    let newest = 0;
    // Each distinct list's recv_sets row, and each group's chat, looked up once per page.
    const listIds: (number | undefined)[] = [];
    const groups = new Map<string, { identity: ChatIdentity; chat: number }>();
    const n = page.msgid.length;
    for (let i = 0; i < n; i++) {
      const chatid = page.chatid[i]!;
      const senderPid = page.sender[i]!;
      const senderType = page.senderType[i]!;
      const sendTime = indexTime(page.sendTime[i]!);
      const msgtype = page.msgtype[i]!;
      let where = chatid ? groups.get(chatid) : undefined;
      if (!where) {
        const peer = page.peer[i]!;
        const identity = chatIdentity(chatid || undefined, { type: senderType, id: senderPid }, peer ? [{ type: page.peerType[i]!, id: peer }] : []);
        where = { identity, chat: this.chatId(identity) };
        if (chatid) groups.set(chatid, where);
      }
      const { identity, chat } = where;
      const senderId = this.partyId(senderPid, senderType);
      const listIndex = page.receivers[i]!;
      const list = listIndex >= 0 ? page.receiverLists[listIndex] : undefined;
      let recv: number | null = null;
      if (page.cut[i] === 1 && list !== undefined) recv = listIds[listIndex] ??= this.receiverListId(list);
      if (!this.insertMessage(page.msgid[i]!, chat, sendTime, msgtype, senderId, recv, page.raw[i]!)) continue;
      inserted++;
      if (sendTime > newest) newest = sendTime;
      let d = batch.deltas.get(chat);
      if (!d) {
        d = {
          identity,
          count: 0,
          first: sendTime,
          last: sendTime,
          byType: new Map(),
          keyVersions: new Set(),
          senders: new Map(),
          receiverLists: new Set(),
          partyTypes: 0,
        };
        batch.deltas.set(chat, d);
      }
      changed.add(identity.key);
      d.count++;
      if (sendTime < d.first) d.first = sendTime;
      if (sendTime > d.last) d.last = sendTime;
      d.byType.set(msgtype, (d.byType.get(msgtype) ?? 0) + 1);
      const keyVer = page.keyVer[i]!;
      if (!Number.isNaN(keyVer)) d.keyVersions.add(keyVer);
      d.senders.set(senderId, (d.senders.get(senderId) ?? 0) + 1);
      d.partyTypes |= typeBit(senderType);
      if (identity.kind === 'group' && list !== undefined) d.receiverLists.add(list);
    }
    this.run(
      `UPDATE sync_state SET cursor = COALESCE(NULLIF(?, ''), cursor), last_success = ?, last_error = NULL,
         last_error_at = NULL, last_message_time = MAX(COALESCE(last_message_time, 0), ?) WHERE id = 1`,
      page.nextCursor,
      page.now,
      newest,
    );
    batch.inserted += inserted;
    for (const key of changed) batch.changed.add(key);
    return { inserted, changedChats: [...changed] };
  }

  /** Stores the message unless its msgid is stored already; whether it did. */
  private insertMessage(msgid: string, chat: number, sendTime: number, msgtype: number, sender: number, recv: number | null, raw: string): boolean {
    const insert = this.stmt(
      'INSERT OR IGNORE INTO messages(msgid, mkey, chat, send_time, msgtype, sender, recv, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const key = this.keyOf(msgid);
    if (Number(insert.run(msgid, key, chat, sendTime, msgtype, sender, recv, raw).changes) > 0) return true;
    // The key is taken: by this msgid (a message stored before), or, rarely, by another msgid.
    const holder = this.get<{ msgid: Uint8Array }>(`SELECT ${bytesOf('msgid')} FROM messages WHERE mkey = ?`, key);
    if (!holder || textOf(holder.msgid) === msgid) return false;
    if (this.get('SELECT 1 FROM messages WHERE mkey IS NULL AND msgid = ?', msgid)) return false;
    return Number(insert.run(msgid, null, chat, sendTime, msgtype, sender, recv, raw).changes) > 0;
  }

  private addMember(chat: number, party: number, sent: number): void {
    const known = `${chat}:${party}`;
    if (sent > 0) {
      this.run(
        'INSERT INTO chat_members(chat, party, sent) VALUES (?, ?, ?) ON CONFLICT(chat, party) DO UPDATE SET sent = sent + excluded.sent',
        chat,
        party,
        sent,
      );
    } else if (!this.knownMembers.has(known)) {
      this.run('INSERT OR IGNORE INTO chat_members(chat, party, sent) VALUES (?, ?, 0)', chat, party);
    }
    this.knownMembers.add(known);
  }

  private mergeChat(chat: number, d: ChatDelta): void {
    const row = this.get<{
      first_time: number;
      last_time: number;
      count: number;
      party_types: number;
      counts_by_type: string;
      key_versions: string;
    }>('SELECT first_time, last_time, count, party_types, counts_by_type, key_versions FROM chats WHERE id = ?', chat)!;
    const counts = JSON.parse(row.counts_by_type) as Record<string, number>;
    for (const [type, n] of d.byType) counts[type] = (counts[type] ?? 0) + n;
    const versions = new Set(JSON.parse(row.key_versions) as number[]);
    for (const v of d.keyVersions) versions.add(v);
    let partyTypes = row.party_types | d.partyTypes;
    for (const [party, sent] of d.senders) this.addMember(chat, party, sent);
    if (d.identity.kind === 'single') {
      for (const p of d.identity.parties) {
        this.addMember(chat, this.partyId(p.id, p.type), 0);
        partyTypes |= typeBit(p.type);
      }
    } else {
      for (const list of d.receiverLists) {
        for (const p of this.receiversOf(list)) {
          this.addMember(chat, this.partyId(p.id, p.type), 0);
          partyTypes |= typeBit(p.type);
        }
      }
    }
    // Counted, not tracked: stays exact whichever process added the members.
    const members = this.get<{ n: number }>('SELECT count(*) AS n FROM chat_members WHERE chat = ?', chat)!.n;
    this.run(
      `UPDATE chats SET first_time = ?, last_time = ?, count = ?, member_count = ?, party_types = ?,
         counts_by_type = ?, key_versions = ? WHERE id = ?`,
      // A new chat's zero summary is no bound: times may be negative (hostile, but stored as sent).
      row.count === 0 ? d.first : Math.min(row.first_time, d.first),
      row.count === 0 ? d.last : Math.max(row.last_time, d.last),
      row.count + d.count,
      members,
      partyTypes,
      JSON.stringify(counts),
      JSON.stringify([...versions].sort((x, y) => x - y)),
      chat,
    );
  }

  recordGap(gap: Gap): undefined {
    this.write(() => this.insertGap(gap));
    return undefined;
  }

  private insertGap(gap: Gap): void {
    this.run('INSERT INTO gaps(from_time, to_time, reason, recorded_at) VALUES (?, ?, ?, ?)', gap.from, gap.to, gap.reason, gap.recordedAt);
  }

  resetCursor(gap: Gap | undefined): undefined {
    this.write(() => {
      if (gap) this.insertGap(gap);
      this.run('UPDATE sync_state SET cursor = NULL WHERE id = 1');
    });
    return undefined;
  }

  recordError(e: { message: string; at: number }): undefined {
    this.write(() => this.run('UPDATE sync_state SET last_error = ?, last_error_at = ? WHERE id = 1', e.message, e.at));
    return undefined;
  }

  // ---------------------------------------------------------------- lease

  acquireLease(r: LeaseRequest): LeaseResult {
    // A live lease of another owner is answered from a plain read: the window that holds it keeps
    // the write lock for seconds at a time (group commit), and the answer would be "busy" anyway.
    const held = this.get<{ owner: string; expires_at: number }>('SELECT owner, expires_at FROM lease WHERE name = ?', LEASE);
    if (held && held.owner !== r.owner && held.expires_at >= r.now) {
      return { acquired: false, owner: held.owner, expiresAt: held.expires_at };
    }
    return this.write(() => {
      // Taken when free, expired, or already ours (a restarted process with the same owner id).
      this.run(
        `INSERT INTO lease(name, owner, expires_at) VALUES (?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE lease.owner = excluded.owner OR lease.expires_at < ?`,
        LEASE,
        r.owner,
        r.now + r.ttlMs,
        r.now,
      );
      const row = this.get<{ owner: string; expires_at: number }>('SELECT owner, expires_at FROM lease WHERE name = ?', LEASE)!;
      return row.owner === r.owner
        ? { acquired: true, expiresAt: row.expires_at }
        : { acquired: false, owner: row.owner, expiresAt: row.expires_at };
    });
  }

  /**
   * Renews the lease and commits it now, also when a batch of pages is open: the batch is
   * committed with it (every page boundary is consistent). A live holder's renewal therefore
   * never waits for its pages, and another window never sees a live lease as expired.
   */
  renewLease(r: LeaseRequest): boolean {
    const renew = (): boolean => this.run('UPDATE lease SET expires_at = ? WHERE name = ? AND owner = ?', r.now + r.ttlMs, LEASE, r.owner) === 1;
    if (!this.batch) return this.write(renew);
    if (!renew()) {
      this.rollback();
      return false;
    }
    this.commit();
    return true;
  }

  releaseLease(r: { owner: string }): undefined {
    this.write(() => this.run('DELETE FROM lease WHERE name = ? AND owner = ?', LEASE, r.owner));
    return undefined;
  }

  // ---------------------------------------------------------------- reads

  private summary(row: ChatRow): ChatSummary {
    const parties: Party[] = [];
    if (row.kind === KIND_SINGLE) {
      const a = textOf(row.a_pid);
      const b = textOf(row.b_pid);
      if (a !== null) parties.push({ type: row.a_type ?? 0, id: a });
      if (b !== null && b !== a) parties.push({ type: row.b_type ?? 0, id: b });
    }
    const counts = JSON.parse(row.counts_by_type) as Record<string, number>;
    const countsByType: Record<number, number> = {};
    for (const [type, n] of Object.entries(counts)) countsByType[Number(type)] = n;
    return {
      key: textOf(row.key),
      kind: row.kind === KIND_GROUP ? 'group' : 'single',
      ...(row.chatid !== null ? { chatid: textOf(row.chatid) } : {}),
      parties,
      memberCount: row.member_count,
      firstTime: row.first_time,
      lastTime: row.last_time,
      count: row.count,
      countsByType,
      keyVersions: JSON.parse(row.key_versions) as number[],
    };
  }

  /** WHERE clauses and parameters shared by listChats and countChats. */
  private chatWhere(kind: 'group' | 'single' | undefined, filter: ChatFilter | undefined): { sql: string[]; params: SQLInputValue[] } {
    const sql = ['c.count > 0'];
    const params: SQLInputValue[] = [];
    if (kind) {
      sql.push('c.kind = ?');
      params.push(kind === 'group' ? KIND_GROUP : KIND_SINGLE);
    }
    if (filter?.idContains) {
      const like = `%${escapeLike(filter.idContains)}%`;
      sql.push(`(c.chatid LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM chat_members m JOIN parties p ON p.id = m.party
        WHERE m.chat = c.id AND p.pid LIKE ? ESCAPE '\\'))`);
      params.push(like, like);
    }
    if (filter?.partyType !== undefined) {
      sql.push('(c.party_types & ?) != 0');
      params.push(typeBit(filter.partyType));
    }
    if (filter?.activeSince !== undefined) {
      sql.push('c.last_time >= ?');
      params.push(filter.activeSince);
    }
    if (filter?.activeUntil !== undefined) {
      sql.push('c.first_time <= ?');
      params.push(filter.activeUntil);
    }
    return { sql, params };
  }

  listChats(q: ListChatsQuery): { chats: ChatSummary[]; next?: ChatCursor } {
    const limit = Math.max(1, Math.min(1000, Math.floor(q.limit)));
    const where = this.chatWhere(q.kind, q.filter);
    if (q.after) {
      where.sql.push('(c.last_time, c.key) < (?, ?)');
      where.params.push(q.after.lastTime, q.after.key);
    }
    const rows = this.all<ChatRow>(
      `SELECT ${CHAT_COLUMNS} FROM ${CHAT_FROM} WHERE ${where.sql.join(' AND ')} ORDER BY c.last_time DESC, c.key DESC LIMIT ?`,
      ...where.params,
      limit,
    );
    const chats = rows.map((r) => this.summary(r));
    const last = rows[rows.length - 1];
    return rows.length === limit && last ? { chats, next: { lastTime: last.last_time, key: textOf(last.key) } } : { chats };
  }

  countChats(q: { kind?: 'group' | 'single'; filter?: ChatFilter }): number {
    const where = this.chatWhere(q.kind, q.filter);
    return this.get<{ n: number }>(`SELECT count(*) AS n FROM chats c WHERE ${where.sql.join(' AND ')}`, ...where.params)!.n;
  }

  getChat(key: string): ChatSummary | undefined {
    const row = this.get<ChatRow>(`SELECT ${CHAT_COLUMNS} FROM ${CHAT_FROM} WHERE c.key = ? AND c.count > 0`, key);
    return row ? this.summary(row) : undefined;
  }

  pageMessages(q: PageQuery): RawRow[] {
    const chat = this.chatRowId(q.chatKey);
    if (chat === undefined) return [];
    const limit = Math.max(1, Math.min(1000, Math.floor(q.limit)));
    const older = q.direction === 'older';
    const sql = ['m.chat = ?'];
    const params: SQLInputValue[] = [chat];
    if (q.from) {
      // The keyset is (send_time, rowid). An unknown msgid pages from the second itself.
      const at = this.get<{ id: number; chat: number }>(
        `SELECT m.id, m.chat FROM messages m WHERE ${M_BY_MSGID}`,
        this.keyOf(q.from.msgid),
        q.from.msgid,
      );
      const id = at && at.chat === chat ? at.id : older ? 0 : Number.MAX_SAFE_INTEGER;
      // The plain bound on send_time gives the planner an index range; the row value is exact.
      sql.push(older ? 'm.send_time <= ? AND (m.send_time, m.id) < (?, ?)' : 'm.send_time >= ? AND (m.send_time, m.id) > (?, ?)');
      const time = indexTime(q.from.sendTime);
      params.push(time, time, id);
    }
    if (q.msgtypes && q.msgtypes.length > 0) {
      const types = q.msgtypes.filter((t) => Number.isInteger(t));
      sql.push(`m.msgtype IN (${types.map(() => '?').join(',') || 'NULL'})`);
      params.push(...types);
    }
    if (q.sender !== undefined) {
      const sender = this.get<{ id: number }>('SELECT id FROM parties WHERE pid = ?', q.sender)?.id;
      if (sender === undefined) return [];
      sql.push('m.sender = ?');
      params.push(sender);
    }
    const order = older ? 'm.send_time DESC, m.id DESC' : 'm.send_time ASC, m.id ASC';
    const rows = this.all<{ raw: string; json: string | null }>(
      `SELECT m.raw, r.json FROM messages m LEFT JOIN recv_sets r ON r.id = m.recv WHERE ${sql.join(' AND ')} ORDER BY ${order} LIMIT ?`,
      ...params,
      limit,
    );
    if (older) rows.reverse();
    return rows.map((r) => [q.chatKey, joinRaw(r.raw, r.json)]);
  }

  locate(q: { chatKey: string; sendTime: number }): MessagePosition | undefined {
    const chat = this.chatRowId(q.chatKey);
    if (chat === undefined) return undefined;
    // The first message at or after the time; past the end, the last one.
    const row =
      this.get<{ send_time: number; msgid: Uint8Array }>(
        `SELECT send_time, ${bytesOf('msgid')} FROM messages WHERE chat = ? AND send_time >= ? ORDER BY send_time, id LIMIT 1`,
        chat,
        indexTime(q.sendTime),
      ) ??
      this.get<{ send_time: number; msgid: Uint8Array }>(
        `SELECT send_time, ${bytesOf('msgid')} FROM messages WHERE chat = ? ORDER BY send_time DESC, id DESC LIMIT 1`,
        chat,
      );
    return row ? { sendTime: row.send_time, msgid: textOf(row.msgid) } : undefined;
  }

  resolve(msgids: string[]): (RawRow | undefined)[] {
    if (msgids.length > 100) throw new ArchiveError('BAD_REQUEST', `resolve takes at most 100 msgids, got ${msgids.length}`);
    const sql = `SELECT ${bytesOf('c.key')}, m.raw, r.json FROM messages m JOIN chats c ON c.id = m.chat
      LEFT JOIN recv_sets r ON r.id = m.recv WHERE ${M_BY_MSGID}`;
    return msgids.map((msgid) => {
      const row = this.get<{ key: Uint8Array; raw: string; json: string | null }>(sql, this.keyOf(msgid), msgid);
      return row ? [textOf(row.key), joinRaw(row.raw, row.json)] : undefined;
    });
  }

  senders(chatKey: string): { type: number; id: string; count: number }[] {
    const chat = this.chatRowId(chatKey);
    if (chat === undefined) return [];
    return this.all<{ type: number; id: Uint8Array; count: number }>(
      `SELECT p.type, ${bytesOf('p.pid', 'id')}, m.sent AS count FROM chat_members m JOIN parties p ON p.id = m.party
       WHERE m.chat = ? AND m.sent > 0 ORDER BY m.sent DESC, p.pid`,
      chat,
    ).map((r) => ({ type: r.type, id: textOf(r.id), count: r.count }));
  }

  syncState(): SyncState {
    const row = this.get<{
      cursor: Uint8Array | null;
      last_success: number | null;
      last_error: string | null;
      last_error_at: number | null;
      last_message_time: number | null;
    }>(`SELECT ${bytesOf('cursor')}, last_success, last_error, last_error_at, last_message_time FROM sync_state WHERE id = 1`)!;
    const cursor = textOf(row.cursor);
    return {
      ...(cursor ? { cursor } : {}),
      ...(row.last_success !== null ? { lastSuccessAt: row.last_success } : {}),
      ...(row.last_error !== null ? { lastError: { message: row.last_error, at: row.last_error_at ?? 0 } } : {}),
      ...(row.last_message_time ? { lastMessageTime: row.last_message_time } : {}),
    };
  }

  gaps(): Gap[] {
    return this.all<{ from_time: number; to_time: number; reason: string; recorded_at: number }>(
      'SELECT from_time, to_time, reason, recorded_at FROM gaps ORDER BY id',
    ).map((r) => ({ from: r.from_time, to: r.to_time, reason: r.reason as GapReason, recordedAt: r.recorded_at }));
  }

  stats(): ArchiveStats {
    // The summaries are exact by construction (tests compare them with a recount), and summing
    // ~1000 chat rows is far cheaper than counting a million messages.
    const row = this.get<{ messages: number; chats: number }>(
      'SELECT COALESCE(SUM(count), 0) AS messages, count(*) AS chats FROM chats WHERE count > 0',
    )!;
    let fileBytes = 0;
    for (const suffix of ['', '-wal']) {
      try {
        fileBytes += statSync(this.file + suffix).size;
      } catch {
        /* no WAL right now */
      }
    }
    return { messages: row.messages, chats: row.chats, fileBytes };
  }

  close(): undefined {
    // An open batch is consistent at every page boundary: keep it.
    this.commit();
    this.statements.clear();
    this.db.close();
    return undefined;
  }
}
