/**
 * A team archive: the `Archive` of one corp as the provider's archive service keeps it, read over
 * its team API (src/server/team/teamApi.ts) with a per-user API key. Everything above the store —
 * tree, stream, search, exports — works on it as on a local file. It is read-only: the service
 * syncs, so every write answers READ_ONLY. `onStored` follows the service's `stored` events.
 */
import type { JsonObject } from '../../shared/wire';
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

export class TeamArchive implements Archive {
  readonly file: string;
  private readonly base: URL;
  private readonly timeoutMs: number;
  private closed = false;
  private readonly streams = new Set<AbortController>();

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

  private async call<T>(url: URL, body?: unknown): Promise<T> {
    if (this.closed) throw new ArchiveError('CLOSED', 'the team archive was closed');
    let res: Response;
    try {
      res = await fetch(url, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${this.options.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new ArchiveError('SERVICE', `the team archive service at ${this.base.origin} did not answer`, { cause: error });
    }
    const json = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    if (!res.ok) {
      const reason = json.error ? `${json.error.code}: ${json.error.message}` : `HTTP ${res.status}`;
      throw new ArchiveError('SERVICE', `the team archive service refused (${res.status} ${reason})`);
    }
    return json as T;
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

  async syncState(): Promise<SyncState> {
    return (await this.call<{ state: SyncState }>(this.url('state'))).state;
  }

  async gaps(): Promise<Gap[]> {
    return (await this.call<{ gaps: Gap[] }>(this.url('state'))).gaps;
  }

  async stats(): Promise<ArchiveStats> {
    const { stats } = await this.call<{ stats: { messages: number; chats: number } }>(this.url('state'));
    // The service's database is not a file here.
    return { ...stats, fileBytes: 0 };
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
