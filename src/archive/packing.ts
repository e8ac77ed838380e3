/**
 * How a page crosses from the host to the worker, and how stored text becomes a message again.
 *
 * The host hands the worker flat records of primitives (cheap to structured-clone, nothing
 * re-serialized in the worker). The raw JSON is the message's text as received when the client
 * kept it (sliced, not serialized), else the parsed object serialized once. receiver_list is
 * cut out of the raw text and sent beside it: in a group every message repeats the same list of up
 * to hundreds of members, so the store keeps each distinct list once (`recv_sets`) and the raw
 * text with a placeholder. Joining them back gives the exact text that was stored.
 */
import { depthAt, valueEnd } from '../wecom/jsonSpans';
import { type ArchiveMessage, type JsonObject, parseMessage, type Party } from '../wecom/wire';

/** Stands in for the receiver list inside a stored raw text. A list is never the number 0. */
const PLACEHOLDER = '"receiver_list":0';
const KEY = '"receiver_list":';

export interface PackedMessage {
  msgid: string;
  sendTime: number;
  msgtype: number;
  chatid?: string;
  senderType: number;
  sender: string;
  keyVer?: number;
  /** Raw JSON; with PLACEHOLDER where receiver_list was when `receivers` is set. */
  raw: string;
  /** receiver_list's JSON text, cut out of `raw`. */
  receivers?: string;
}

/** `text`: the message's JSON as received (see SyncPageData.texts); the list is cut out of it. */
function cutText(text: string): { raw: string; receivers?: string } {
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

export function packMessage(m: ArchiveMessage, text?: string): PackedMessage {
  const list = m.raw.receiver_list;
  let raw: string | undefined;
  let receivers: string | undefined;
  if (text !== undefined) {
    ({ raw, receivers } = cutText(text));
  } else if (Array.isArray(list)) {
    // Spreading keeps key order, so the placeholder sits where the list was.
    const cut = JSON.stringify({ ...m.raw, receiver_list: 0 });
    // Only when the placeholder is unambiguous; otherwise the list stays inline.
    if (cut.indexOf(PLACEHOLDER) === cut.lastIndexOf(PLACEHOLDER)) {
      raw = cut;
      receivers = JSON.stringify(list);
    }
  }
  return {
    msgid: m.msgid,
    sendTime: m.sendTime,
    msgtype: m.msgtype,
    ...(m.chatid ? { chatid: m.chatid } : {}),
    senderType: m.sender.type,
    sender: m.sender.id,
    ...(m.publicKeyVer !== undefined ? { keyVer: m.publicKeyVer } : {}),
    raw: raw ?? JSON.stringify(m.raw),
    ...(receivers !== undefined ? { receivers } : {}),
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
