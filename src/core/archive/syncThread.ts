/**
 * The host's side of the sync thread (syncWorker.ts): `OffThreadSyncEngine` has SyncEngine's
 * surface (run, onChange, running) and runs the engine on the sync thread against the archive's
 * store worker, so the host's main thread does no per-message work: it receives progress (at most
 * every 100 ms), committed changes, the end and typed errors, and answers the thread's requests
 * for an access token from its own token source.
 *
 * An archive that is not a store worker's (another `Archive` implementation, such as a service's
 * database) gets the engine in-process, as before: SyncEngine itself does not know about threads.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type MessagePort, Worker } from 'node:worker_threads';
import { WeComClient } from '../wecom/client';
import { CancelledError, WeComApiError } from '../wecom/errors';
import { type Logger, silentLogger } from '../wecom/logger';
import type { TokenSource } from '../wecom/tokens';
import { type Archive, connectStore } from './archive';
import { fromCrossError, toCrossError } from './crossErrors';
import { Emitter } from './emitter';
import { ArchiveError, SyncBusyError } from './errors';
import { pageThreadLimits } from './pageThreadHeap';
import { DEFAULT_LEASE_TTL_MS, type RunOptions, type SyncChange, SyncEngine, type SyncProgress, type SyncResult } from './sync';
import type { ClientSpec, EngineSpec, HostToSync, SyncToHost } from './syncThreadProtocol';
import { onWorkerDeath } from './workerDeath';

export type { ClientSpec } from './syncThreadProtocol';

/** How often the host tells the thread the current callback token, when it changed. */
export const CALLBACK_TOKEN_POLL_MS = 1000;

export interface OffThreadSyncOptions extends EngineSpec {
  client: ClientSpec;
  /** The host's token source: the thread asks it for a token (and a refresh after 40014/42001). */
  tokenSource: TokenSource;
  /** The current `conversation_new_message` token; read again every second while a run lasts. */
  callbackToken?: () => string | undefined;
  logger?: Logger;
  /** Forward the client's debug lines (two per page); default false. */
  debug?: boolean;
  /** Told when the client starts waiting out a 45009 block. */
  onWait?: (untilMs: number, reason: WeComApiError) => void;
  /** The bundled sync thread; default `sync-worker.js` next to this bundle (dist/). */
  workerPath?: string;
  /** false: run the engine on this thread even for a store worker's archive. Default true. */
  offThread?: boolean;
}

interface RunHandlers {
  options: OffThreadSyncOptions;
  progress(p: SyncProgress): void;
  change(c: SyncChange): void;
  fetched(): void;
  end(outcome: { ok: true; result: SyncResult } | { ok: false; error: Error }): void;
}

/** One sync thread per worker file, started on the first run; it keeps Node alive only while runs last. */
export class SyncThread {
  private static readonly threads = new Map<string, SyncThread>();
  private worker: Worker | undefined;
  private nextRunId = 1;
  private readonly runs = new Map<number, RunHandlers>();

  private constructor(private readonly workerPath: string) {}

  static for(workerPath: string): SyncThread {
    let thread = SyncThread.threads.get(workerPath);
    if (!thread) {
      thread = new SyncThread(workerPath);
      SyncThread.threads.set(workerPath, thread);
    }
    return thread;
  }

  /** Starts a run; the returned id names it in `cancel` and `callbackToken`. */
  start(store: MessagePort, file: string, options: OffThreadSyncOptions, handlers: Omit<RunHandlers, 'options'>, callbackToken: string | undefined): number {
    const worker = this.ensure();
    const runId = this.nextRunId++;
    this.runs.set(runId, { ...handlers, options });
    worker.ref();
    const engine: EngineSpec = {
      owner: options.owner,
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(options.leaseTtlMs !== undefined ? { leaseTtlMs: options.leaseTtlMs } : {}),
      ...(options.commitEveryMs !== undefined ? { commitEveryMs: options.commitEveryMs } : {}),
      ...(options.idleCommitMs !== undefined ? { idleCommitMs: options.idleCommitMs } : {}),
    };
    const message: HostToSync = {
      type: 'run',
      runId,
      store,
      file,
      engine,
      client: options.client,
      ...(callbackToken !== undefined ? { callbackToken } : {}),
      debug: options.debug === true,
    };
    worker.postMessage(message, [store]);
    return runId;
  }

  send(message: HostToSync): void {
    this.worker?.postMessage(message);
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    if (!existsSync(this.workerPath)) throw new ArchiveError('WORKER_MISSING', `the sync worker is missing: ${this.workerPath}`);
    const worker = new Worker(this.workerPath, pageThreadLimits);
    worker.unref();
    worker.on('message', (message: SyncToHost) => this.receive(message));
    const died = (error: ArchiveError): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const ending = [...this.runs.values()];
      this.runs.clear();
      for (const run of ending) run.end({ ok: false, error });
    };
    onWorkerDeath(worker, 'the sync worker', died);
    this.worker = worker;
    return worker;
  }

  private receive(message: SyncToHost): void {
    if (message.type === 'token') {
      void this.answerToken(message.runId, message.requestId, message.refresh);
      return;
    }
    const run = this.runs.get(message.runId);
    if (!run) return;
    switch (message.type) {
      case 'log':
        (run.options.logger ?? silentLogger)[message.level](message.text);
        break;
      case 'wait': {
        const reason = fromCrossError(message.error);
        if (reason instanceof WeComApiError) run.options.onWait?.(message.until, reason);
        break;
      }
      case 'progress':
        run.progress(message.progress);
        break;
      case 'change':
        run.change(message.change);
        break;
      case 'fetched':
        run.fetched();
        break;
      case 'end':
        this.runs.delete(message.runId);
        if (this.runs.size === 0) this.worker?.unref();
        run.end(message.ok ? { ok: true, result: message.result } : { ok: false, error: fromCrossError(message.error) });
        break;
    }
  }

  private async answerToken(runId: number, requestId: number, refresh: boolean): Promise<void> {
    const source = this.runs.get(runId)?.options.tokenSource;
    let reply: HostToSync;
    try {
      if (!source) throw new CancelledError();
      const token = refresh ? await source.refresh() : await source.getToken();
      const secrets = (source.secrets?.() ?? []).filter((s): s is string => typeof s === 'string' && s !== '');
      reply = { type: 'token', requestId, ok: true, token, secrets };
    } catch (error) {
      reply = { type: 'token', requestId, ok: false, error: toCrossError(error) };
    }
    this.send(reply);
  }
}

/**
 * SyncEngine's surface, run on the sync thread when the archive is a store worker's (see header),
 * else in-process with a client built from the same options.
 */
export class OffThreadSyncEngine {
  private readonly changes = new Emitter<SyncChange>();
  private active = false;

  constructor(
    private readonly archive: Archive,
    private readonly options: OffThreadSyncOptions,
  ) {}

  onChange(listener: (change: SyncChange) => void): () => void {
    return this.changes.on(listener);
  }

  get running(): boolean {
    return this.active;
  }

  async run(opts: RunOptions = {}): Promise<SyncResult> {
    if (this.active) throw new SyncBusyError(this.options.owner, Date.now() + (this.options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS));
    this.active = true;
    try {
      const store = this.options.offThread === false ? undefined : connectStore(this.archive);
      return await (store ? this.offThread(store, opts) : this.inProcess(opts));
    } finally {
      this.active = false;
    }
  }

  private async inProcess(opts: RunOptions): Promise<SyncResult> {
    const { client: spec, tokenSource, logger, onWait, callbackToken } = this.options;
    const client = new WeComClient({ ...spec, tokenSource, ...(logger ? { logger } : {}), ...(onWait ? { onWait } : {}) });
    try {
      const engine = new SyncEngine(this.archive, client, { ...this.engineSpec(), ...(callbackToken ? { callbackToken } : {}) });
      engine.onChange((c) => this.changes.emit(c));
      return await engine.run(opts);
    } finally {
      await client.close();
    }
  }

  private engineSpec(): EngineSpec {
    const { owner, limit, leaseTtlMs, commitEveryMs, idleCommitMs } = this.options;
    return {
      owner,
      ...(limit !== undefined ? { limit } : {}),
      ...(leaseTtlMs !== undefined ? { leaseTtlMs } : {}),
      ...(commitEveryMs !== undefined ? { commitEveryMs } : {}),
      ...(idleCommitMs !== undefined ? { idleCommitMs } : {}),
    };
  }

  private offThread(store: MessagePort, opts: RunOptions): Promise<SyncResult> {
    const thread = SyncThread.for(this.options.workerPath ?? join(__dirname, 'sync-worker.js'));
    const { callbackToken } = this.options;
    let sentToken = callbackToken?.();
    return new Promise<SyncResult>((resolve, reject) => {
      let poll: NodeJS.Timeout | undefined;
      let runId = 0;
      const onAbort = (): void => thread.send({ type: 'cancel', runId });
      const cleanUp = (): void => {
        clearInterval(poll);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      try {
        runId = thread.start(
          store,
          this.archive.file,
          this.options,
          {
            progress: (p) => opts.onProgress?.(p),
            change: (c) => this.changes.emit(c),
            fetched: () => opts.onFetched?.(),
            end: (outcome) => {
              cleanUp();
              if (outcome.ok) resolve(outcome.result);
              else reject(outcome.error);
            },
          },
          sentToken,
        );
      } catch (error) {
        store.close();
        reject(error);
        return;
      }
      if (callbackToken) {
        // The engine reads the token before every request; the thread has the latest within a second.
        poll = setInterval(() => {
          const value = callbackToken();
          if (value === sentToken) return;
          sentToken = value;
          thread.send({ type: 'callbackToken', runId, ...(value !== undefined ? { value } : {}) });
        }, CALLBACK_TOKEN_POLL_MS);
        poll.unref();
      }
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.signal?.aborted) onAbort();
    });
  }
}
