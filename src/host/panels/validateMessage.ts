// Every message a webview posts is untrusted input: its shape is checked before the host acts on
// it, and only the fields the protocol knows are passed on. A request that breaks a rule is still
// answered (with the rule), so the webview never waits for a reply that will not come.
// Limits follow what the API may send, not a guess: WeCom documents no maximum length for ids,
// and the archive stores any string, so ids and form fields have none here either (the message is
// already in memory when it arrives; a cap would protect nothing). Times are any finite number,
// as a stored send_time may be (1e300, -1, 0.5).
import type { MessageAction, SearchFormState, StreamAnchor, StreamFilter, WebviewToHost } from '../../shared/protocol';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown, min: number, max: number): v is number => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The largest window a webview may ask for, and the most msgtypes one filter may name. */
export const MAX_LIMIT = 10_000;
export const MAX_FILTER_TYPES = 1_000;

/** A request checked: the typed message, or the rule it broke (with its id when it had one). */
export type CheckedMessage = { ok: true; message: WebviewToHost } | { ok: false; id: number | undefined; rule: string };

class Refused extends Error {
  constructor(readonly rule: string) {
    super(rule);
  }
}
const refuse = (rule: string): never => {
  throw new Refused(rule);
};

function searchForm(v: unknown): SearchFormState {
  if (!isObject(v)) return refuse('params.form must be an object');
  for (const k of ['queryWord', 'partyA', 'partyB', 'chatId', 'start', 'end', 'limit'] as const) {
    if (!isString(v[k])) refuse(`params.form.${k} must be a string`);
  }
  if (v.chatType !== 0 && v.chatType !== 1 && v.chatType !== 2) refuse('params.form.chatType must be 0, 1 or 2');
  if (v.partyAType !== 1 && v.partyAType !== 2) refuse('params.form.partyAType must be 1 or 2');
  if (v.partyBType !== 1 && v.partyBType !== 2) refuse('params.form.partyBType must be 1 or 2');
  return {
    queryWord: v.queryWord as string,
    chatType: v.chatType as 0 | 1 | 2,
    partyA: v.partyA as string,
    partyAType: v.partyAType as 1 | 2,
    partyB: v.partyB as string,
    partyBType: v.partyBType as 1 | 2,
    chatId: v.chatId as string,
    start: v.start as string,
    end: v.end as string,
    limit: v.limit as string,
  };
}

function anchor(v: unknown): StreamAnchor | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) return refuse('params.from must be an object');
  if (!isTime(v.sendTime)) refuse('params.from.sendTime must be a finite number');
  if (!isString(v.msgid)) refuse('params.from.msgid must be a string');
  return { sendTime: v.sendTime as number, msgid: v.msgid as string };
}

function filter(v: unknown): StreamFilter {
  if (v === undefined) return {};
  if (!isObject(v)) return refuse('params.filter must be an object');
  const out: StreamFilter = {};
  if (v.msgtypes !== undefined) {
    if (!Array.isArray(v.msgtypes) || v.msgtypes.length > MAX_FILTER_TYPES || !v.msgtypes.every((t) => Number.isSafeInteger(t))) {
      refuse(`params.filter.msgtypes must be a list of at most ${MAX_FILTER_TYPES} integers`);
    }
    out.msgtypes = v.msgtypes as number[];
  }
  if (v.sender !== undefined) {
    if (!isString(v.sender)) refuse('params.filter.sender must be a string');
    out.sender = v.sender as string;
  }
  return out;
}

const count = (v: unknown, name: string, min: number): number => (isInt(v, min, MAX_LIMIT) ? v : refuse(`params.${name} must be an integer ${min}–${MAX_LIMIT}`));
const msgid = (v: unknown): string => (isString(v) ? v : refuse('params.msgid must be a string'));

// A record, not a list: the compiler fails here when protocol.ts adds an action this does not know.
const ACTION_SET: Record<MessageAction, true> = { copyId: true, showRaw: true, decryptKey: true, openViewer: true };
const ACTIONS = Object.keys(ACTION_SET) as MessageAction[];

function request(id: number, method: unknown, p: Obj): WebviewToHost {
  switch (method) {
    case 'stream.page': {
      if (p.direction !== 'older' && p.direction !== 'newer') refuse("params.direction must be 'older' or 'newer'");
      const from = anchor(p.from);
      const f = filter(p.filter);
      return { kind: 'request', id, method: 'stream.page', params: { direction: p.direction as 'older' | 'newer', ...(from ? { from } : {}), limit: count(p.limit, 'limit', 1), filter: f } };
    }
    case 'stream.locate': {
      if (!isTime(p.sendTime)) refuse('params.sendTime must be a finite number');
      return { kind: 'request', id, method: 'stream.locate', params: { sendTime: p.sendTime as number, filter: filter(p.filter) } };
    }
    case 'stream.around':
      return { kind: 'request', id, method: 'stream.around', params: { msgid: msgid(p.msgid), before: count(p.before, 'before', 0), after: count(p.after, 'after', 0), filter: filter(p.filter) } };
    case 'stream.senders':
      return { kind: 'request', id, method: 'stream.senders', params: {} };
    case 'stream.setFilter':
      return { kind: 'request', id, method: 'stream.setFilter', params: { filter: filter(p.filter) } };
    case 'message.action': {
      const m = msgid(p.msgid);
      if (!ACTIONS.includes(p.action as MessageAction)) refuse(`params.action must be one of ${ACTIONS.join(', ')}`);
      return { kind: 'request', id, method: 'message.action', params: { msgid: m, action: p.action as MessageAction } };
    }
    case 'search.run': {
      const form = searchForm(p.form);
      if (typeof p.more !== 'boolean') refuse('params.more must be true or false');
      return { kind: 'request', id, method: 'search.run', params: { form, more: p.more as boolean } };
    }
    case 'search.openHit':
      return { kind: 'request', id, method: 'search.openHit', params: { msgid: msgid(p.msgid) } };
    case 'search.export':
      if (p.format !== 'json' && p.format !== 'csv') refuse("params.format must be 'json' or 'csv'");
      return { kind: 'request', id, method: 'search.export', params: { format: p.format as 'json' | 'csv' } };
    default:
      return refuse(`unknown method ${JSON.stringify(String(method)).slice(0, 80)}`);
  }
}

/** Checks a message from a webview: typed, or refused with the rule it broke. */
export function checkWebviewMessage(raw: unknown): CheckedMessage {
  if (!isObject(raw)) return { ok: false, id: undefined, rule: 'a message must be an object' };
  if (raw.kind === 'ready') return { ok: true, message: { kind: 'ready' } };
  if (raw.kind !== 'request') return { ok: false, id: undefined, rule: "kind must be 'ready' or 'request'" };
  if (!isInt(raw.id, 0, Number.MAX_SAFE_INTEGER)) return { ok: false, id: undefined, rule: 'id must be a non-negative integer' };
  const id = raw.id;
  try {
    if (!isObject(raw.params)) refuse('params must be an object');
    return { ok: true, message: request(id, raw.method, raw.params as Obj) };
  } catch (e) {
    if (e instanceof Refused) return { ok: false, id, rule: e.rule };
    throw e;
  }
}

/** A search form kept by a webview (setState), or undefined when it is not one. */
export function checkSearchForm(v: unknown): SearchFormState | undefined {
  try {
    return searchForm(v);
  } catch (e) {
    if (e instanceof Refused) return undefined;
    throw e;
  }
}

/** The message typed, or undefined if it is not one the protocol allows. */
export function parseWebviewMessage(raw: unknown): WebviewToHost | undefined {
  const r = checkWebviewMessage(raw);
  return r.ok ? r.message : undefined;
}
