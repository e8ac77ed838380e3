/**
 * One HTTP exchange on undici, with everything that is not WeCom-specific: keep-alive dispatchers
 * per route (direct or via a proxy), a total timeout, cancellation, JSON decoding, and the mapping
 * of socket/TLS/HTTP failures to typed errors. No retries here; policy lives in the client.
 *
 * Shared by the client and the token sources so that all traffic follows the same proxy rules.
 */
import { Agent, type Dispatcher, ProxyAgent, request } from './undici';
import { BadResponseError, CancelledError, NetworkError, TimeoutError, WeComError } from './errors';
import { type Env, type ProxyOptions, selectProxy } from './proxy';
import { redactUrl } from './redact';

export interface TransportOptions {
  proxy?: ProxyOptions;
  /** Where HTTPS_PROXY / HTTP_PROXY / NO_PROXY are read; default `process.env`. */
  env?: Env;
  /** Verify TLS certificates (VS Code's `http.proxyStrictSSL`). Default true; `proxy.strictSSL` wins. */
  strictSSL?: boolean;
  /** Keep-alive connections per origin. WeCom limits concurrency (45033), so few are enough. */
  connections?: number;
  keepAliveTimeoutMs?: number;
  userAgent?: string;
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Short name for messages ("sync_msg"), never the URL, which holds the token. */
  readonly what: string;
}

export interface HttpReply {
  readonly status: number;
  readonly json: unknown;
  /** The body as received; `json` is its parse. */
  readonly text: string;
  readonly elapsedMs: number;
  /** 'direct' or the redacted proxy URL; for logs. */
  readonly route: string;
}

/** A reply's body as received, undecoded (see sendForBytes). */
export interface HttpBytesReply {
  readonly status: number;
  readonly bytes: Buffer;
  readonly elapsedMs: number;
  readonly route: string;
}

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return errorCode((error as { cause?: unknown }).cause);
}

function errorText(error: unknown): string {
  return redactUrl(error instanceof Error ? error.message : String(error));
}

/** undici / socket / TLS failure → typed error. DNS and TLS failures won't heal by retrying. */
export function mapNetworkError(error: unknown, timeoutMs: number, what: string): WeComError {
  if (error instanceof WeComError) return error;
  const code = errorCode(error);
  if (code && TIMEOUT_CODES.has(code)) return new TimeoutError(timeoutMs, what);
  if (code && RETRYABLE_CODES.has(code)) return new NetworkError(code, errorText(error), true, { cause: error });
  return new NetworkError(code, errorText(error), false, { cause: error });
}

type ResponseBody = Awaited<ReturnType<typeof request>>['body'];

/** JSON.parse of (part of) a reply's body; BadResponseError('json') naming the reply and its `size`. */
export function parseReplyJson(text: string, what: string, size: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BadResponseError('json', `${what} did not return valid JSON (${size} bytes)`);
  }
}

export class HttpTransport {
  private readonly options: TransportOptions;
  private readonly env: Env;
  private direct: Agent | undefined;
  private readonly proxies = new Map<string, ProxyAgent>();
  private closed = false;

  constructor(options: TransportOptions = {}) {
    this.options = options;
    this.env = options.env ?? process.env;
  }

  private get strictSSL(): boolean {
    return this.options.proxy?.strictSSL ?? this.options.strictSSL ?? true;
  }

  private dispatcherFor(url: URL): { dispatcher: Dispatcher; route: string } {
    const proxyUrl = selectProxy(url, this.options.proxy, this.env);
    const tls = { rejectUnauthorized: this.strictSSL };
    const pool = {
      connections: this.options.connections ?? 4,
      keepAliveTimeout: this.options.keepAliveTimeoutMs ?? 30_000,
    };
    if (!proxyUrl) {
      this.direct ??= new Agent({ ...pool, connect: tls });
      return { dispatcher: this.direct, route: 'direct' };
    }
    const key = proxyUrl.href;
    let agent = this.proxies.get(key);
    if (!agent) {
      agent = new ProxyAgent({
        ...pool,
        uri: key,
        requestTls: tls,
        proxyTls: tls,
        // http: targets go as absolute-URI requests (what plain HTTP proxies expect); https:
        // targets are always tunnelled with CONNECT regardless of this flag.
        proxyTunnel: false,
      });
      this.proxies.set(key, agent);
    }
    return { dispatcher: agent, route: `proxy ${redactUrl(proxyUrl.href)}` };
  }

  /** 'direct' or the redacted proxy URL that a request to `url` would take. */
  routeFor(url: URL): string {
    const proxyUrl = selectProxy(url, this.options.proxy, this.env);
    return proxyUrl ? `proxy ${redactUrl(proxyUrl.href)}` : 'direct';
  }

  async send(req: HttpRequest): Promise<HttpReply> {
    const { status, body: text, elapsedMs, route } = await this.exchange(req, (body) => body.text());
    return { status, json: parseReplyJson(text, req.what, text.length), text, elapsedMs, route };
  }

  /**
   * The exchange of `send`, the body left undecoded (a 2xx status checked, nothing else): the
   * caller decodes it, e.g. in pieces (see jsonByteSpans.ts).
   */
  async sendForBytes(req: HttpRequest): Promise<HttpBytesReply> {
    const { status, body, elapsedMs, route } = await this.exchange(req, async (b) => Buffer.from(await b.arrayBuffer()));
    return { status, bytes: body, elapsedMs, route };
  }

  /** One request; the body read by `read`. Throws typed errors only; non-2xx is BadResponseError. */
  private async exchange<T>(
    req: HttpRequest,
    read: (body: ResponseBody) => Promise<T>,
  ): Promise<{ status: number; body: T; elapsedMs: number; route: string }> {
    if (this.closed) throw new NetworkError('CLOSED', 'the client was closed', false);
    if (req.signal?.aborted) throw new CancelledError();
    const { dispatcher, route } = this.dispatcherFor(req.url);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, req.timeoutMs);
    const onAbort = (): void => controller.abort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    const started = performance.now();
    let status: number;
    let body: T;
    try {
      const headers: Record<string, string> = {
        accept: 'application/json',
        'user-agent': this.options.userAgent ?? 'wecom-chat-archive',
        ...req.headers,
      };
      let payload: string | undefined;
      if (req.body !== undefined) {
        payload = JSON.stringify(req.body);
        headers['content-type'] = 'application/json; charset=utf-8';
      }
      const response = await request(req.url, {
        method: req.method,
        headers,
        body: payload,
        dispatcher,
        signal: controller.signal,
      });
      status = response.statusCode;
      body = await read(response.body);
    } catch (error) {
      if (req.signal?.aborted) throw new CancelledError();
      if (timedOut) throw new TimeoutError(req.timeoutMs, req.what);
      throw mapNetworkError(error, req.timeoutMs, req.what);
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
    }
    const elapsedMs = Math.round(performance.now() - started);
    if (status < 200 || status >= 300) {
      throw new BadResponseError('http', `HTTP ${status} from ${req.what}`, status);
    }
    return { status, body, elapsedMs, route };
  }

  async close(): Promise<void> {
    this.closed = true;
    const all: Dispatcher[] = [...this.proxies.values()];
    if (this.direct) all.push(this.direct);
    this.proxies.clear();
    this.direct = undefined;
    await Promise.all(all.map((d) => d.close().catch(() => d.destroy())));
  }
}
