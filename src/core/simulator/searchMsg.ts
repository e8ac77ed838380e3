// POST /cgi-bin/chatdata/search_msg (docs/wecom-api.md §3): every parameter rule of the API, then a
// case-insensitive substring match over the searchable content, newest first, msgids only.
import { categoryOf } from './content';
import { pairKey } from './corp';
import { invalidParam } from './errors';
import { type Body, optionalInt, optionalString } from './params';
import { hashString } from './prng';
import { RAW_MSGTYPE, type RawEntry } from './rawMessages';
import { DAY_SECONDS, type Simulation } from './simulation';

const SEARCH_CURSOR = 2;
export const SEARCH_MAX_LIMIT = 100;
export const SEARCH_DEFAULT_LIMIT = 50;
export const SEARCH_MAX_SPAN = 30 * DAY_SECONDS;

/** Which conversations a query covers. */
type ChatScope =
  | { kind: 'any' }
  // undefined: the two parties have no chat; null: every single chat. `ids`: the two ids as sent.
  | { kind: 'single'; conv: number | undefined | null; ids?: [string, string] }
  // null: every group; undefined: unknown chat_id. `chatId`: as sent (raw messages match it exactly).
  | { kind: 'groups'; conv: number | undefined | null; chatId?: string };

export interface SearchRequest {
  queryLower: string;
  scope: ChatScope;
  start: number;
  end: number;
  limit: number;
  /** Exclusive upper store index to continue from (cursor), or undefined for the first page. */
  before: number | undefined;
  fingerprint: number;
}

const SEARCHABLE = new Uint8Array(256);
for (let t = 0; t < 256; t++) SEARCHABLE[t] = categoryOf(t) === undefined ? 0 : 1;

function parseScope(sim: Simulation, body: Body): ChatScope {
  const info = body.chat_info;
  if (info === undefined || info === null) return { kind: 'any' };
  if (typeof info !== 'object' || Array.isArray(info)) throw invalidParam('chat_info', 'must be an object');
  const ci = info as Body;
  const chatType = optionalInt(ci, 'chat_type', 1, 2, 'chat_info.chat_type');
  if (ci.id_list !== undefined && ci.id_list !== null && chatType !== 1) {
    throw invalidParam('chat_info.id_list', 'is only valid with chat_type 1');
  }
  const chatId = optionalString(ci, 'chat_id', 'chat_info.chat_id');
  if (chatId !== undefined && chatType !== 2) throw invalidParam('chat_info.chat_id', 'is only valid with chat_type 2');
  if (chatType === undefined) return { kind: 'any' };
  if (chatType === 2) {
    return chatId === undefined ? { kind: 'groups', conv: null } : { kind: 'groups', conv: sim.corp.groupByChatId.get(chatId), chatId };
  }
  const list = ci.id_list;
  // id_list is optional (docs/wecom-api.md §3): without it, every single chat.
  if (list === undefined || list === null) return { kind: 'single', conv: null };
  if (!Array.isArray(list) || list.length !== 2) {
    throw invalidParam('chat_info.id_list', 'must list exactly 2 ids for chat_type 1');
  }
  const parties = list.map((entry: unknown) => {
    const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Body;
    // open_userid is recognized first, as WeCom documents (docs/wecom-api.md §3).
    const id =
      optionalString(e, 'open_userid', 'chat_info.id_list.open_userid') ||
      optionalString(e, 'external_userid', 'chat_info.id_list.external_userid');
    if (!id) throw invalidParam('chat_info.id_list', 'each entry needs open_userid or external_userid');
    return id;
  });
  const [a, b] = parties.map((id) => sim.corp.partyById.get(id));
  const conv = a === undefined || b === undefined ? undefined : sim.corp.singleByPair.get(pairKey(a, b));
  return { kind: 'single', conv, ids: [parties[0]!, parties[1]!] };
}

export function parseSearchRequest(sim: Simulation, body: Body): SearchRequest {
  const query = body.query_word;
  if (typeof query !== 'string' || [...query].length < 2) {
    throw invalidParam('query_word', 'must be at least 2 UTF-8 characters');
  }
  const scope = parseScope(sim, body);
  const startTime = optionalInt(body, 'start_time', 0, 0xffffffff);
  const endTime = optionalInt(body, 'end_time', 0, 0xffffffff);
  const now = sim.now();
  let start: number;
  let end: number;
  if (endTime !== undefined) {
    if (startTime === undefined) throw invalidParam('start_time', 'is required when end_time is given');
    if (startTime >= endTime) throw invalidParam('start_time', 'must be less than end_time');
    if (endTime - startTime > SEARCH_MAX_SPAN) {
      throw invalidParam('end_time', 'start_time..end_time must not exceed 30 days');
    }
    start = startTime;
    end = endTime;
  } else if (startTime !== undefined) {
    // Only start_time: up to now, still within the 30-day span (WeCom's document is silent here).
    if (startTime >= now) throw invalidParam('start_time', 'must be in the past when end_time is absent');
    if (now - startTime > SEARCH_MAX_SPAN) throw invalidParam('start_time', 'must be within 30 days of now');
    start = startTime;
    end = now;
  } else {
    start = now - SEARCH_MAX_SPAN;
    end = now;
  }
  const limit = optionalInt(body, 'limit', 1, SEARCH_MAX_LIMIT) ?? SEARCH_DEFAULT_LIMIT;
  const fingerprint = hashString(JSON.stringify([query, body.chat_info ?? null, startTime ?? null, endTime ?? null]));
  const cursor = optionalString(body, 'cursor');
  let before: number | undefined;
  if (cursor !== undefined && cursor !== '') {
    const fields = sim.cursors.decode(SEARCH_CURSOR, cursor, 2);
    if (fields === undefined || fields[1] !== fingerprint) {
      throw invalidParam('cursor', 'is not a cursor returned for this query');
    }
    before = fields[0];
  }
  return { queryLower: query.toLowerCase(), scope, start, end, limit, before, fingerprint };
}

function scopeAccepts(sim: Simulation, scope: ChatScope): (conv: number) => boolean {
  switch (scope.kind) {
    case 'any':
      return () => true;
    case 'single':
      if (scope.conv === null) return (conv) => sim.corp.conversations[conv]!.kind === 'single';
      return (conv) => conv === scope.conv;
    case 'groups':
      if (scope.conv === null) return (conv) => sim.corp.conversations[conv]!.kind === 'group';
      return (conv) => conv === scope.conv;
  }
}

/** Whether a raw message (given whole by a caller) is in the query's chat scope. */
function rawInScope(raw: RawEntry, scope: ChatScope): boolean {
  switch (scope.kind) {
    case 'any':
      return true;
    case 'groups':
      return raw.chatid !== undefined && (scope.chatId === undefined || raw.chatid === scope.chatId);
    case 'single': {
      if (raw.chatid !== undefined) return false;
      if (!scope.ids) return true;
      const [sender, receiver = sender] = raw.parties;
      const pair = new Set([sender, receiver]);
      return pair.has(scope.ids[0]) && pair.has(scope.ids[1]) && (pair.size === 2 || scope.ids[0] === scope.ids[1]);
    }
  }
}

export function searchPage(sim: Simulation, req: SearchRequest): string {
  const { store, content } = sim;
  // Match each distinct content string once, then scan messages with integer lookups only.
  const hits = new Uint8Array(content.lower.length);
  content.lower.forEach((s, i) => {
    if (s.includes(req.queryLower)) hits[i] = 1;
  });
  const accepts = scopeAccepts(sim, req.scope);
  const lo = store.firstAtOrAfter(req.start);
  let i = Math.min(store.firstAtOrAfter(req.end + 1), req.before ?? Number.MAX_SAFE_INTEGER) - 1;
  const found: number[] = [];
  let hasMore = false;
  for (; i >= lo; i--) {
    const type = store.msgtype(i);
    if (type === RAW_MSGTYPE) {
      const raw = sim.raws.get(store.extra(i))!;
      if (raw.contentLower === undefined || !raw.contentLower.includes(req.queryLower) || !rawInScope(raw, req.scope)) continue;
    } else if (SEARCHABLE[type] === 0 || hits[store.extra(i)] !== 1 || !accepts(store.conv(i))) continue;
    if (found.length === req.limit) {
      hasMore = true;
      break;
    }
    found.push(i);
  }
  const last = found[found.length - 1];
  const next = hasMore && last !== undefined ? sim.cursors.encode(SEARCH_CURSOR, [last, req.fingerprint]) : '';
  const list = found.map((j) => `{"msgid":${sim.serializer.msgidJson(j)}}`).join(',');
  return `{"errcode":0,"errmsg":"ok","has_more":${hasMore ? 1 : 0},"next_cursor":"${next}","msg_list":[${list}]}`;
}
