/**
 * A team archive: the `Archive` of one corp as the provider's archive service keeps it, read over
 * its team API (src/server/team/teamApi.ts) with a per-user API key. Everything above the store —
 * tree, stream, search, exports — works on it as on a local file. It is read-only: the service
 * syncs, so every write answers READ_ONLY. `onStored` follows the service's `stored` events.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { phrase } from '../../shared/text';
import type { JsonObject, SearchMsgRequest } from '../../shared/wire';
import { parseMessage } from '../wecom/wire';
import type { Archive } from './archive';
import { ArchiveError } from './errors';
import type { ListChatsQuery } from './protocol';
import type {
  ApplyResult,
  ArchiveStats,
  ChatCursor,
  ChatFilter,
  ChatSummary,
  Gap,
  LeaseResult,
  MessagePosition,
  PageQuery,
  StoredMessage,
  SyncState,
} from './types';

export interface TeamArchiveOptions {
  /** The service's base URL, e.g. https://archive.example.com (http only on loopback). */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly corpId: string;
  /** Per request; default 15 s. */
  readonly timeoutMs?: number;
}

export interface StoredNotice {
  readonly inserted: number;
  readonly changedChats: readonly string[];
  /** Set when `changedChats` is not the whole list (or notices may have been missed): refresh every chat. */
  readonly truncated?: boolean;
}

interface WireMessage {
  chatKey: string;
  raw: JsonObject;
}

function toStored(m: WireMessage | null): StoredMessage | undefined {
  if (!m) return undefined;
  const message = parseMessage(m.raw);
  return message ? { ...message, chatKey: m.chatKey } : undefined;
}

function filterParams(p: URLSearchParams, filter: ChatFilter | undefined): void {
  if (!filter) return;
  if (filter.idContains) p.set('id_contains', filter.idContains);
  if (filter.partyType !== undefined) p.set('party_type', String(filter.partyType));
  if (filter.activeSince !== undefined) p.set('active_since', String(filter.activeSince));
  if (filter.activeUntil !== undefined) p.set('active_until', String(filter.activeUntil));
}

/** Refuses a URL that would send the key in clear text off this machine. */
export function checkServiceUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ArchiveError('BAD_REQUEST', 'the team archive service URL is not a URL');
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ArchiveError('BAD_REQUEST', 'the team archive service URL must be https (http only on 127.0.0.1)');
  }
  return url;
}

/** A hit of the service's search: the msgid, and the message when the service's archive holds it. */
export interface TeamSearchHit {
  readonly msgid: string;
  readonly message?: StoredMessage;
}

export interface TeamSearchPage {
  readonly hits: TeamSearchHit[];
  readonly nextCursor: string;
  readonly hasMore: boolean;
}

/** A corp the key may read, as GET /v1/corps lists it. */
export interface TeamCorp {
  readonly corpId: string;
  readonly messages: number;
  readonly chats: number;
  readonly lastSuccessAt?: number;
}

/** The service's refusal in words a user can act on; its own code and message stay in the log text. */
function refusal(origin: string, status: number, reason: string): ArchiveError {
  const message = `the team archive service refused (${status} ${reason})`;
  const userMessage =
    status === 401
      ? phrase('The team archive service at {0} did not accept the API key. Check the key with "Edit Profile", or ask the service\'s admin for a new one.', origin)
      : status === 403
        ? phrase('Your API key may not read this corp on the team archive service at {0}. Ask the service\'s admin to add the corp to your key.', origin)
        : status === 404
          ? phrase('The team archive service at {0} keeps no archive for this corp ({1}). Check the corp id in "Edit Profile".', origin, reason)
          : phrase('The team archive service at {0} answered {1} ({2}). Try again later; the log has the details.', origin, String(status), reason);
  return new ArchiveError('SERVICE', message, { userMessage });
}

/** One request to the service; refusals and silence become ArchiveErrors that say what to do. */
async function send(base: URL, apiKey: string, url: URL, signal: AbortSignal, body?: unknown): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal,
    });
  } catch (error) {
    throw new ArchiveError('SERVICE', `the team archive service at ${base.origin} did not answer`, {
      cause: error,
      userMessage: phrase('The team archive service at {0} did not answer. Check its URL and that it runs; the tree shows the archive again once it answers.', base.origin),
    });
  }
  if (!res.ok) {
    const json = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw refusal(base.origin, res.status, json.error ? `${json.error.code}: ${json.error.message}` : `HTTP ${res.status}`);
  }
  return res;
}

async function callService<T>(base: URL, apiKey: string, url: URL, timeoutMs: number, body?: unknown): Promise<T> {
  const res = await send(base, apiKey, url, AbortSignal.timeout(timeoutMs), body);
  return (await res.json().catch(() => ({}))) as T;
}

/** The corps an API key may read on a service (the profile wizard offers them). */
export async function listTeamCorps(baseUrl: string, apiKey: string, timeoutMs = 15_000): Promise<TeamCorp[]> {
  const base = checkServiceUrl(baseUrl);
  return (await callService<{ corps: TeamCorp[] }>(base, apiKey, new URL('/v1/corps', base), timeoutMs)).corps;
}

export class TeamArchive implements Archive {
  readonly file: string;
  private readonly base: URL;
  private readonly timeoutMs: number;
  private closed = false;
  private readonly streams = new Set<AbortController>();
  private stateCall: Promise<{ state: SyncState; gaps: Gap[]; stats: { messages: number; chats: number } }> | undefined;

  constructor(private readonly options: TeamArchiveOptions) {
    this.base = checkServiceUrl(options.baseUrl);
    this.timeoutMs = options.timeoutMs ?? 15_000;
    // Names the archive in logs and errors; the key is never part of it.
    this.file = `${this.base.origin}#${options.corpId}`;
  }

  private url(path: string, params: Record<string, string> = {}): URL {
    const url = new URL(`/v1/${path}`, this.base);
    url.searchParams.set('corp', this.options.corpId);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url;
  }

  private call<T>(url: URL, body?: unknown): Promise<T> {
    if (this.closed) return Promise.reject(new ArchiveError('CLOSED', 'the team archive was closed'));
    return callService<T>(this.base, this.options.apiKey, url, this.timeoutMs, body);
  }

  listChats(q: ListChatsQuery): Promise<{ chats: ChatSummary[]; next?: ChatCursor }> {
    const url = this.url('chats', { kind: q.kind, limit: String(q.limit) });
    if (q.after) {
      url.searchParams.set('after_time', String(q.after.lastTime));
      url.searchParams.set('after_key', q.after.key);
    }
    filterParams(url.searchParams, q.filter);
    return this.call(url);
  }

  async countChats(q: { kind?: 'group' | 'single'; filter?: ChatFilter }): Promise<number> {
    const url = this.url('chats/count', q.kind ? { kind: q.kind } : {});
    filterParams(url.searchParams, q.filter);
    return (await this.call<{ count: number }>(url)).count;
  }

  async getChat(key: string): Promise<ChatSummary | undefined> {
    return (await this.call<{ chat: ChatSummary | null }>(this.url('chat', { chat: key }))).chat ?? undefined;
  }

  async pageMessages(q: PageQuery): Promise<StoredMessage[]> {
    const url = this.url('messages', { chat: q.chatKey, direction: q.direction, limit: String(q.limit) });
    if (q.from) {
      url.searchParams.set('from_time', String(q.from.sendTime));
      url.searchParams.set('from_msgid', q.from.msgid);
    }
    for (const t of q.msgtypes ?? []) url.searchParams.append('msgtype', String(t));
    if (q.sender !== undefined) url.searchParams.set('sender', q.sender);
    const { messages } = await this.call<{ messages: WireMessage[] }>(url);
    return messages.map(toStored).filter((m): m is StoredMessage => m !== undefined);
  }

  async locate(q: { chatKey: string; sendTime: number }): Promise<MessagePosition | undefined> {
    return (await this.call<{ position: MessagePosition | null }>(this.url('locate', { chat: q.chatKey, send_time: String(q.sendTime) }))).position ?? undefined;
  }

  async resolve(msgids: string[]): Promise<{ found: (StoredMessage | undefined)[]; missing: string[] }> {
    const { found, missing } = await this.call<{ found: (WireMessage | null)[]; missing: string[] }>(this.url('resolve'), { msgids });
    return { found: found.map(toStored), missing };
  }

  async senders(chatKey: string): Promise<{ type: number; id: string; count: number }[]> {
    return (await this.call<{ senders: { type: number; id: string; count: number }[] }>(this.url('senders', { chat: chatKey }))).senders;
  }

  /**
   * One page of search_msg, run by the service with the corp's token (the user holds none), each
   * hit resolved from the service's archive. The service checks search_msg's rules as well.
   */
  async search(request: SearchMsgRequest): Promise<TeamSearchPage> {
    const page = await this.call<{ hits: { msgid: string; message: WireMessage | null }[]; nextCursor: string; hasMore: boolean }>(this.url('search'), request);
    const hits = page.hits.map(({ msgid, message }) => {
      const stored = toStored(message);
      return stored ? { msgid, message: stored } : { msgid };
    });
    return { hits, nextCursor: page.nextCursor, hasMore: page.hasMore };
  }

  /**
   * GET /v1/state answers syncState, gaps and stats at once; the tree asks for all three together,
   * so calls made while one is in flight share it.
   */
  private state(): Promise<{ state: SyncState; gaps: Gap[]; stats: { messages: number; chats: number } }> {
    if (!this.stateCall) {
      this.stateCall = this.call(this.url('state'));
      const clear = () => {
        this.stateCall = undefined;
      };
      this.stateCall.then(clear, clear);
    }
    return this.stateCall;
  }

  /**
   * A whole chat as the service exports it (GET /v1/export, audited there as an export), written
   * to `file` as it arrives; `onBytes` hears the bytes so far. Returns the bytes written.
   */
  async exportChat(chatKey: string, format: 'csv' | 'json', file: string, signal: AbortSignal, onBytes: (bytes: number) => void = () => undefined): Promise<number> {
    if (this.closed) throw new ArchiveError('CLOSED', 'the team archive was closed');
    const res = await send(this.base, this.options.apiKey, this.url('export', { chat: chatKey, format }), signal);
    if (!res.body) throw new ArchiveError('SERVICE', 'the team archive service sent no export');
    let bytes = 0;
    const body = Readable.fromWeb(res.body as NodeReadableStream<Uint8Array>);
    body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      onBytes(bytes);
    });
    await pipeline(body, createWriteStream(file), { signal });
    return bytes;
  }

  async syncState(): Promise<SyncState> {
    return (await this.state()).state;
  }

  async gaps(): Promise<Gap[]> {
    return (await this.state()).gaps;
  }

  async stats(): Promise<ArchiveStats> {
    // The service's database is not a file here.
    return { ...(await this.state()).stats, fileBytes: 0 };
  }

  /**
   * Follows the service's `stored` events until closed; reconnects after a dropped stream
   * (1 s, doubling to 30 s). Returns a function that stops following.
   */
  onStored(listener: (notice: StoredNotice) => void): () => void {
    const controller = new AbortController();
    this.streams.add(controller);
    const follow = async (): Promise<void> => {
      let delay = 1000;
      while (!controller.signal.aborted && !this.closed) {
        try {
          const res = await fetch(this.url('events'), { headers: { authorization: `Bearer ${this.options.apiKey}` }, signal: controller.signal });
          if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
          delay = 1000;
          const decoder = new TextDecoder();
          let buffer = '';
          const reader = res.body.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            buffer += decoder.decode(value, { stream: true });
            let end = buffer.indexOf('\n\n');
            while (end >= 0) {
              const frame = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              end = buffer.indexOf('\n\n');
              if (!frame.startsWith('event: stored\n')) continue;
              const data = frame.split('\n').find((l) => l.startsWith('data: '));
              if (data) listener(JSON.parse(data.slice(6)) as StoredNotice);
            }
          }
        } catch {
          // Dropped or refused: try again later, unless stopped.
        }
        if (controller.signal.aborted || this.closed) return;
        await new Promise((r) => setTimeout(r, delay).unref());
        delay = Math.min(30_000, delay * 2);
      }
    };
    void follow();
    return () => {
      controller.abort();
      this.streams.delete(controller);
    };
  }

  private readOnly(): never {
    throw new ArchiveError('READ_ONLY', 'a team archive is kept by the archive service; it cannot be written from here');
  }

  async applyPage(): Promise<ApplyResult> {
    this.readOnly();
  }

  commit(): Promise<ApplyResult> {
    return Promise.resolve({ inserted: 0, changedChats: [] });
  }

  async recordGap(): Promise<void> {
    this.readOnly();
  }

  async resetCursor(): Promise<void> {
    this.readOnly();
  }

  async recordError(): Promise<void> {
    this.readOnly();
  }

  async acquireLease(): Promise<LeaseResult> {
    this.readOnly();
  }

  async renewLease(): Promise<boolean> {
    this.readOnly();
  }

  async releaseLease(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.streams) c.abort();
    this.streams.clear();
  }
}
