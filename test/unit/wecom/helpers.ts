/**
 * Test helpers: a scripted WeCom-like HTTP server and a tiny forward proxy, both on 127.0.0.1 only,
 * plus a capturing logger and instant sleep so retry tests run in milliseconds.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CancelledError } from '../../../src/core/wecom/errors';
import type { Logger } from '../../../src/core/wecom/logger';
import type { Sleep } from '../../../src/core/wecom/timing';

export interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
}

export interface Reply {
  status?: number;
  json?: unknown;
  /** Raw body text (for malformed JSON). */
  raw?: string;
  /** Wait before answering. */
  delayMs?: number;
  /** Destroy the socket instead of answering (connection reset). */
  destroy?: boolean;
}

export type Handler = (req: Recorded, index: number) => Reply | Promise<Reply>;

export interface ScriptedServer {
  readonly url: string;
  readonly requests: Recorded[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startServer(handler: Handler): Promise<ScriptedServer> {
  const requests: Recorded[] = [];
  // Pending delays end when the server closes, so a slow reply never keeps the test process alive.
  const closing = new AbortController();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const text = await readBody(req);
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const recorded: Recorded = { method: req.method ?? '', path: url.pathname, url, headers: req.headers, body };
      requests.push(recorded);
      const reply = await handler(recorded, requests.length - 1);
      if (reply.delayMs) await delay(reply.delayMs, closing.signal);
      if (reply.destroy) {
        req.socket.destroy();
        return;
      }
      if (res.destroyed) return;
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
      res.end(reply.raw ?? JSON.stringify(reply.json ?? { errcode: 0, errmsg: 'ok' }));
    })();
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Plain-HTTP forward proxy: forwards absolute-URI requests and counts them. */
export interface ForwardProxy {
  readonly url: string;
  readonly forwarded: string[];
  close(): Promise<void>;
}

export async function startForwardProxy(): Promise<ForwardProxy> {
  const forwarded: string[] = [];
  const server = createServer((req, res) => {
    const target = new URL(req.url ?? '');
    if (target.hostname !== '127.0.0.1') {
      // Never forward anywhere but loopback.
      res.writeHead(403).end();
      return;
    }
    forwarded.push(req.url ?? '');
    const upstream = httpRequest(
      { host: '127.0.0.1', port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface CapturingLogger extends Logger {
  readonly lines: string[];
}

export function capturingLogger(): CapturingLogger {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => {
    lines.push(`${level} ${message}`);
  };
  return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export interface RecordingSleep {
  readonly sleep: Sleep;
  readonly calls: number[];
}

/** Sleep that records the delay and returns at once (still honouring an already-aborted signal). */
export function instantSleep(): RecordingSleep {
  const calls: number[] = [];
  return {
    calls,
    sleep: async (ms, signal) => {
      calls.push(ms);
      if (signal?.aborted) throw new CancelledError();
    },
  };
}

export const ok = (extra: Record<string, unknown> = {}): Reply => ({ json: { errcode: 0, errmsg: 'ok', ...extra } });
export const err = (errcode: number, errmsg = 'error'): Reply => ({ json: { errcode, errmsg } });

/**
 * Pages one call after another, each from the cursor the last one named, until has_more is false:
 * how a test walks a server's pages (`pagesOf((r) => client.syncMsg(r), {})`). The product's one loop
 * is the sync engine's.
 */
export async function* pagesOf<R extends { cursor?: string; limit?: number }, P extends { hasMore: boolean; nextCursor: string; limitUsed: number }>(
  call: (request: R) => Promise<P>,
  request: R,
): AsyncGenerator<P> {
  let next = request;
  for (;;) {
    const page = await call(next);
    yield page;
    if (!page.hasMore) return;
    next = { ...next, cursor: page.nextCursor, limit: page.limitUsed };
  }
}

/** A sync_msg server whose replies are too large (301058) above `maxLimit`; `count` pages of one message each. */
export function tooLargeAbove(maxLimit: number, count: number): Handler {
  let page = 0;
  return (r) => {
    const limit = (r.body as { limit?: number }).limit ?? 200;
    if (limit > maxLimit) return err(301058, 'response too large');
    page++;
    return ok({ has_more: page < count ? 1 : 0, next_cursor: `P${page}`, msg_list: [{ msgid: `m${page}`, sender: { type: 1, id: 'wo1' }, receiver_list: [{ type: 2, id: 'wm1' }], send_time: 1700000000, msgtype: 1 }] });
  };
}
