/**
 * The archive service's PostgreSQL writer threads (writerThread.ts), kept between sync runs: a
 * run takes an idle thread (or starts one) and gives it back when its archive closes, so a corp's
 * run does not pay a thread's start. Threads never hold the process open.
 */
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { ClientConfig } from 'pg';
import type { Archive, SyncTarget } from '../archive';
import { ArchiveError } from '../errors';
import { packPageInput } from '../packing';
import { openingOn, StoreCalls } from '../storeCalls';
import { onWorkerDeath } from '../workerDeath';
import type { ApplyResult, LeaseResult, PageInput, SyncState } from '../types';
import type { PgWriterInit, PgWriterOpen } from './writerThread';

/** One corp's archive, written on a writer thread: what the sync engine asks, and the state it stored. */
export interface PgWriter extends SyncTarget, Pick<Archive, 'syncState'> {
  close(): Promise<void>;
}

const YOUNG_GENERATION_MB = 96;

class Thread {
  /** The calls of the archive open on it now, failed if the thread dies. */
  calls: StoreCalls | undefined;
  dead = false;

  constructor(readonly worker: Worker) {
    const die = (error: ArchiveError): void => {
      this.dead = true;
      this.calls?.fail(error);
    };
    onWorkerDeath(worker, 'the PostgreSQL writer thread', die);
    worker.unref();
  }
}

class ThreadWriter implements PgWriter {
  private closing: Promise<void> | undefined;

  constructor(
    private readonly calls: StoreCalls,
    private readonly port: MessagePort,
    private readonly release: () => void,
  ) {}

  applyPage(p: PageInput): Promise<ApplyResult> {
    return this.calls.call('applyPage', packPageInput(p));
  }

  commit(): Promise<ApplyResult> {
    return this.calls.call('commit', undefined);
  }

  syncState(): Promise<SyncState> {
    return this.calls.call('syncState', undefined);
  }

  async recordError(e: { message: string; at: number }): Promise<void> {
    await this.calls.call('recordError', e);
  }

  acquireLease(r: { owner: string; ttlMs: number; now: number }): Promise<LeaseResult> {
    return this.calls.call('acquireLease', r);
  }

  renewLease(r: { owner: string; ttlMs: number; now: number }): Promise<boolean> {
    return this.calls.call('renewLease', r);
  }

  async releaseLease(r: { owner: string }): Promise<void> {
    await this.calls.call('releaseLease', r);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.calls.call('close', undefined).catch(() => undefined);
      this.calls.fail(new ArchiveError('CLOSED', 'the archive is closed'));
      this.port.close();
      this.release();
    })();
    return this.closing;
  }
}

export class PgWriterPool {
  private readonly idle: Thread[] = [];
  private readonly all = new Set<Thread>();
  private closed = false;

  /** `entry`: a bundle that runs `runPgWriter` when started as a worker with PgWriterInit. */
  constructor(private readonly entry: string) {}

  /** Threads alive now, busy or idle. */
  get threads(): number {
    return this.all.size;
  }

  /** Opens `corpId`'s archive on a writer thread. */
  async open(config: ClientConfig, corpId: string, opts: { notify: boolean }): Promise<PgWriter> {
    if (this.closed) throw new ArchiveError('CLOSED', 'the writer threads are stopped');
    const thread = this.take();
    const { port1, port2 } = new MessageChannel();
    const opening = openingOn(port1);
    const onExit = (code: number): void => opening.fail(new ArchiveError('WORKER_DIED', `the PostgreSQL writer thread exited (${code}) while opening`));
    thread.worker.once('exit', onExit);
    const message: PgWriterOpen = { open: { config, corpId, notify: opts.notify }, port: port2 };
    thread.worker.postMessage(message, [port2]);
    try {
      await opening.ready;
    } catch (error) {
      port1.close();
      this.give(thread);
      throw error;
    } finally {
      opening.stop();
      thread.worker.off('exit', onExit);
    }
    const calls = new StoreCalls(port1);
    thread.calls = calls;
    if (thread.dead) calls.fail(new ArchiveError('WORKER_DIED', 'the PostgreSQL writer thread exited'));
    return new ThreadWriter(calls, port1, () => {
      thread.calls = undefined;
      this.give(thread);
    });
  }

  /**
   * Starts threads until `n` are alive. A thread takes ~150 ms of CPU to load the bundle: started
   * with the service, not when a corp's run (a replica's takeover) is waiting for it.
   */
  warm(n: number): void {
    while (!this.closed && this.all.size < n) this.idle.push(this.start());
  }

  private take(): Thread {
    for (let t = this.idle.pop(); t; t = this.idle.pop()) if (!t.dead) return t;
    return this.start();
  }

  private start(): Thread {
    const init: PgWriterInit = { pgWriter: true };
    // A page waits in the thread's queue for up to STORE_AHEAD_PAGES pages' time (~10 MB made
    // meanwhile): in a young generation that large it dies young, rather than being copied by
    // every minor GC and promoted (quick bench: writer GCs 92 with 16 MB, 54 by default, 27 with 192).
    const thread = new Thread(new Worker(this.entry, { workerData: init, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } }));
    this.all.add(thread);
    thread.worker.once('exit', () => this.all.delete(thread));
    return thread;
  }

  private give(thread: Thread): void {
    if (thread.dead) return;
    if (this.closed) void thread.worker.terminate();
    else this.idle.push(thread);
  }

  /** Stops every thread; call after every archive opened here is closed. */
  async close(): Promise<void> {
    this.closed = true;
    this.idle.length = 0;
    await Promise.all([...this.all].map((t) => t.worker.terminate()));
  }
}
