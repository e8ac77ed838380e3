// Every message a webview posts is untrusted input: its shape is checked before the host acts on
// it, and only the fields the protocol knows are passed on.
import type { SearchFormState, StreamAnchor, StreamFilter, WebviewToHost } from '../protocol';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length <= max;
const isInt = (v: unknown, min: number, max: number): v is number => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
const MSGID_MAX = 256;

function searchForm(v: unknown): SearchFormState | undefined {
  if (!isObject(v)) return undefined;
  const strings = ['queryWord', 'partyA', 'partyB', 'chatId', 'start', 'end', 'limit'] as const;
  if (!strings.every((k) => isString(v[k], 1024))) return undefined;
  if (v.chatType !== 0 && v.chatType !== 1 && v.chatType !== 2) return undefined;
  if ((v.partyAType !== 1 && v.partyAType !== 2) || (v.partyBType !== 1 && v.partyBType !== 2)) return undefined;
  return {
    queryWord: v.queryWord as string,
    chatType: v.chatType,
    partyA: v.partyA as string,
    partyAType: v.partyAType,
    partyB: v.partyB as string,
    partyBType: v.partyBType,
    chatId: v.chatId as string,
    start: v.start as string,
    end: v.end as string,
    limit: v.limit as string,
  };
}

function anchor(v: unknown): StreamAnchor | undefined | null {
  if (v === undefined) return undefined;
  if (!isObject(v) || !isInt(v.sendTime, 0, 2 ** 40) || !isString(v.msgid, MSGID_MAX)) return null;
  return { sendTime: v.sendTime, msgid: v.msgid };
}

function filter(v: unknown): StreamFilter | undefined {
  if (v === undefined) return {};
  if (!isObject(v)) return undefined;
  const out: StreamFilter = {};
  if (v.msgtypes !== undefined) {
    if (!Array.isArray(v.msgtypes) || v.msgtypes.length > 64 || !v.msgtypes.every((t) => isInt(t, 0, 100_000))) return undefined;
    out.msgtypes = v.msgtypes as number[];
  }
  if (v.sender !== undefined) {
    if (!isString(v.sender, MSGID_MAX)) return undefined;
    out.sender = v.sender;
  }
  return out;
}

type MessageAction = Extract<WebviewToHost, { method: 'message.action' }>['params']['action'];
const ACTIONS: readonly MessageAction[] = ['copyId', 'showRaw', 'decryptKey', 'openViewer'];
const isAction = (v: unknown): v is MessageAction => ACTIONS.includes(v as MessageAction);

/** Returns the message typed, or undefined if it is not one the protocol allows. */
export function parseWebviewMessage(raw: unknown): WebviewToHost | undefined {
  if (!isObject(raw)) return undefined;
  if (raw.kind === 'ready') return { kind: 'ready' };
  if (raw.kind !== 'request' || !isInt(raw.id, 0, Number.MAX_SAFE_INTEGER)) return undefined;
  const id = raw.id;
  const p = raw.params;
  if (!isObject(p)) return undefined;
  switch (raw.method) {
    case 'stream.page': {
      const from = anchor(p.from);
      const f = filter(p.filter);
      if ((p.direction !== 'older' && p.direction !== 'newer') || from === null || !f || !isInt(p.limit, 1, 10_000)) return undefined;
      return { kind: 'request', id, method: 'stream.page', params: { direction: p.direction, ...(from ? { from } : {}), limit: p.limit, filter: f } };
    }
    case 'stream.locate': {
      const f = filter(p.filter);
      return isInt(p.sendTime, 0, 2 ** 40) && f ? { kind: 'request', id, method: 'stream.locate', params: { sendTime: p.sendTime, filter: f } } : undefined;
    }
    case 'stream.around': {
      const f = filter(p.filter);
      if (!isString(p.msgid, MSGID_MAX) || !isInt(p.before, 0, 10_000) || !isInt(p.after, 0, 10_000) || !f) return undefined;
      return { kind: 'request', id, method: 'stream.around', params: { msgid: p.msgid, before: p.before, after: p.after, filter: f } };
    }
    case 'stream.senders':
      return { kind: 'request', id, method: 'stream.senders', params: {} };
    case 'stream.setFilter': {
      const f = filter(p.filter);
      return f ? { kind: 'request', id, method: 'stream.setFilter', params: { filter: f } } : undefined;
    }
    case 'message.action':
      if (!isString(p.msgid, MSGID_MAX) || !isAction(p.action)) return undefined;
      return { kind: 'request', id, method: 'message.action', params: { msgid: p.msgid, action: p.action } };
    case 'search.run': {
      const form = searchForm(p.form);
      return form && typeof p.more === 'boolean' ? { kind: 'request', id, method: 'search.run', params: { form, more: p.more } } : undefined;
    }
    case 'search.openHit':
      return isString(p.msgid, MSGID_MAX) ? { kind: 'request', id, method: 'search.openHit', params: { msgid: p.msgid } } : undefined;
    case 'search.export':
      return p.format === 'json' || p.format === 'csv' ? { kind: 'request', id, method: 'search.export', params: { format: p.format } } : undefined;
    default:
      return undefined;
  }
}
