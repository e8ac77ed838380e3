/**
 * The store's write path for synced pages (worker thread only).
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
import { type ChatIdentity, chatIdentity } from './chatKey';
import { ArchiveError } from './errors';
import type { PackedPage } from './protocol';
import { bytesOf, textOf } from './sqlText';
import type { Batch, StoreConnection } from './storeConnection';
import { indexTime, LEASE, typeBit } from './storeColumns';
import type { ApplyResult } from './types';

/** What one page adds to one chat. */
export interface ChatDelta {
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

export class Ingest {
  constructor(private readonly sql: StoreConnection) {}

  applyPage(page: PackedPage): ApplyResult {
    // A batch that ended early by a commit (a lease renewal) is continued in a new transaction;
    // one that was rolled back is not.
    if (page.continues && !this.sql.batch && this.sql.batchLost) {
      throw new ArchiveError('BATCH_LOST', 'the pages before this one were rolled back; nothing after the last commit was kept');
    }
    if (!page.continues && this.sql.batch) throw new ArchiveError('BAD_REQUEST', 'a batch of pages is still open: commit it first');
    if (!page.continues) this.sql.batchLost = false;
    if (!this.sql.batch) {
      this.sql.trimCaches();
      this.sql.begin();
      this.sql.batch = { deltas: new Map(), inserted: 0, changed: new Set() };
    }
    let result: ApplyResult;
    try {
      result = this.insertPage(page, this.sql.batch);
    } catch (error) {
      this.sql.rollback();
      throw error;
    }
    if (page.commit !== false) this.commit();
    return result;
  }

  /** Commits the open batch (if any): what it inserted in all, and which chats changed. */
  commit(): ApplyResult {
    const batch = this.sql.batch;
    if (!batch) return { inserted: 0, changedChats: [] };
    try {
      for (const [chat, d] of batch.deltas) this.mergeChat(chat, d);
      this.sql.db.exec('COMMIT');
    } catch (error) {
      this.sql.rollback();
      throw error;
    }
    this.sql.batch = undefined;
    this.sql.onCommit?.();
    return { inserted: batch.inserted, changedChats: [...batch.changed] };
  }

  private insertPage(page: PackedPage, batch: Batch): ApplyResult {
    if (page.lease) this.assertLease(page.lease, page.now);
    if (page.after !== undefined) {
      const stored = textOf(this.sql.get<{ cursor: Uint8Array | null }>(`SELECT ${bytesOf('cursor')} FROM sync_state WHERE id = 1`)!.cursor) ?? '';
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
        where = { identity, chat: this.sql.chatId(identity) };
        if (chatid) groups.set(chatid, where);
      }
      const { identity, chat } = where;
      const senderId = this.sql.partyId(senderPid, senderType);
      const listIndex = page.receivers[i]!;
      const list = listIndex >= 0 ? page.receiverLists[listIndex] : undefined;
      let recv: number | null = null;
      if (page.cut[i] === 1 && list !== undefined) recv = listIds[listIndex] ??= this.sql.receiverListId(list);
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
    this.sql.run(
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
    const insert = this.sql.stmt(
      'INSERT OR IGNORE INTO messages(msgid, mkey, chat, send_time, msgtype, sender, recv, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const key = this.sql.keyOf(msgid);
    if (Number(insert.run(msgid, key, chat, sendTime, msgtype, sender, recv, raw).changes) > 0) return true;
    // The key is taken: by this msgid (a message stored before), or, rarely, by another msgid.
    const holder = this.sql.get<{ msgid: Uint8Array }>(`SELECT ${bytesOf('msgid')} FROM messages WHERE mkey = ?`, key);
    if (!holder || textOf(holder.msgid) === msgid) return false;
    if (this.sql.get('SELECT 1 FROM messages WHERE mkey IS NULL AND msgid = ?', msgid)) return false;
    return Number(insert.run(msgid, null, chat, sendTime, msgtype, sender, recv, raw).changes) > 0;
  }

  private addMember(chat: number, party: number, sent: number): void {
    const known = `${chat}:${party}`;
    if (sent > 0) {
      this.sql.run(
        'INSERT INTO chat_members(chat, party, sent) VALUES (?, ?, ?) ON CONFLICT(chat, party) DO UPDATE SET sent = sent + excluded.sent',
        chat,
        party,
        sent,
      );
    } else if (!this.sql.knownMembers.has(known)) {
      this.sql.run('INSERT OR IGNORE INTO chat_members(chat, party, sent) VALUES (?, ?, 0)', chat, party);
    }
    this.sql.knownMembers.add(known);
  }

  private mergeChat(chat: number, d: ChatDelta): void {
    const row = this.sql.get<{
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
        this.addMember(chat, this.sql.partyId(p.id, p.type), 0);
        partyTypes |= typeBit(p.type);
      }
    } else {
      for (const list of d.receiverLists) {
        for (const p of this.sql.receiversOf(list)) {
          this.addMember(chat, this.sql.partyId(p.id, p.type), 0);
          partyTypes |= typeBit(p.type);
        }
      }
    }
    // Counted, not tracked: stays exact whichever process added the members.
    const members = this.sql.get<{ n: number }>('SELECT count(*) AS n FROM chat_members WHERE chat = ?', chat)!.n;
    this.sql.run(
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

  private assertLease(lease: { owner: string; ttlMs: number }, now: number): void {
    // Renewing inside the page's transaction: a process that lost its lease (paused past the TTL
    // while another took over) can never commit a stale cursor.
    const renewed = this.sql.run('UPDATE lease SET expires_at = ? WHERE name = ? AND owner = ?', now + lease.ttlMs, LEASE, lease.owner);
    if (renewed === 0) throw new ArchiveError('LEASE_LOST', `the sync lease of ${lease.owner} was taken over by another process`);
  }
}
