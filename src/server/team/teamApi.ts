/**
 * The team API: what an operator's VS Code reads from the provider's archive service instead of a
 * local file (HTTP + JSON; TLS is the reverse proxy's). Every request names its corp; a key reads
 * only the corps it is scoped to (403 and no data otherwise), and every answered read is written
 * to the audit log before its data is sent. Ids of any shape travel in query strings and JSON
 * bodies, never in paths, so a 2,000-character id with slashes or NULs is just a value.
 *
 *   GET  /v1/corps                                         corps this key may read, with sync state
 *   GET  /v1/chats?corp&kind&limit[&after_time&after_key][&filter]  newest activity first, keyset-paged
 *   GET  /v1/chats/count?corp[&kind][&filter]     filter: id_contains, party_type, active_since, active_until
 *   GET  /v1/chat?corp&chat                         one chat's summary
 *   GET  /v1/messages?corp&chat&direction&limit[&from_time&from_msgid][&msgtype…][&sender]
 *   GET  /v1/locate?corp&chat&send_time             the first message at or after a time
 *   GET  /v1/senders?corp&chat
 *   GET  /v1/state?corp                             sync state, gaps and counts
 *   POST /v1/resolve?corp        {msgids: [≤100]}
 *   POST /v1/search?corp         a search_msg request, run with the corp's token by the service
 *   GET  /v1/export?corp&chat&format=csv|json  a whole chat, streamed (the extension's export format)
 *   GET  /v1/events?corp         server-sent events: `stored` after each commit of that corp
 *   GET  /v1/audit?limit         admin keys only
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Archive } from '../../core/archive/archive';
import type { ChatFilter, ChatKind, PageQuery, StoredMessage } from '../../core/archive/types';
import { validateSearchRequest } from '../../shared/rules';
import type { SearchMsgRequest } from '../../shared/wire';
import { readBodyUpTo } from '../readBody';
import { type ApiKeyRecord, type ApiKeyStore, mayRead } from './apiKeys';
import { streamExport } from './exportStream';
import type { AuditLog } from './auditLog';

export interface TeamSearchPage {
  readonly msgids: readonly string[];
  readonly nextCursor: string;
  readonly hasMore: boolean;
}

export interface TeamApiOptions {
  readonly keys: ApiKeyStore;
  readonly audit: AuditLog;
  /** The corps the service keeps. */
  readonly corps: () => readonly string[];
  /** A corp's archive, or undefined for a corp the service does not keep. */
  readonly archive: (corpId: string) => Archive | undefined | Promise<Archive | undefined>;
  /** search_msg with the corp's token; absent when the service cannot search. */
  readonly search?: (corpId: string, request: SearchMsgRequest, signal: AbortSignal) => Promise<TeamSearchPage>;
  /** Epoch ms; default Date.now. */
  readonly now?: () => number;
}

/** What the service announces after a commit; sent to that corp's event streams. */
export interface StoredEvent {
  readonly corpId: string;
  readonly inserted: number;
  readonly changedChats: readonly string[];
  /** `changedChats` is not the whole list (or events may have been missed): refresh every chat. */
  readonly truncated?: boolean;
}

const MAX_BODY_BYTES = 256 * 1024;
const MAX_ID_CHARS = 10_000;
const HEARTBEAT_MS = 15_000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The wire form of a message: its chat and the message object exactly as WeCom sent it. */
export interface TeamMessage {
  readonly chatKey: string;
  readonly raw: StoredMessage['raw'];
}

function wireMessage(m: StoredMessage): TeamMessage {
  return { chatKey: m.chatKey, raw: m.raw };
}

function intParam(q: URLSearchParams, name: string, min: number, max: number, fallback?: number): number {
  const v = q.get(name);
  if (v === null) {
    if (fallback !== undefined) return fallback;
    throw new HttpError(400, 'param.required', `${name} is required`);
  }
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new HttpError(400, 'param.range', `${name} must be an integer ${min}..${max}`);
  return n;
}

function numberParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new HttpError(400, 'param.number', `${name} must be a number`);
  return n;
}

function idParam(q: URLSearchParams, name: string): string {
  const v = q.get(name);
  if (v === null || v === '') throw new HttpError(400, 'param.required', `${name} is required`);
  if (v.length > MAX_ID_CHARS) throw new HttpError(400, 'param.length', `${name} is longer than ${MAX_ID_CHARS} characters`);
  return v;
}

function filterParams(q: URLSearchParams): ChatFilter {
  const filter: ChatFilter = {};
  const contains = q.get('id_contains');
  if (contains !== null && contains !== '') filter.idContains = contains.slice(0, MAX_ID_CHARS);
  const party = q.get('party_type');
  if (party !== null) {
    if (party !== '1' && party !== '2' && party !== '3') throw new HttpError(400, 'param.enum', 'party_type must be 1, 2 or 3');
    filter.partyType = Number(party) as 1 | 2 | 3;
  }
  const since = numberParam(q, 'active_since');
  if (since !== undefined) filter.activeSince = since;
  const until = numberParam(q, 'active_until');
  if (until !== undefined) filter.activeUntil = until;
  return filter;
}

function kindParam(q: URLSearchParams, required: boolean): ChatKind | undefined {
  const kind = q.get('kind');
  if (kind === null && !required) return undefined;
  if (kind !== 'group' && kind !== 'single') throw new HttpError(400, 'param.enum', 'kind must be group or single');
  return kind;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const body = await readBodyUpTo(req, MAX_BODY_BYTES);
  if (body.length > MAX_BODY_BYTES) throw new HttpError(413, 'body.too_large', `the body is larger than ${MAX_BODY_BYTES} bytes`);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'body.json', 'the body is not JSON');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

export class TeamApi {
  private readonly streams = new Map<string, Set<ServerResponse>>();
  private readonly now: () => number;

  constructor(private readonly options: TeamApiOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Tells the corp's event streams that pages were stored. */
  stored(event: StoredEvent): void {
    const listeners = this.streams.get(event.corpId);
    if (!listeners) return;
    const frame = `event: stored\ndata: ${JSON.stringify(event)}\n\n`;
    for (const res of listeners) res.write(frame);
  }

  /** Tells every event stream to refresh everything: what was stored is not known (see StoredListener). */
  refreshAll(): void {
    for (const corpId of this.streams.keys()) this.stored({ corpId, inserted: 0, changedChats: [], truncated: true });
  }

  /** Ends every event stream (graceful stop). */
  close(): void {
    for (const set of this.streams.values()) for (const res of set) res.end();
    this.streams.clear();
  }

  /** Answers a request under /v1/; false when the path is not the team API's. */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    if (!url.pathname.startsWith('/v1/')) return false;
    this.route(req, res, url).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) sendJson(res, error.status, { error: { code: error.code, message: error.message } });
      else sendJson(res, 500, { error: { code: 'internal', message: 'the service failed to answer; see its log' } });
    });
    return true;
  }

  private authenticate(req: IncomingMessage): ApiKeyRecord {
    const header = req.headers.authorization ?? '';
    const key = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const record = key ? this.options.keys.lookup(key) : undefined;
    if (!record) throw new HttpError(401, 'auth.key', 'a valid API key is required (Authorization: Bearer <key>)');
    return record;
  }

  /** The corp of the request, checked against the key's scope (the refusal is audited too). */
  private async corpArchive(who: ApiKeyRecord, q: URLSearchParams, action: string): Promise<{ corpId: string; archive: Archive }> {
    const corpId = idParam(q, 'corp');
    if (!mayRead(who, corpId)) {
      this.options.audit.append({ at: this.now(), user: who.user, action: `${action}.denied`, corpId });
      throw new HttpError(403, 'auth.scope', 'this key may not read that corp');
    }
    const archive = await this.options.archive(corpId);
    if (!archive) throw new HttpError(404, 'corp.unknown', 'the service keeps no archive for that corp');
    return { corpId, archive };
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const who = this.authenticate(req);
    const q = url.searchParams;
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    const audit = (action: string, extra: { corpId?: string; detail?: string; count?: number }) =>
      this.options.audit.append({ at: this.now(), user: who.user, action, ...extra });
    switch (route) {
      case 'GET /v1/corps': {
        const corps = this.options.corps().filter((c) => mayRead(who, c));
        const out = [];
        for (const corpId of corps) {
          const archive = await this.options.archive(corpId);
          if (!archive) continue;
          const [stats, state] = await Promise.all([archive.stats(), archive.syncState()]);
          out.push({ corpId, messages: stats.messages, chats: stats.chats, lastSuccessAt: state.lastSuccessAt, lastError: state.lastError?.message, lastMessageTime: state.lastMessageTime });
        }
        audit('corps', { count: out.length });
        sendJson(res, 200, { corps: out });
        return;
      }
      case 'GET /v1/chats': {
        const { corpId, archive } = await this.corpArchive(who, q, 'chats');
        const kind = kindParam(q, true)!;
        const afterTime = numberParam(q, 'after_time');
        const afterKey = q.get('after_key');
        const page = await archive.listChats({
          kind,
          limit: intParam(q, 'limit', 1, 1000, 200),
          filter: filterParams(q),
          ...(afterTime !== undefined && afterKey !== null ? { after: { lastTime: afterTime, key: afterKey } } : {}),
        });
        audit('chats', { corpId, detail: kind, count: page.chats.length });
        sendJson(res, 200, page);
        return;
      }
      case 'GET /v1/chats/count': {
        const { corpId, archive } = await this.corpArchive(who, q, 'chats');
        const kind = kindParam(q, false);
        const count = await archive.countChats({ ...(kind ? { kind } : {}), filter: filterParams(q) });
        audit('chats.count', { corpId, count });
        sendJson(res, 200, { count });
        return;
      }
      case 'GET /v1/chat': {
        const { corpId, archive } = await this.corpArchive(who, q, 'chat');
        const chatKey = idParam(q, 'chat');
        const chat = await archive.getChat(chatKey);
        audit('chat', { corpId, detail: chatKey, count: chat ? 1 : 0 });
        sendJson(res, 200, { chat: chat ?? null });
        return;
      }
      case 'GET /v1/locate': {
        const { corpId, archive } = await this.corpArchive(who, q, 'locate');
        const chatKey = idParam(q, 'chat');
        const sendTime = numberParam(q, 'send_time');
        if (sendTime === undefined) throw new HttpError(400, 'param.required', 'send_time is required');
        const position = await archive.locate({ chatKey, sendTime });
        audit('locate', { corpId, detail: chatKey });
        sendJson(res, 200, { position: position ?? null });
        return;
      }
      case 'GET /v1/senders': {
        const { corpId, archive } = await this.corpArchive(who, q, 'senders');
        const chatKey = idParam(q, 'chat');
        const senders = await archive.senders(chatKey);
        audit('senders', { corpId, detail: chatKey, count: senders.length });
        sendJson(res, 200, { senders });
        return;
      }
      case 'GET /v1/state': {
        const { corpId, archive } = await this.corpArchive(who, q, 'state');
        const [state, gaps, stats] = await Promise.all([archive.syncState(), archive.gaps(), archive.stats()]);
        audit('state', { corpId });
        // The cursor is the service's business, not a reader's.
        const { cursor: _cursor, ...visible } = state;
        sendJson(res, 200, { state: visible, gaps, stats: { messages: stats.messages, chats: stats.chats } });
        return;
      }
      case 'GET /v1/messages': {
        const { corpId, archive } = await this.corpArchive(who, q, 'messages');
        const chatKey = idParam(q, 'chat');
        const direction = q.get('direction') ?? 'older';
        if (direction !== 'older' && direction !== 'newer') throw new HttpError(400, 'param.enum', 'direction must be older or newer');
        const fromTime = numberParam(q, 'from_time');
        const fromMsgid = q.get('from_msgid');
        const query: PageQuery = {
          chatKey,
          direction,
          limit: intParam(q, 'limit', 1, 1000, 200),
          ...(fromTime !== undefined && fromMsgid !== null ? { from: { sendTime: fromTime, msgid: fromMsgid } } : {}),
          ...(q.has('msgtype') ? { msgtypes: q.getAll('msgtype').map((t) => Number(t)).filter((t) => Number.isSafeInteger(t)) } : {}),
          ...(q.has('sender') ? { sender: idParam(q, 'sender') } : {}),
        };
        const messages = await archive.pageMessages(query);
        audit('messages', { corpId, detail: chatKey, count: messages.length });
        sendJson(res, 200, { messages: messages.map(wireMessage) });
        return;
      }
      case 'POST /v1/resolve': {
        const { corpId, archive } = await this.corpArchive(who, q, 'resolve');
        const body = (await readJson(req)) as { msgids?: unknown };
        const msgids = body?.msgids;
        if (!Array.isArray(msgids) || msgids.length > 100 || !msgids.every((m) => typeof m === 'string' && m.length <= MAX_ID_CHARS)) {
          throw new HttpError(400, 'body.msgids', 'msgids must be a list of at most 100 strings');
        }
        const { found, missing } = await archive.resolve(msgids as string[]);
        audit('resolve', { corpId, detail: (msgids as string[]).join(' '), count: found.filter(Boolean).length });
        sendJson(res, 200, { found: found.map((m) => (m ? wireMessage(m) : null)), missing });
        return;
      }
      case 'POST /v1/search': {
        const { corpId, archive } = await this.corpArchive(who, q, 'search');
        if (!this.options.search) throw new HttpError(501, 'search.off', 'this service does not search (no corp credentials for search_msg)');
        const request = (await readJson(req)) as SearchMsgRequest;
        if (typeof request !== 'object' || request === null) throw new HttpError(400, 'body.request', 'the body must be a search_msg request object');
        const broken = validateSearchRequest(request);
        if (broken.length > 0) {
          sendJson(res, 400, { error: { code: 'rules', message: 'the search request breaks search_msg rules', rules: broken.map((v) => ({ rule: v.rule, parameter: v.parameter })) } });
          return;
        }
        const abort = new AbortController();
        res.once('close', () => abort.abort());
        const page = await this.options.search(corpId, request, abort.signal);
        const hits: Array<{ msgid: string; message: TeamMessage | null }> = [];
        for (let i = 0; i < page.msgids.length; i += 100) {
          const chunk = page.msgids.slice(i, i + 100);
          const { found } = await archive.resolve([...chunk]);
          for (const [j, msgid] of chunk.entries()) {
            const m = found[j];
            hits.push({ msgid, message: m ? wireMessage(m) : null });
          }
        }
        audit('search', { corpId, detail: request.query_word, count: hits.length });
        sendJson(res, 200, { hits, nextCursor: page.nextCursor, hasMore: page.hasMore });
        return;
      }
      case 'GET /v1/export': {
        const { corpId, archive } = await this.corpArchive(who, q, 'export');
        const chatKey = idParam(q, 'chat');
        const format = q.get('format') ?? 'json';
        if (format !== 'csv' && format !== 'json') throw new HttpError(400, 'param.enum', 'format must be csv or json');
        const chat = await archive.getChat(chatKey);
        if (!chat) throw new HttpError(404, 'chat.unknown', 'the archive holds no such chat');
        audit('export', { corpId, detail: `${format} ${chatKey}`, count: chat.count });
        await streamExport(res, archive, chatKey, format);
        return;
      }
      case 'GET /v1/events': {
        const { corpId } = await this.corpArchive(who, q, 'events');
        audit('events', { corpId });
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': stored events follow\n\n');
        const set = this.streams.get(corpId) ?? new Set<ServerResponse>();
        this.streams.set(corpId, set);
        set.add(res);
        // Comments keep proxies from closing an idle stream.
        const beat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
        beat.unref();
        res.once('close', () => {
          clearInterval(beat);
          set.delete(res);
        });
        return;
      }
      case 'GET /v1/audit': {
        if (!who.admin) throw new HttpError(403, 'auth.admin', 'only an admin key may read the audit log');
        const entries = this.options.audit.recent(intParam(q, 'limit', 1, 10_000, 200));
        audit('audit', { count: entries.length });
        sendJson(res, 200, { entries });
        return;
      }
      default:
        throw new HttpError(404, 'route.unknown', `no such endpoint: ${route}`);
    }
  }
}
