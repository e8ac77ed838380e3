/**
 * Wire types of `sync_msg` (docs/wecom-api.md §2) and `search_msg` (docs/wecom-api.md §3), and the tolerant parsing of their
 * replies into the types the rest of the product uses.
 *
 * Tolerance is deliberate: WeCom's samples disagree with each other (`has_more` is `true` in one and
 * `1` in another), fields appear over time (`extra_info.call_duration`), and new msgtypes are added.
 * A reply we only partly understand must still be archived, so parsing never throws; it fills
 * defaults, keeps the raw object, and reports what it had to skip.
 *
 */
import { memberElementSpans } from './jsonSpans';
import type {
  JsonObject,
  Party,
  ArchiveMessage,
  SyncPageData,
  SearchPageData,
  Envelope,
  ParseResult,
} from '../../shared/wire';

// ---------------------------------------------------------------- tolerant field readers

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Numbers sometimes arrive as numeric strings in hand-written relays; accept both. */
function readNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function readString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** `has_more` is 0/1 in search_msg's sample, true/false in sync_msg's; absent means 0 (docs/wecom-api.md §2). */
export function readHasMore(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value === '1' || value.toLowerCase() === 'true';
  return false;
}

function readParty(value: unknown): Party | undefined {
  if (!isJsonObject(value)) return undefined;
  const id = readString(value.id);
  if (id === undefined) return undefined;
  return { type: readNumber(value.type) ?? 0, id };
}

// ---------------------------------------------------------------- parsers

/** errcode/errmsg of any WeCom reply. A reply without errcode is treated as not WeCom's at all. */
export function parseEnvelope(json: unknown): ParseResult<Envelope> {
  if (!isJsonObject(json)) return { ok: false, problem: 'reply is not a JSON object' };
  const errcode = readNumber(json.errcode);
  // Some token endpoints omit errcode on success; the caller decides whether that's acceptable.
  return { ok: true, value: { errcode: errcode ?? 0, errmsg: readString(json.errmsg) ?? '' } };
}

/** The entry's msgid, when it has a usable one (parseMessage keeps only such entries). */
function usableMsgid(value: unknown): string | undefined {
  if (!isJsonObject(value)) return undefined;
  const msgid = readString(value.msgid);
  return msgid === undefined || msgid === '' ? undefined : msgid;
}

/** One msg_list entry → ArchiveMessage, or undefined when it has no usable msgid. */
export function parseMessage(value: unknown): ArchiveMessage | undefined {
  const msgid = usableMsgid(value);
  if (msgid === undefined || !isJsonObject(value)) return undefined;
  const sender = readParty(value.sender) ?? { type: 0, id: '' };
  const list = value.receiver_list;
  const receivers: Party[] = [];
  if (Array.isArray(list)) {
    for (const entry of list) {
      const party = readParty(entry);
      if (party) receivers.push(party);
    }
  }
  const chatid = readString(value.chatid);
  const encryptInfo = isJsonObject(value.service_encrypt_info) ? value.service_encrypt_info : undefined;
  const encryptedSecretKey = readString(encryptInfo?.encrypted_secret_key);
  const publicKeyVer = readNumber(encryptInfo?.public_key_ver);
  const extra = isJsonObject(value.extra_info) ? value.extra_info : undefined;
  const callDuration = readNumber(extra?.call_duration);
  // Built member by member, in this order, rather than with conditional spreads: a page reads a
  // thousand of these, and every spread was a runtime call and a temporary object (about half
  // of reading a page).
  const message: { -readonly [K in keyof ArchiveMessage]?: ArchiveMessage[K] } = { msgid, sender, receivers };
  if (chatid) message.chatid = chatid;
  message.sendTime = readNumber(value.send_time) ?? 0;
  // 0 is WeCom's own "unsupported type" value, so a missing msgtype falls into it.
  message.msgtype = readNumber(value.msgtype) ?? 0;
  if (encryptedSecretKey) message.encryptedSecretKey = encryptedSecretKey;
  if (publicKeyVer !== undefined) message.publicKeyVer = publicKeyVer;
  if (callDuration !== undefined) message.callDuration = callDuration;
  message.raw = value;
  return message as ArchiveMessage;
}

/**
 * The text of each msg_list entry: given already (the reply was decoded in pieces), or split out
 * of `text` (the reply JSON.parse accepted) when it splits cleanly.
 */
function entryTexts(text: string | readonly string[] | undefined, count: number): readonly string[] | undefined {
  if (text === undefined) return undefined;
  if (typeof text !== 'string') return text.length === count ? text : undefined;
  const spans = memberElementSpans(text, 'msg_list');
  if (!spans || spans.length !== count) return undefined;
  return spans.map(([start, end]) => text.slice(start, end));
}

/** msg_list's entries, not read yet (a body decoded in pieces: syncBody.ts). */
export interface EntrySource {
  readonly count: number;
  /** Each entry's value and its text as received. Throws where JSON.parse of the whole body would. */
  read(): { values: unknown[]; texts: string[] };
}

/** What a sync_msg reply says about paging, read without reading its messages. */
export interface SyncReplyHead {
  readonly nextCursor: string;
  readonly hasMore: boolean;
  /** msg_list's length, usable entries or not. */
  readonly entries: number;
  /** msg_list as parsed ([] when absent or not read yet), for readSyncEntries. */
  readonly list: readonly unknown[];
  /** msg_list's entries not read yet, when the body was decoded in pieces. */
  readonly unread?: EntrySource;
}

/**
 * The paging part of a successful (errcode 0) sync_msg reply: enough to check the paging contract
 * and ask for the next page before the messages are read (readSyncEntries). `unread`: msg_list's
 * entries when the reply was split (its own msg_list is then `[]`).
 */
export function parseSyncHead(json: unknown, unread?: EntrySource): ParseResult<SyncReplyHead> {
  if (!isJsonObject(json)) return { ok: false, problem: 'reply is not a JSON object' };
  // Both chat-archive APIs always send errcode; a reply without one is not a success page.
  if (readNumber(json.errcode) === undefined) return { ok: false, problem: 'reply has no errcode' };
  if (json.msg_list !== undefined && json.msg_list !== null && !Array.isArray(json.msg_list)) {
    return { ok: false, problem: 'msg_list is not an array' };
  }
  const list: unknown[] = Array.isArray(json.msg_list) ? json.msg_list : [];
  const paging = { nextCursor: readString(json.next_cursor) ?? '', hasMore: readHasMore(json.has_more) };
  return { ok: true, value: unread ? { ...paging, entries: unread.count, list, unread } : { ...paging, entries: list.length, list } };
}

/**
 * The messages of msg_list (and their texts as received, when `text` is the reply and splits
 * cleanly, or is the entries' texts already). Never fails.
 */
export function readSyncEntries(list: readonly unknown[], text?: string | readonly string[]): Pick<SyncPageData, 'messages' | 'texts' | 'skipped'> {
  const all = entryTexts(text, list.length);
  const messages: ArchiveMessage[] = [];
  const texts: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const message = parseMessage(list[i]);
    if (!message) continue;
    messages.push(message);
    if (all) texts.push(all[i]!);
  }
  return { messages, ...(all ? { texts } : {}), skipped: list.length - messages.length };
}

/**
 * The messages of a reply read with parseSyncHead: its unread entries read now, if it has them
 * (then this throws where JSON.parse of the whole body would), else as readSyncEntries.
 */
export function readHeadEntries(head: SyncReplyHead, text?: string): Pick<SyncPageData, 'messages' | 'texts' | 'skipped'> {
  if (!head.unread) return readSyncEntries(head.list, text);
  const { values, texts } = head.unread.read();
  return readSyncEntries(values, texts);
}

/** A successful (errcode 0) sync_msg reply → one page. `text` is the reply as received, if known. */
export function parseSyncReply(json: unknown, text?: string): ParseResult<SyncPageData> {
  const head = parseSyncHead(json);
  if (!head.ok) return head;
  const { nextCursor, hasMore, list } = head.value;
  return { ok: true, value: { ...readSyncEntries(list, text), nextCursor, hasMore } };
}

/** A successful (errcode 0) search_msg reply → one page of msgids (newest first, as the server sends). */
export function parseSearchReply(json: unknown): ParseResult<SearchPageData> {
  if (!isJsonObject(json)) return { ok: false, problem: 'reply is not a JSON object' };
  if (readNumber(json.errcode) === undefined) return { ok: false, problem: 'reply has no errcode' };
  if (json.msg_list !== undefined && json.msg_list !== null && !Array.isArray(json.msg_list)) {
    return { ok: false, problem: 'msg_list is not an array' };
  }
  const list: unknown[] = Array.isArray(json.msg_list) ? json.msg_list : [];
  const msgids: string[] = [];
  for (const entry of list) {
    const msgid = isJsonObject(entry) ? readString(entry.msgid) : undefined;
    if (msgid) msgids.push(msgid);
  }
  return {
    ok: true,
    value: {
      msgids,
      nextCursor: readString(json.next_cursor) ?? '',
      hasMore: readHasMore(json.has_more),
      skipped: list.length - msgids.length,
    },
  };
}
