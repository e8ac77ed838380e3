/**
 * How a page crosses from the host to the worker, and how stored text becomes a message again.
 *
 * The host hands the worker a page as columns of primitives (cheap to structured-clone, nothing
 * re-serialized in the worker). The raw JSON is the message's text as received when the client
 * kept it (sliced, not serialized), else the parsed object serialized once. A group message's
 * receiver_list is cut out of the raw text and sent beside it, each distinct list once per page:
 * in a group every message repeats the same list of up to hundreds of members, so the store keeps
 * each distinct list once (`recv_sets`) and the raw text with a placeholder. Joining them back
 * gives the exact text that was stored. The host also names a single chat's other party, so the
 * worker never parses a list to know which chat a message belongs to.
 */
import { depthAt, valueEnd } from '../wecom/jsonSpans';
import type { ArchiveMessage, JsonObject, Party } from '../../shared/wire';
import { parseMessage } from '../wecom/wire';
import type { PackedPage } from './protocol';
import type { PageInput } from './types';

/** Stands in for the receiver list inside a stored raw text. A list is never the number 0. */
const PLACEHOLDER = '"receiver_list":0';
const KEY = '"receiver_list":';

/**
 * A page for the worker, one array per field: structured clone copies typed arrays and arrays of
 * strings about twice as fast as a thousand small objects, and the worker reads them back about
 * three times as fast. Index i of every column is the page's i-th message.
 */
export interface PackedMessages {
  msgid: string[];
  /** Raw JSON; with PLACEHOLDER where receiver_list was when `cut[i]` is 1. */
  raw: string[];
  /** '' for a single chat. */
  chatid: string[];
  sender: string[];
  /** A single chat's other party: the first receiver (the sender itself for a note to oneself); '' in a group. */
  peer: string[];
  sendTime: Float64Array;
  msgtype: Float64Array;
  senderType: Float64Array;
  /** NaN without a peer. */
  peerType: Float64Array;
  /** NaN when the message names no public_key_ver. */
  keyVer: Float64Array;
  /** Index into `receiverLists`: this message's receivers; -1 for none. */
  receivers: Float64Array;
  /** 1: `raw` holds the placeholder and the list is receiverLists[receivers[i]]. */
  cut: Uint8Array;
  /** Each distinct receiver list once (a group repeats its list in every message). */
  receiverLists: string[];
}

/** A message's raw text, and its receiver list's text when that was cut out of it. */
export interface CutMessage {
  raw: string;
  receivers?: string;
}

/** `text`: the message's JSON as received (see SyncPageData.texts); the list is cut out of it. */
function cutText(text: string): CutMessage {
  // Only the compact `"receiver_list":[` form (so that joinRaw finds the placeholder again), only
  // once in the whole text, and only as a member of the message itself.
  const at = text.indexOf(`${KEY}[`);
  if (at < 0 || text.indexOf('"receiver_list"', at + 1) >= 0 || depthAt(text, at) !== 1) return { raw: text };
  const start = at + KEY.length;
  const end = valueEnd(text, start);
  if (end < 0) return { raw: text };
  const cut = `${text.slice(0, start)}0${text.slice(end)}`;
  if (cut.indexOf(PLACEHOLDER) !== at) return { raw: text };
  return { raw: cut, receivers: text.slice(start, end) };
}

/**
 * The raw text to store, as received when `text` is given, else the parsed object serialized.
 * Only a group's list is cut out: a group repeats the same list of up to hundreds of members in
 * every message, while a single chat's list is one party, cheaper kept inline than looked up.
 */
export function cutMessage(m: ArchiveMessage, text?: string): CutMessage {
  if (!m.chatid) return { raw: text ?? JSON.stringify(m.raw) };
  if (text !== undefined) return cutText(text);
  const list = m.raw.receiver_list;
  if (Array.isArray(list)) {
    // Spreading keeps key order, so the placeholder sits where the list was.
    const cut = JSON.stringify({ ...m.raw, receiver_list: 0 });
    // Only when the placeholder is unambiguous; otherwise the list stays inline.
    if (cut.indexOf(PLACEHOLDER) === cut.lastIndexOf(PLACEHOLDER)) return { raw: cut, receivers: JSON.stringify(list) };
  }
  return { raw: JSON.stringify(m.raw) };
}

/** Messages (and their texts as received, when kept) → what crosses to the worker. */
export function packPage(messages: readonly ArchiveMessage[], texts?: readonly string[]): PackedMessages {
  const n = messages.length;
  const page: PackedMessages = {
    msgid: new Array<string>(n),
    raw: new Array<string>(n),
    chatid: new Array<string>(n),
    sender: new Array<string>(n),
    peer: new Array<string>(n),
    sendTime: new Float64Array(n),
    msgtype: new Float64Array(n),
    senderType: new Float64Array(n),
    peerType: new Float64Array(n),
    keyVer: new Float64Array(n),
    receivers: new Float64Array(n),
    cut: new Uint8Array(n),
    receiverLists: [],
  };
  const listIndex = new Map<string, number>();
  // The list each group used last: groups repeat theirs, and comparing two texts is cheaper
  // than hashing one.
  const groupList = new Map<string, number>();
  const indexOf = (list: string, chatid: string): number => {
    const last = chatid ? groupList.get(chatid) : undefined;
    if (last !== undefined && page.receiverLists[last] === list) return last;
    let i = listIndex.get(list);
    if (i === undefined) {
      i = page.receiverLists.push(list) - 1;
      listIndex.set(list, i);
    }
    if (chatid) groupList.set(chatid, i);
    return i;
  };
  for (let i = 0; i < n; i++) {
    const m = messages[i]!;
    const { raw, receivers } = cutMessage(m, texts?.[i]);
    const chatid = m.chatid ?? '';
    // A group's members are in its list (a list left inline still names them, in the form
    // parseReceivers reads); a single chat's are its sender and peer.
    const list = receivers ?? (chatid && m.receivers.length > 0 ? JSON.stringify(m.receivers) : undefined);
    const peer = chatid ? undefined : m.receivers[0];
    page.msgid[i] = m.msgid;
    page.raw[i] = raw;
    page.chatid[i] = chatid;
    page.sender[i] = m.sender.id;
    page.peer[i] = peer?.id ?? '';
    page.sendTime[i] = m.sendTime;
    page.msgtype[i] = m.msgtype;
    page.senderType[i] = m.sender.type;
    page.peerType[i] = peer?.id ? peer.type : Number.NaN;
    page.keyVer[i] = m.publicKeyVer ?? Number.NaN;
    page.receivers[i] = list === undefined ? -1 : indexOf(list, chatid);
    page.cut[i] = receivers === undefined ? 0 : 1;
  }
  return page;
}

/** A page to store → the same page as it crosses to a store thread: packed, fields beside it. */
export function packPageInput(p: PageInput): PackedPage {
  return {
    ...packPage(p.messages, p.texts),
    nextCursor: p.nextCursor,
    hasMore: p.hasMore,
    now: p.now ?? Date.now(),
    ...(p.lease ? { lease: p.lease } : {}),
    ...(p.commit === false ? { commit: false } : {}),
    ...(p.continues ? { continues: true } : {}),
    ...(p.after !== undefined ? { after: p.after } : {}),
  };
}

/** The stored raw text with its receiver list put back. */
export function joinRaw(raw: string, receivers: string | null | undefined): string {
  if (receivers === null || receivers === undefined) return raw;
  const at = raw.indexOf(PLACEHOLDER);
  if (at < 0) return raw;
  return `${raw.slice(0, at)}"receiver_list":${receivers}${raw.slice(at + PLACEHOLDER.length)}`;
}

/** Parties of a receiver_list text, read as tolerantly as the client reads them. */
export function parseReceivers(text: string): Party[] {
  const parsed = parseMessage({ msgid: '-', receiver_list: JSON.parse(text) as unknown });
  return parsed ? [...parsed.receivers] : [];
}

/** A stored raw text → the message the client had parsed. */
export function unpackMessage(rawText: string): ArchiveMessage | undefined {
  return parseMessage(JSON.parse(rawText) as JsonObject);
}
