/**
 * The `token` of sync_msg: the provider's service receives WeCom's conversation_new_message callback
 * (a laptop cannot) and hands out its latest `Token`. Without it sync_msg is strictly rate limited,
 * and a refused token is treated by WeCom like none, so a refusal shows up as 45009.
 *
 * The service answers `GET <url>` with `{"token": "...", "expires_at": <Unix seconds>}`.
 */
import { ConfigError } from './errors';
import type { Logger } from './logger';
import { type Clock, systemClock } from './timing';
import type { HttpTransport } from './transport';
import { checkSecureUrl } from './urls';
import { MAX_CURSOR_BYTES as MAX_PARAM_BYTES } from '../../shared/rules';
import { phrase } from '../../shared/text';

export interface CallbackToken {
  token: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface CallbackTokenFetcher {
  fetch(signal?: AbortSignal): Promise<CallbackToken>;
  describe(): string;
}

export interface CallbackTokenServiceOptions {
  url: string;
  transport: HttpTransport;
  /** Sent as `Authorization: Bearer …` when set. */
  bearerSecret?: string;
  timeoutMs?: number;
}

export class CallbackTokenService implements CallbackTokenFetcher {
  private readonly url: URL;

  /** Refuses a URL that is not https (or http on loopback) before any request. */
  constructor(private readonly options: CallbackTokenServiceOptions) {
    this.url = checkSecureUrl(options.url, 'tokenService');
  }

  describe(): string {
    return `callback token service ${this.url.origin}${this.url.pathname}`;
  }

  async fetch(signal?: AbortSignal): Promise<CallbackToken> {
    const reply = await this.options.transport.send({
      method: 'GET',
      url: this.url,
      headers: this.options.bearerSecret ? { authorization: `Bearer ${this.options.bearerSecret}` } : {},
      timeoutMs: this.options.timeoutMs ?? 15_000,
      ...(signal ? { signal } : {}),
      what: 'callback_token_service',
    });
    const body = reply.json as { token?: unknown; expires_at?: unknown } | null;
    const token = body?.token;
    const expiresAt = body?.expires_at;
    if (reply.status !== 200 || typeof token !== 'string' || token === '' || Buffer.byteLength(token) > MAX_PARAM_BYTES || typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) {
      throw new ConfigError('tokenService', phrase(
          'The callback token service ({0}) did not answer {1} (HTTP {2}). Check that service.',
          this.url.origin,
          `{"token": "…" (≤ ${MAX_PARAM_BYTES} bytes), "expires_at": Unix seconds}`,
          reply.status,
        ));
    }
    return { token, expiresAt: expiresAt * 1000 };
  }
}

/** A token this close to its expiry is not sent: it could expire on the way. */
const EXPIRY_MARGIN_MS = 15_000;
/** Refusals closer together than this ask the service once. */
const REFETCH_MIN_MS = 5_000;

/**
 * The token one sync run sends: fetched before the run, fetched again when it nears its expiry or
 * WeCom refuses it. Synchronous `current()` for the engine, which asks before every request;
 * fetches happen beside it. Without a service, the pasted token (`fallback`) is used.
 */
export class RunCallbackToken {
  private cached: CallbackToken | undefined;
  private fetching: Promise<void> | undefined;
  private lastFetchAt = Number.NEGATIVE_INFINITY;
  /** Requests the service answered (for tests and the log). */
  fetches = 0;

  constructor(
    private readonly fetcher: CallbackTokenFetcher | undefined,
    private readonly fallback: () => CallbackToken | undefined,
    private readonly logger: Logger,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Before the run: one fetch; a failure is logged and the run goes on with the pasted token or none. */
  async prepare(signal?: AbortSignal): Promise<void> {
    await this.refetch(signal);
  }

  current(): string | undefined {
    const now = this.clock.now();
    if (this.cached && this.cached.expiresAt - EXPIRY_MARGIN_MS > now) return this.cached.token;
    if (this.fetcher) void this.refetch();
    const pasted = this.fallback();
    return pasted && pasted.expiresAt - EXPIRY_MARGIN_MS > now ? pasted.token : undefined;
  }

  /** WeCom refused the token (it rate limited us as if none was sent): ask the service again. */
  refused(): void {
    if (!this.fetcher) return;
    if (this.clock.now() - this.lastFetchAt < REFETCH_MIN_MS) return;
    this.cached = undefined;
    void this.refetch();
  }

  private refetch(signal?: AbortSignal): Promise<void> {
    if (!this.fetcher) return Promise.resolve();
    if (this.fetching) return this.fetching;
    if (this.clock.now() - this.lastFetchAt < REFETCH_MIN_MS) return Promise.resolve();
    const fetcher = this.fetcher;
    this.lastFetchAt = this.clock.now();
    this.fetching = fetcher
      .fetch(signal)
      .then(
        (fresh) => {
          this.fetches++;
          this.cached = fresh;
          this.logger.debug(`callback token: ${fetcher.describe()} gave a token valid until ${new Date(fresh.expiresAt).toISOString()}`);
        },
        (e: unknown) => this.logger.warn(`callback token: ${fetcher.describe()} failed (${e instanceof Error ? e.message : String(e)}); syncing without it (strict rate limit)`),
      )
      .finally(() => {
        this.fetching = undefined;
      });
    return this.fetching;
  }
}
