/**
 * Where the corp access token comes from (docs/wecom-api.md §1). The client only knows `TokenSource`; the four
 * implementations match how providers actually work: a pasted token, the full suite chain, a
 * central token service (中控), and the demo's simulator token.
 */
import {
  CancelledError,
  CHECK_TOKEN_SERVICE_STEP,
  EDIT_PROFILE_STEP,
  PASTE_TOKEN_STEP,
  TokenError,
  WeComApiError,
  type WeComApi,
} from './errors';
import { type Logger, silentLogger } from './logger';
import { type Clock, systemClock } from './timing';
import { HttpTransport } from './transport';
import { checkSecureUrl, DEFAULT_BASE_URL } from './urls';
import { isJsonObject, parseEnvelope } from './wire';
import { phrase } from '../../shared/text';

export interface TokenSource {
  /** A token believed valid now (cached when possible). */
  getToken(signal?: AbortSignal): Promise<string>;
  /** Called after WeCom rejected the current token (40001/40014/42001): get a new one. */
  refresh(signal?: AbortSignal): Promise<string>;
  /** Human-readable, secret-free description for logs and the UI. */
  describe(): string;
  /** Secrets this source knows, so errors and logs can redact them. */
  secrets?(): Array<string | undefined>;
}

// ---------------------------------------------------------------- shared helpers

/** Refresh shortly before expiry: 10 % of the lifetime, at most 5 minutes. */
export function refreshMarginMs(expiresInSeconds: number): number {
  return Math.min(300_000, expiresInSeconds * 100);
}

interface Cached {
  readonly value: string;
  /** When to stop using it (already includes the margin). */
  readonly useUntil: number;
}

/** Wait for a shared promise but stop waiting (only this caller) when `signal` aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new CancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new CancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * A cached value with one in-flight fetch shared by all concurrent callers. The fetch itself runs
 * without any caller's signal, so one caller cancelling does not fail the others.
 */
class SharedCache {
  private cached: Cached | undefined;
  private inflight: Promise<Cached> | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly fetch: () => Promise<Cached>,
  ) {}

  get(signal?: AbortSignal): Promise<string> {
    const cached = this.cached;
    if (cached && this.clock.now() < cached.useUntil) return Promise.resolve(cached.value);
    return this.fetchShared(signal);
  }

  /** Drop the cached value (it was rejected) and fetch a new one, joining a fetch already running. */
  renew(signal?: AbortSignal): Promise<string> {
    this.cached = undefined;
    return this.fetchShared(signal);
  }

  invalidate(): void {
    this.cached = undefined;
  }

  peek(): string | undefined {
    return this.cached?.value;
  }

  private fetchShared(signal?: AbortSignal): Promise<string> {
    if (!this.inflight) {
      this.inflight = this.fetch().then(
        (fresh) => {
          this.cached = fresh;
          this.inflight = undefined;
          return fresh;
        },
        (error: unknown) => {
          this.inflight = undefined;
          throw error;
        },
      );
    }
    return raceAbort(
      this.inflight.then((c) => c.value),
      signal,
    );
  }
}

function readTokenReply(
  json: unknown,
  api: WeComApi,
  field: string,
  secrets: Array<string | undefined>,
): { token: string; expiresIn: number } {
  const envelope = parseEnvelope(json);
  if (!envelope.ok || !isJsonObject(json)) {
    throw new TokenError('badReply', phrase('{0} did not reply with a JSON object.', api), CHECK_TOKEN_SERVICE_STEP);
  }
  if (envelope.value.errcode !== 0) throw new WeComApiError(envelope.value.errcode, envelope.value.errmsg, api, secrets);
  const token = json[field];
  const expiresIn = Number(json.expires_in);
  if (typeof token !== 'string' || token === '') {
    throw new TokenError('badReply', phrase('{0} replied without {1}.', api, field), CHECK_TOKEN_SERVICE_STEP);
  }
  // A reply without a usable lifetime is cached briefly rather than forever.
  return { token, expiresIn: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 60 };
}

function cachedFor(clock: Clock, token: string, expiresIn: number): Cached {
  return { value: token, useUntil: clock.now() + expiresIn * 1000 - refreshMarginMs(expiresIn) };
}

// ---------------------------------------------------------------- (a) pasted token

export interface StaticTokenOptions {
  token: string;
  /** Epoch ms after which the token is known to be expired (e.g. pasted time + 7200 s). */
  expiresAt?: number;
  clock?: Clock;
  /** Shown by describe(); e.g. "demo". */
  label?: string;
}

export class StaticTokenSource implements TokenSource {
  private readonly clock: Clock;

  constructor(private readonly options: StaticTokenOptions) {
    this.clock = options.clock ?? systemClock;
  }

  async getToken(): Promise<string> {
    if (!this.options.token) {
      throw new TokenError('missing', phrase('No access token was given.'), PASTE_TOKEN_STEP);
    }
    const { expiresAt } = this.options;
    if (expiresAt !== undefined && this.clock.now() >= expiresAt) {
      const when = new Date(expiresAt).toISOString();
      throw new TokenError(
        'expired',
        phrase('The pasted access token expired at {0}; paste a new one.', when),
        PASTE_TOKEN_STEP,
      );
    }
    return this.options.token;
  }

  async refresh(): Promise<string> {
    throw new TokenError(
      'notRefreshable',
      phrase('WeCom rejected the pasted access token, and a pasted token cannot be refreshed automatically; paste a new one.'),
      PASTE_TOKEN_STEP,
    );
  }

  describe(): string {
    const expiry = this.options.expiresAt === undefined ? '' : ` (expires ${new Date(this.options.expiresAt).toISOString()})`;
    return `${this.options.label ?? 'pasted token'}${expiry}`;
  }

  secrets(): Array<string | undefined> {
    return [this.options.token];
  }
}

/** (d) Demo mode: the simulator hands out a token that never expires, so a static source fits. */
export function demoTokenSource(accessToken: string): StaticTokenSource {
  return new StaticTokenSource({ token: accessToken, label: 'demo (simulator)' });
}

// ---------------------------------------------------------------- (b) suite chain

export interface SuiteTokenOptions {
  suiteId: string;
  suiteSecret: string;
  /** Pushed to the provider's callback every 10 min; a function lets the host supply the latest. */
  suiteTicket: string | (() => string | Promise<string>);
  authCorpId: string;
  permanentCode: string;
  baseUrl?: string;
  transport?: HttpTransport;
  timeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/** Said before any request: sent empty, WeCom would only answer that the value is invalid. */
function requireCredential(name: string, value: string): void {
  if (!value) throw new TokenError('missing', phrase('No {0} was given.', name), EDIT_PROFILE_STEP);
}

export type SuiteOnlyOptions = Omit<SuiteTokenOptions, 'authCorpId' | 'permanentCode'>;

/**
 * The suite_access_token alone (get_suite_token), cached and shared: the corp chain below builds
 * on it, and get_permanent_code (create_auth) needs it without any corp.
 */
export class SuiteAccessTokens {
  readonly base: URL;
  readonly transport: HttpTransport;
  private readonly ownsTransport: boolean;
  private readonly cache: SharedCache;
  private lastTicket: string | undefined;

  constructor(private readonly options: SuiteOnlyOptions) {
    this.base = checkSecureUrl(options.baseUrl ?? DEFAULT_BASE_URL, 'baseUrl');
    this.ownsTransport = options.transport === undefined;
    this.transport = options.transport ?? new HttpTransport();
    this.cache = new SharedCache(options.clock ?? systemClock, () => this.fetch());
  }

  get(signal?: AbortSignal): Promise<string> {
    return this.cache.get(signal);
  }

  /** WeCom refused it before its expiry (42009/40082): the next get() fetches a new one. */
  invalidate(): void {
    this.cache.invalidate();
  }

  /**
   * A call made with the suite token: when WeCom refuses the token before its expiry
   * (42009/40082), it is renewed and the call made once more.
   */
  async withRenewal<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof WeComApiError && (error.errcode === 42009 || error.errcode === 40082))) throw error;
      (this.options.logger ?? silentLogger).info(`token: suite token rejected (${error.errcode}); fetching a new one`);
      this.invalidate();
      return call();
    }
  }

  url(path: string, query?: Record<string, string>): URL {
    const url = new URL(`${this.base.href.replace(/\/$/, '')}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) url.searchParams.set(k, v);
    return url;
  }

  secrets(): Array<string | undefined> {
    return [this.options.suiteSecret, this.lastTicket, this.cache.peek()];
  }

  async close(): Promise<void> {
    if (this.ownsTransport) await this.transport.close();
  }

  private async fetch(): Promise<Cached> {
    const ticket = typeof this.options.suiteTicket === 'function' ? await this.options.suiteTicket() : this.options.suiteTicket;
    this.lastTicket = ticket;
    requireCredential('suite_secret', this.options.suiteSecret);
    requireCredential('suite_ticket', ticket);
    const body = { suite_id: this.options.suiteId, suite_secret: this.options.suiteSecret, suite_ticket: ticket };
    return fetchToken(this.transport, this.options, 'get_suite_token', this.url('/cgi-bin/service/get_suite_token'), body, 'suite_access_token', 'suite', this.secrets());
  }
}

/** One POST of the chain: the token in `field`, cached for its lifetime. */
async function fetchToken(
  transport: HttpTransport,
  options: { timeoutMs?: number; clock?: Clock; logger?: Logger },
  api: WeComApi,
  url: URL,
  body: object,
  field: string,
  label: string,
  secrets: Array<string | undefined>,
): Promise<Cached> {
  const reply = await transport.send({ method: 'POST', url, body, timeoutMs: options.timeoutMs ?? 15_000, what: api });
  const { token, expiresIn } = readTokenReply(reply.json, api, field, secrets);
  (options.logger ?? silentLogger).debug(`token: got a ${label} token valid ${expiresIn} s in ${reply.elapsedMs} ms`);
  return cachedFor(options.clock ?? systemClock, token, expiresIn);
}

/** get_suite_token → get_corp_token, both cached and shared (docs/wecom-api.md §1, doc 97162/90605). */
export class SuiteTokenSource implements TokenSource {
  private readonly suite: SuiteAccessTokens;
  private readonly logger: Logger;
  private readonly corpToken: SharedCache;

  constructor(private readonly options: SuiteTokenOptions) {
    this.suite = new SuiteAccessTokens(options);
    this.logger = options.logger ?? silentLogger;
    this.corpToken = new SharedCache(options.clock ?? systemClock, () => this.fetchCorpTokenWithSuiteRenewal());
  }

  getToken(signal?: AbortSignal): Promise<string> {
    return this.corpToken.get(signal);
  }

  refresh(signal?: AbortSignal): Promise<string> {
    this.logger.info(`token: refreshing the corp token of ${this.options.authCorpId}`);
    return this.corpToken.renew(signal);
  }

  describe(): string {
    return `suite ${this.options.suiteId} → corp ${this.options.authCorpId}`;
  }

  secrets(): Array<string | undefined> {
    return [...this.suite.secrets(), this.options.permanentCode, this.corpToken.peek()];
  }

  close(): Promise<void> {
    return this.suite.close();
  }

  private async fetchCorpToken(): Promise<Cached> {
    requireCredential('permanent_code', this.options.permanentCode);
    const url = this.suite.url('/cgi-bin/service/get_corp_token', { suite_access_token: await this.suite.get() });
    const body = { auth_corpid: this.options.authCorpId, permanent_code: this.options.permanentCode };
    return fetchToken(this.suite.transport, this.options, 'get_corp_token', url, body, 'access_token', 'corp', this.secrets());
  }

  /** A suite token can die before its expiry (42009/40082): renew it once and ask again. */
  private fetchCorpTokenWithSuiteRenewal(): Promise<Cached> {
    return this.suite.withRenewal(() => this.fetchCorpToken());
  }
}

// ---------------------------------------------------------------- (c) provider's token service

export interface TokenServiceOptions {
  /** GET endpoint replying `{access_token, expires_in}`; https:, or http: on loopback only. */
  url: string;
  /** Sent as `Authorization: Bearer …` when given. */
  bearerSecret?: string;
  transport?: HttpTransport;
  timeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/** The provider's central token service (中控): one place refreshes, every process asks it. */
export class TokenServiceSource implements TokenSource {
  private readonly url: URL;
  private readonly transport: HttpTransport;
  private readonly ownsTransport: boolean;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly cache: SharedCache;

  constructor(private readonly options: TokenServiceOptions) {
    this.url = checkSecureUrl(options.url, 'tokenService');
    this.ownsTransport = options.transport === undefined;
    this.transport = options.transport ?? new HttpTransport();
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.cache = new SharedCache(this.clock, () => this.fetch());
  }

  getToken(signal?: AbortSignal): Promise<string> {
    return this.cache.get(signal);
  }

  async refresh(signal?: AbortSignal): Promise<string> {
    const rejected = this.cache.peek();
    const fresh = await this.cache.renew(signal);
    if (rejected !== undefined && fresh === rejected) {
      // The service still believes in its token (its clock may differ from WeCom's). The client
      // retries once anyway; if WeCom refuses again, the API error reaches the user.
      this.logger.warn('token: the token service returned the same token WeCom just rejected; it may need a refresh on its side');
    }
    return fresh;
  }

  describe(): string {
    return `token service ${this.url.origin}${this.url.pathname}`;
  }

  secrets(): Array<string | undefined> {
    return [this.options.bearerSecret, this.cache.peek()];
  }

  async close(): Promise<void> {
    if (this.ownsTransport) await this.transport.close();
  }

  private async fetch(): Promise<Cached> {
    const reply = await this.transport.send({
      method: 'GET',
      url: this.url,
      headers: this.options.bearerSecret ? { authorization: `Bearer ${this.options.bearerSecret}` } : {},
      timeoutMs: this.options.timeoutMs ?? 15_000,
      what: 'token_service',
    });
    const { token, expiresIn } = readTokenReply(reply.json, 'token_service', 'access_token', this.secrets());
    this.logger.debug(`token: token service gave a token valid ${expiresIn} s in ${reply.elapsedMs} ms`);
    return cachedFor(this.clock, token, expiresIn);
  }
}
