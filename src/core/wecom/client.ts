/**
 * The chat-archive API client: validation before sending, retries with backoff, token refresh,
 * rate-limit waits, `limit` halving, and pagination as async iterators.
 *
 * The retry policy follows docs/wecom-api.md §6. Every bound is explicit (attempts, waits, one refresh) so a
 * misbehaving server can never keep the sync loop spinning.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  BadResponseError,
  CancelledError,
  RequestRuleError,
  UnexpectedError,
  type WeComApi,
  WeComApiError,
  WeComError,
} from './errors';
import { type Logger, silentLogger } from './logger';
import type { ProxyOptions, Env } from './proxy';
import { redactSecrets, redactUrl } from './redact';
import { validateSearchRequest, validateSyncRequest } from '../../shared/rules';
import { backoffDelay, type Clock, realSleep, type Sleep, systemClock } from './timing';
import type { TokenSource } from './tokens';
import { type HttpRequest, HttpTransport } from './transport';
import { decodeSyncBody, type SyncBody } from './syncBody';
import { checkSecureUrl, DEFAULT_BASE_URL } from './urls';
import { type ArchiveMessage, type ParseResult, SEARCH_DEFAULT_LIMIT, type SearchMsgRequest, SYNC_DEFAULT_LIMIT, type SyncMsgRequest, type SyncPageData } from '../../shared/wire';
import { type EntrySource, parseEnvelope, parseSearchReply, parseSyncHead, readHeadEntries, type SyncReplyHead } from './wire';

export interface RetryOptions {
  /** Total attempts for transient failures (-1, 45033, 5xx, resets, timeouts, bad JSON). Default 5. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface RateLimitOptions {
  /** How long a 45009 block is waited out. Default 60 s (the minute-level block). */
  waitMs?: number;
  /** How many 45009 blocks one call may wait out before giving up. Default 3. */
  maxWaits?: number;
}

export interface WeComClientOptions {
  tokenSource: TokenSource;
  /** Default https://qyapi.weixin.qq.com; http: only for loopback hosts. */
  baseUrl?: string;
  /** Total time of one HTTP exchange. Default 30 s. */
  timeoutMs?: number;
  retry?: RetryOptions;
  rateLimit?: RateLimitOptions;
  /** Told when the client starts waiting out a 45009 block, so the UI can show a countdown. */
  onWait?: (untilMs: number, reason: WeComApiError) => void;
  logger?: Logger;
  /** VS Code's http.proxy / http.proxyStrictSSL; env HTTPS_PROXY/HTTP_PROXY/NO_PROXY otherwise. */
  proxy?: ProxyOptions;
  env?: Env;
  /** Share one transport (and its keep-alive connections) with token sources. Not closed by close(). */
  transport?: HttpTransport;
  sleep?: Sleep;
  random?: () => number;
  clock?: Clock;
}

export interface SyncPage {
  /**
   * Read when first asked for (see LazySyncPage). Throws BadResponseError('json') when the reply
   * was decoded in pieces and one of its entries is not JSON (syncBody.ts).
   */
  readonly messages: ArchiveMessage[];
  /** Each message's JSON as received, in the order of `messages` (see SyncPageData.texts). */
  readonly texts?: readonly string[];
  readonly nextCursor: string;
  readonly hasMore: boolean;
  /** The limit the page was fetched with (may be lower than asked, after 301058). */
  readonly limitUsed: number;
  /** msg_list entries without a msgid, dropped (known once the messages are read). */
  readonly skipped: number;
  /** msg_list's length (messages + skipped), known before the messages are read. */
  readonly entries?: number;
}

/**
 * A sync_msg page whose messages are read on first use. Reading a full page takes milliseconds;
 * the sync engine checks the paging contract (cursor, has_more, entries) and sends the next
 * request first, so the server works on it meanwhile.
 */
class LazySyncPage implements SyncPage {
  private body: Pick<SyncPageData, 'messages' | 'texts' | 'skipped'> | undefined;
  readonly nextCursor: string;
  readonly hasMore: boolean;
  readonly entries: number;

  constructor(
    private readonly head: SyncReplyHead,
    /** The reply as received, when it was decoded whole. */
    private readonly text: string | undefined,
    readonly limitUsed: number,
    private readonly logger: Logger,
  ) {
    this.nextCursor = head.nextCursor;
    this.hasMore = head.hasMore;
    this.entries = head.entries;
  }

  private read(): Pick<SyncPageData, 'messages' | 'texts' | 'skipped'> {
    if (!this.body) {
      this.body = readHeadEntries(this.head, this.text);
      if (this.body.skipped > 0) this.logger.warn(`sync_msg: dropped ${this.body.skipped} msg_list entries without a msgid`);
    }
    return this.body;
  }

  get messages(): ArchiveMessage[] {
    return this.read().messages;
  }

  get texts(): readonly string[] | undefined {
    return this.read().texts;
  }

  get skipped(): number {
    return this.read().skipped;
  }
}

export interface SearchPage {
  /** Newest first, as the server sends them. */
  readonly msgids: string[];
  readonly nextCursor: string;
  readonly hasMore: boolean;
  readonly limitUsed: number;
  readonly skipped: number;
}

interface CallSpec<T> {
  readonly api: WeComApi;
  readonly path: string;
  /** The body; `limit` is rewritten when 301058 asks for smaller pages. */
  readonly body: { limit?: number };
  readonly defaultLimit: number;
  /** `text`: the body as received, or msg_list's entries, not read yet, when `split` split it. */
  readonly parse: (json: unknown, text: string | EntrySource) => ParseResult<T>;
  /** Decode the body from its bytes in pieces (decodeSyncBody) rather than whole. */
  readonly split?: boolean;
  readonly signal?: AbortSignal;
}

export class WeComClient {
  private readonly base: URL;
  private readonly tokenSource: TokenSource;
  private readonly transport: HttpTransport;
  private readonly ownsTransport: boolean;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly waitMs: number;
  private readonly maxWaits: number;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly clock: Clock;
  private readonly onWait: ((untilMs: number, reason: WeComApiError) => void) | undefined;

  constructor(options: WeComClientOptions) {
    // Refused here, before any request: a non-loopback http: base URL would leak the token.
    this.base = checkSecureUrl(options.baseUrl ?? DEFAULT_BASE_URL, 'baseUrl');
    this.tokenSource = options.tokenSource;
    this.ownsTransport = options.transport === undefined;
    this.transport =
      options.transport ??
      new HttpTransport({ ...(options.proxy ? { proxy: options.proxy } : {}), ...(options.env ? { env: options.env } : {}) });
    this.logger = options.logger ?? silentLogger;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxAttempts = Math.max(1, options.retry?.maxAttempts ?? 5);
    this.baseDelayMs = options.retry?.baseDelayMs ?? 500;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 15_000;
    this.waitMs = options.rateLimit?.waitMs ?? 60_000;
    this.maxWaits = options.rateLimit?.maxWaits ?? 3;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? systemClock;
    this.onWait = options.onWait;
  }

  /** Secret-free description for the log and the status bar. */
  describe(): string {
    return `${this.base.origin} via ${this.transport.routeFor(this.base)}, token from ${this.tokenSource.describe()}`;
  }

  /**
   * One sync_msg call. `cursorFromServer`: the cursor is one WeCom gave (a page's next_cursor, as
   * stored) and goes back as given; the 128-byte rule is for cursors a person types.
   */
  async syncMsg(request: SyncMsgRequest, signal?: AbortSignal, opts: { cursorFromServer?: boolean } = {}): Promise<SyncPage> {
    const violations = validateSyncRequest(request).filter((v) => !(opts.cursorFromServer && v.rule === 'cursor.max_bytes'));
    if (violations.length > 0) throw new RequestRuleError('sync_msg', violations);
    const body: SyncMsgRequest = {};
    if (request.cursor) body.cursor = request.cursor;
    if (request.token) body.token = request.token;
    if (request.limit !== undefined) body.limit = request.limit;
    const { value, limitUsed } = await this.call({
      api: 'sync_msg',
      path: '/cgi-bin/chatdata/sync_msg',
      body,
      defaultLimit: SYNC_DEFAULT_LIMIT,
      parse: (json, text) => {
        const whole = typeof text === 'string';
        const head = parseSyncHead(json, whole ? undefined : text);
        return head.ok ? { ok: true, value: { head: head.value, text: whole ? text : undefined } } : head;
      },
      split: true,
      ...(signal ? { signal } : {}),
    });
    return new LazySyncPage(value.head, value.text, limitUsed, this.logger);
  }

  /** One search_msg call. */
  async searchMsg(request: SearchMsgRequest, signal?: AbortSignal): Promise<SearchPage> {
    const violations = validateSearchRequest(request);
    if (violations.length > 0) throw new RequestRuleError('search_msg', violations);
    const body: SearchMsgRequest = { query_word: request.query_word };
    if (request.chat_info) body.chat_info = request.chat_info;
    if (request.start_time !== undefined) body.start_time = request.start_time;
    if (request.end_time !== undefined) body.end_time = request.end_time;
    if (request.limit !== undefined) body.limit = request.limit;
    if (request.cursor) body.cursor = request.cursor;
    const { value, limitUsed } = await this.call({
      api: 'search_msg',
      path: '/cgi-bin/chatdata/search_msg',
      body,
      defaultLimit: SEARCH_DEFAULT_LIMIT,
      parse: parseSearchReply,
      ...(signal ? { signal } : {}),
    });
    return { ...value, limitUsed };
  }

  async close(): Promise<void> {
    if (this.ownsTransport) await this.transport.close();
  }

  // ---------------------------------------------------------------- internals

  private secrets(): Array<string | undefined> {
    return this.tokenSource.secrets?.() ?? [];
  }

  private redact(text: string): string {
    return redactSecrets(text, this.secrets());
  }

  private async call<T>(spec: CallSpec<T>): Promise<{ value: T; limitUsed: number }> {
    const { api, signal } = spec;
    let attempt = 0;
    let waits = 0;
    let refreshed = false;
    for (;;) {
      if (signal?.aborted) throw new CancelledError();
      attempt++;
      const limitUsed = spec.body.limit ?? spec.defaultLimit;
      let error: WeComError;
      try {
        return { value: await this.attempt(spec, attempt), limitUsed };
      } catch (caught) {
        error = this.toWeComError(caught);
      }
      switch (error.kind) {
        case 'cancelled':
        case 'fatal':
          this.logger.error(`${api}: ${this.redact(error.message)}`);
          throw error;
        case 'retry': {
          if (attempt >= this.maxAttempts) {
            this.logger.error(`${api}: giving up after ${attempt} attempts: ${this.redact(error.message)}`);
            throw error;
          }
          const delay = backoffDelay(attempt, { baseDelayMs: this.baseDelayMs, maxDelayMs: this.maxDelayMs }, this.random);
          this.logger.warn(`${api}: ${this.redact(error.message)}; retry ${attempt + 1}/${this.maxAttempts} in ${delay} ms`);
          await this.sleep(delay, signal);
          break;
        }
        case 'refreshToken': {
          if (refreshed) {
            this.logger.error(`${api}: token rejected again after a refresh: ${this.redact(error.message)}`);
            throw error;
          }
          refreshed = true;
          attempt--; // the refresh retry is not a transient-failure attempt
          this.logger.info(`${api}: ${this.redact(error.message)}; refreshing the token once`);
          try {
            await this.tokenSource.refresh(signal);
          } catch (refreshError) {
            const typed = this.toWeComError(refreshError);
            this.logger.error(`${api}: token refresh failed: ${this.redact(typed.message)}`);
            throw typed;
          }
          break;
        }
        case 'wait': {
          waits++;
          if (waits > this.maxWaits) {
            this.logger.error(`${api}: still rate-limited after ${this.maxWaits} waits`);
            throw error;
          }
          attempt--;
          const until = this.clock.now() + this.waitMs;
          this.logger.warn(`${api}: rate limited (45009); waiting ${Math.round(this.waitMs / 1000)} s (${waits}/${this.maxWaits})`);
          if (error instanceof WeComApiError) this.onWait?.(until, error);
          await this.sleep(this.waitMs, signal);
          break;
        }
        case 'halveLimit': {
          if (limitUsed <= 1) {
            this.logger.error(`${api}: reply too large even with limit 1`);
            throw error;
          }
          attempt--;
          spec.body.limit = Math.max(1, Math.floor(limitUsed / 2));
          this.logger.warn(`${api}: reply too large (301058); limit ${limitUsed} → ${spec.body.limit}`);
          break;
        }
      }
    }
  }

  /** One request: token, POST, envelope check, parse. Throws typed errors only. */
  private async attempt<T>(spec: CallSpec<T>, attempt: number): Promise<T> {
    const token = await this.tokenSource.getToken(spec.signal);
    const url = new URL(`${this.base.href.replace(/\/$/, '')}${spec.path}`);
    url.searchParams.set('access_token', token);
    const shown = redactUrl(url.href);
    this.logger.debug(`POST ${shown} limit=${spec.body.limit ?? spec.defaultLimit} (attempt ${attempt})`);
    const request = {
      method: 'POST',
      url,
      body: spec.body,
      timeoutMs: this.timeoutMs,
      what: spec.api,
      ...(spec.signal ? { signal: spec.signal } : {}),
    } as const;
    const reply = spec.split ? await this.sendSplit(request) : await this.transport.send(request);
    const envelope = parseEnvelope(reply.json);
    if (!envelope.ok) throw new BadResponseError('shape', `${spec.api}: ${envelope.problem}`);
    const { errcode, errmsg } = envelope.value;
    this.logger.debug(`POST ${shown} → HTTP ${reply.status} errcode ${errcode} in ${reply.elapsedMs} ms (${reply.route})`);
    if (errcode !== 0) throw new WeComApiError(errcode, errmsg, spec.api, [token, ...this.secrets()]);
    // A reply decoded whole takes milliseconds to read; not in the same task that decoded it, so
    // the event loop (shared by every extension) gets a turn in between. A split sync_msg reply's
    // entries are read later (syncBody.ts): its head is read at once, and the next page asked for.
    if (typeof reply.text === 'string') await yieldToLoop();
    const parsed = spec.parse(reply.json, reply.text);
    if (!parsed.ok) throw new BadResponseError('shape', `${spec.api}: ${parsed.problem}`);
    return parsed.value;
  }

  /** `transport.send`, the body decoded in pieces (see syncBody.ts). */
  private async sendSplit(request: HttpRequest): Promise<SyncBody & { status: number; elapsedMs: number; route: string }> {
    const { bytes, ...rest } = await this.transport.sendForBytes(request);
    return { ...rest, ...decodeSyncBody(bytes, request.what) };
  }

  private toWeComError(error: unknown): WeComError {
    if (error instanceof WeComError) return error;
    const text = error instanceof Error ? error.message : String(error);
    return new UnexpectedError(this.redact(text), { cause: error });
  }
}
