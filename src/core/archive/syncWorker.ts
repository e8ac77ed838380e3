/**
 * Sync-thread entry (bundled on its own to dist/sync-worker.js): runs SyncEngine off the host's
 * main thread. Everything a page costs happens here or in the store worker: the sync_msg exchange
 * (undici, proxy, retries, 45009 waits), reading the reply, the paging-contract checks, packing;
 * the packed page goes straight to the store worker through a port attached to it. The host is
 * told what it shows (progress, committed changes, the end, typed errors, log lines) and asked
 * for what only it has: the access token (its SecretStorage-backed token source) and the
 * callback token.
 *
 * One thread serves every run of the host at once, each with its own engine, client and archive
 * channel: corps synced side by side share it, as they shared the main thread before.
 */
import { parentPort } from 'node:worker_threads';
import { WeComClient } from '../wecom/client';
import { CancelledError } from '../wecom/errors';
import type { Logger } from '../wecom/logger';
import { redactSecrets } from '../wecom/redact';
import type { TokenSource } from '../wecom/tokens';
import { PortArchive } from './archive';
import { fromCrossError, toCrossError } from './crossErrors';
import { SyncEngine, type SyncProgress } from './sync';
import type { HostToSync, LogLevel, SyncToHost } from './syncThreadProtocol';
import { yieldPriority } from './threadPriority';
import { TransportPool } from './transportPool';

/**
 * An access token the host gave is used this long before it is asked again. The client asks for
 * a token before every request; a round trip per page would put the host's event loop (shared by
 * every extension) back on the sync's path. The host's sources renew well ahead of expiry (10 % of
 * the lifetime, at most 5 minutes), so a few seconds late is still inside a token's life; a token
 * WeCom refuses is refreshed at once through the host as before.
 */
export const TOKEN_REUSE_MS = 5_000;
/** Progress is posted at most this often (the host only shows totals); the last one always. */
export const PROGRESS_EVERY_MS = 100;

const port = parentPort;
if (!port) throw new Error('sync-worker must run as a worker thread');
// Like the store: the editor's main thread first. Its work per page is not on the request's path
// (the next request goes out before a page is read), and a remote server does not compete for it.
yieldPriority();
const post = (message: SyncToHost): void => port.postMessage(message);

interface Run {
  readonly stop: AbortController;
  callbackToken: string | undefined;
}

const runs = new Map<number, Run>();
/** Connections outlive a run: the next run (another corp's, or the next interval's) reuses them. */
const transports = new TransportPool();
let nextRequestId = 1;
const tokenRequests = new Map<number, { resolve(value: { token: string; secrets: string[] }): void; reject(error: Error): void }>();

/** The host's token source, seen from this thread. */
class HostTokenSource implements TokenSource {
  private cached: { token: string; until: number } | undefined;
  private asking: Promise<string> | undefined;
  private known: string[] = [];

  constructor(private readonly runId: number) {}

  getToken(signal?: AbortSignal): Promise<string> {
    if (this.cached && performance.now() < this.cached.until) return Promise.resolve(this.cached.token);
    return this.ask(false, signal);
  }

  refresh(signal?: AbortSignal): Promise<string> {
    this.cached = undefined;
    this.asking = undefined; // a refresh is a new question, not the answer to an earlier one
    return this.ask(true, signal);
  }

  describe(): string {
    return "the host's token source";
  }

  /** The host's secrets (its tokens, suite secret…), so this thread redacts what the host would. */
  secrets(): Array<string | undefined> {
    return this.known;
  }

  private ask(refresh: boolean, signal?: AbortSignal): Promise<string> {
    this.asking ??= new Promise<{ token: string; secrets: string[] }>((resolve, reject) => {
      const requestId = nextRequestId++;
      tokenRequests.set(requestId, { resolve, reject });
      post({ type: 'token', runId: this.runId, requestId, refresh });
    }).then(
      ({ token, secrets }) => {
        this.known = secrets;
        this.cached = { token, until: performance.now() + TOKEN_REUSE_MS };
        this.asking = undefined;
        return token;
      },
      (error: unknown) => {
        this.asking = undefined;
        throw error;
      },
    );
    const asked = this.asking;
    if (!signal) return asked;
    // Stop waiting (this caller only) when the run is cancelled; the host's answer is dropped.
    return new Promise<string>((resolve, reject) => {
      if (signal.aborted) {
        reject(new CancelledError());
        return;
      }
      const onAbort = (): void => reject(new CancelledError());
      signal.addEventListener('abort', onAbort, { once: true });
      asked.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
}

function hostLogger(runId: number, debug: boolean, tokens: HostTokenSource): Logger {
  // The client redacts what it logs already; once more with the host's secrets, as a backstop.
  const line = (level: LogLevel) => (text: string) => post({ type: 'log', runId, level, text: redactSecrets(text, tokens.secrets()) });
  return { debug: debug ? line('debug') : () => undefined, info: line('info'), warn: line('warn'), error: line('error') };
}

async function run(message: Extract<HostToSync, { type: 'run' }>): Promise<void> {
  const { runId } = message;
  const entry: Run = { stop: new AbortController(), callbackToken: message.callbackToken };
  runs.set(runId, entry);
  const archive = new PortArchive(message.file, message.store);
  const tokenSource = new HostTokenSource(runId);
  const leased = transports.take(message.client.proxy);
  const client = new WeComClient({
    ...message.client,
    transport: leased.transport,
    tokenSource,
    logger: hostLogger(runId, message.debug, tokenSource),
    onWait: (until, reason) => post({ type: 'wait', runId, until, error: toCrossError(reason) }),
  });
  const engine = new SyncEngine(archive, client, { ...message.engine, callbackToken: () => entry.callbackToken });
  engine.onChange((change) => post({ type: 'change', runId, change }));
  // Pages' progress, merged between posts.
  let unsent: SyncProgress | undefined;
  let changed = new Set<string>();
  let lastPost = 0;
  const flushProgress = (): void => {
    if (!unsent) return;
    post({ type: 'progress', runId, progress: { ...unsent, changedChats: [...changed] } });
    unsent = undefined;
    changed = new Set();
    lastPost = performance.now();
  };
  try {
    const result = await engine.run({
      signal: entry.stop.signal,
      onFetched: () => post({ type: 'fetched', runId }),
      onProgress: (p) => {
        for (const key of p.changedChats) changed.add(key);
        unsent = { ...p, inserted: (unsent?.inserted ?? 0) + p.inserted };
        if (performance.now() - lastPost >= PROGRESS_EVERY_MS) flushProgress();
      },
    });
    flushProgress();
    post({ type: 'end', runId, ok: true, result });
  } catch (error) {
    flushProgress();
    post({ type: 'end', runId, ok: false, error: toCrossError(error) });
  } finally {
    runs.delete(runId);
    // The run's requests have ended (the engine aborts the page ahead): the connection is free.
    leased.release();
    await client.close().catch(() => undefined);
    await archive.close();
  }
}

port.on('message', (message: HostToSync) => {
  switch (message.type) {
    case 'run':
      void run(message);
      break;
    case 'cancel':
      runs.get(message.runId)?.stop.abort();
      break;
    case 'callbackToken': {
      const entry = runs.get(message.runId);
      if (entry) entry.callbackToken = message.value;
      break;
    }
    case 'token': {
      const request = tokenRequests.get(message.requestId);
      tokenRequests.delete(message.requestId);
      if (!request) break;
      if (message.ok) request.resolve({ token: message.token, secrets: message.secrets });
      else request.reject(fromCrossError(message.error));
      break;
    }
  }
});
