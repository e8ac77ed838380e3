/** The store's read path (worker thread only): chats, message pages, lookups, stats. */
import { statSync } from 'node:fs';
import type { SQLInputValue } from 'node:sqlite';
import type { Party } from '../../shared/wire';
import { ArchiveError } from './errors';
import { joinRaw } from './packing';
import type { ListChatsQuery, RawRow } from './protocol';
import { bytesOf, textOf } from './sqlText';
import type { StoreConnection } from './storeConnection';
import { KIND_GROUP, KIND_SINGLE, indexTime, typeBit } from './storeColumns';
import { type ArchiveStats, type ChatCursor, type ChatFilter, type ChatKind, type ChatSummary, type MessagePosition, type PageQuery, RESOLVE_MAX } from './types';

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

const CHAT_COLUMNS = `c.id, ${bytesOf('c.key')}, c.kind, ${bytesOf('c.chatid')}, pa.type AS a_type, ${bytesOf('pa.pid', 'a_pid')},
  pb.type AS b_type, ${bytesOf('pb.pid', 'b_pid')}, c.first_time, c.last_time, c.count, c.member_count, c.counts_by_type, c.key_versions`;
const CHAT_FROM = 'chats c LEFT JOIN parties pa ON pa.id = c.party_a LEFT JOIN parties pb ON pb.id = c.party_b';
/** Messages `m` whose msgid is the parameters (key, msgid): by its key, or without one (msgidKey.ts). */
const M_BY_MSGID = '(m.mkey = ? OR m.mkey IS NULL) AND m.msgid = ?';

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class Queries {
  constructor(private readonly sql: StoreConnection) {}

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
  private chatWhere(kind: ChatKind | undefined, filter: ChatFilter | undefined): { sql: string[]; params: SQLInputValue[] } {
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
    const rows = this.sql.all<ChatRow>(
      `SELECT ${CHAT_COLUMNS} FROM ${CHAT_FROM} WHERE ${where.sql.join(' AND ')} ORDER BY c.last_time DESC, c.key DESC LIMIT ?`,
      ...where.params,
      limit,
    );
    const chats = rows.map((r) => this.summary(r));
    const last = rows[rows.length - 1];
    return rows.length === limit && last ? { chats, next: { lastTime: last.last_time, key: textOf(last.key) } } : { chats };
  }

  countChats(q: { kind?: ChatKind; filter?: ChatFilter }): number {
    const where = this.chatWhere(q.kind, q.filter);
    return this.sql.get<{ n: number }>(`SELECT count(*) AS n FROM chats c WHERE ${where.sql.join(' AND ')}`, ...where.params)!.n;
  }

  getChat(key: string): ChatSummary | undefined {
    const row = this.sql.get<ChatRow>(`SELECT ${CHAT_COLUMNS} FROM ${CHAT_FROM} WHERE c.key = ? AND c.count > 0`, key);
    return row ? this.summary(row) : undefined;
  }

  pageMessages(q: PageQuery): RawRow[] {
    const chat = this.sql.chatRowId(q.chatKey);
    if (chat === undefined) return [];
    const limit = Math.max(1, Math.min(1000, Math.floor(q.limit)));
    const older = q.direction === 'older';
    const sql = ['m.chat = ?'];
    const params: SQLInputValue[] = [chat];
    if (q.from) {
      // The keyset is (send_time, rowid). An unknown msgid pages from the second itself.
      const at = this.sql.get<{ id: number; chat: number }>(
        `SELECT m.id, m.chat FROM messages m WHERE ${M_BY_MSGID}`,
        this.sql.keyOf(q.from.msgid),
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
      const sender = this.sql.get<{ id: number }>('SELECT id FROM parties WHERE pid = ?', q.sender)?.id;
      if (sender === undefined) return [];
      sql.push('m.sender = ?');
      params.push(sender);
    }
    const order = older ? 'm.send_time DESC, m.id DESC' : 'm.send_time ASC, m.id ASC';
    const rows = this.sql.all<{ raw: string; json: string | null }>(
      `SELECT m.raw, r.json FROM messages m LEFT JOIN recv_sets r ON r.id = m.recv WHERE ${sql.join(' AND ')} ORDER BY ${order} LIMIT ?`,
      ...params,
      limit,
    );
    if (older) rows.reverse();
    return rows.map((r) => [q.chatKey, joinRaw(r.raw, r.json)]);
  }

  locate(q: { chatKey: string; sendTime: number }): MessagePosition | undefined {
    const chat = this.sql.chatRowId(q.chatKey);
    if (chat === undefined) return undefined;
    // The first message at or after the time; past the end, the last one.
    const row =
      this.sql.get<{ send_time: number; msgid: Uint8Array }>(
        `SELECT send_time, ${bytesOf('msgid')} FROM messages WHERE chat = ? AND send_time >= ? ORDER BY send_time, id LIMIT 1`,
        chat,
        indexTime(q.sendTime),
      ) ??
      this.sql.get<{ send_time: number; msgid: Uint8Array }>(
        `SELECT send_time, ${bytesOf('msgid')} FROM messages WHERE chat = ? ORDER BY send_time DESC, id DESC LIMIT 1`,
        chat,
      );
    return row ? { sendTime: row.send_time, msgid: textOf(row.msgid) } : undefined;
  }

  resolve(msgids: string[]): (RawRow | undefined)[] {
    if (msgids.length > RESOLVE_MAX) throw new ArchiveError('BAD_REQUEST', `resolve takes at most ${RESOLVE_MAX} msgids, got ${msgids.length}`);
    const sql = `SELECT ${bytesOf('c.key')}, m.raw, r.json FROM messages m JOIN chats c ON c.id = m.chat
      LEFT JOIN recv_sets r ON r.id = m.recv WHERE ${M_BY_MSGID}`;
    return msgids.map((msgid) => {
      const row = this.sql.get<{ key: Uint8Array; raw: string; json: string | null }>(sql, this.sql.keyOf(msgid), msgid);
      return row ? [textOf(row.key), joinRaw(row.raw, row.json)] : undefined;
    });
  }

  senders(chatKey: string): { type: number; id: string; count: number }[] {
    const chat = this.sql.chatRowId(chatKey);
    if (chat === undefined) return [];
    return this.sql.all<{ type: number; id: Uint8Array; count: number }>(
      `SELECT p.type, ${bytesOf('p.pid', 'id')}, m.sent AS count FROM chat_members m JOIN parties p ON p.id = m.party
       WHERE m.chat = ? AND m.sent > 0 ORDER BY m.sent DESC, p.pid`,
      chat,
    ).map((r) => ({ type: r.type, id: textOf(r.id), count: r.count }));
  }

  stats(): ArchiveStats {
    // The summaries are exact by construction (tests compare them with a recount), and summing
    // ~1000 chat rows is far cheaper than counting a million messages.
    const row = this.sql.get<{ messages: number; chats: number }>(
      'SELECT COALESCE(SUM(count), 0) AS messages, count(*) AS chats FROM chats WHERE count > 0',
    )!;
    let fileBytes = 0;
    for (const suffix of ['', '-wal']) {
      try {
        fileBytes += statSync(this.sql.file + suffix).size;
      } catch {
        /* no WAL right now */
      }
    }
    return { messages: row.messages, chats: row.chats, fileBytes };
  }
}
