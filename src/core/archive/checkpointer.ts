/**
 * WAL checkpoints on a thread of their own. A checkpoint copies committed pages back into the
 * database file and fsyncs it; run by the writer (SQLite's automatic checkpoint), that stalls the
 * sync for tens of milliseconds at a time. On a second connection in a second thread it overlaps
 * the writer instead (PASSIVE: never blocks readers or the writer).
 *
 * One checkpointer thread serves every archive of its store thread, each on a connection of its
 * own. The writer tells it after every commit; an archive's checkpoints run back to back while
 * commits keep coming and not at all while it is idle. If the thread cannot run, each writer's own
 * automatic checkpoint is the fallback, so the WAL stays bounded either way.
 */
import { writeSync } from 'node:fs';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { parentPort, Worker } from 'node:worker_threads';
import { BUSY_TIMEOUT_MS, loadSqlite } from './db';

export interface CheckpointerInit {
  role: 'checkpointer';
}

type ToCheckpointer = { type: 'open'; id: number; file: string } | { type: 'committed'; id: number } | { type: 'close'; id: number };
/** 'failed': the archive's connection could not be opened there. */
type FromCheckpointer = { type: 'opened' | 'failed' | 'closed'; id: number };

/** While the checkpointer runs, the writer checkpoints only if the WAL outgrows this. */
export const WAL_BACKSTOP_BYTES = 256 * 1024 * 1024;
/** A checkpointer that does not answer a close within this long is given up on. */
const CLOSE_WAIT_MS = 5000;

/** One archive's checkpoints, as its writer sees them. */
export interface Checkpointer {
  /**
   * Settles once the archive's connection is open on the thread, or the thread has ended. The
   * store says it is ready only then: so the archive's first commits have somewhere to go.
   */
  readonly started: Promise<void>;
  committed(): void;
  /** Closes the archive's connection on the thread (before the writer closes its own). */
  close(): Promise<void>;
}

interface Entry {
  onLost: () => void;
  /** Resolves the open's or the close's wait. */
  settle: () => void;
  closing: boolean;
}

/** The checkpointer thread of one store thread, started with its first archive. */
export class CheckpointerThread {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly entries = new Map<number, Entry>();

  /** `script`: the bundled worker file (it runs the checkpointer when given CheckpointerInit). */
  constructor(private readonly script: string) {}

  /** `onLost`: the thread ended while the archive was open (its writer checkpoints again). */
  attach(file: string, onLost: () => void): Checkpointer {
    const worker = this.running();
    const id = this.nextId++;
    const entry: Entry = { onLost, settle: () => undefined, closing: false };
    this.entries.set(id, entry);
    const started = new Promise<void>((resolve) => (entry.settle = resolve));
    worker.postMessage({ type: 'open', id, file } satisfies ToCheckpointer);
    return {
      started,
      committed: () => {
        if (!entry.closing && this.entries.has(id)) worker.postMessage({ type: 'committed', id } satisfies ToCheckpointer);
      },
      close: async () => {
        if (entry.closing || !this.entries.has(id)) return;
        entry.closing = true;
        const closed = new Promise<void>((resolve) => (entry.settle = resolve));
        worker.postMessage({ type: 'close', id } satisfies ToCheckpointer);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
        clearTimeout(timer);
        this.entries.delete(id);
      },
    };
  }

  private running(): Worker {
    if (this.worker) return this.worker;
    const init: CheckpointerInit = { role: 'checkpointer' };
    const worker = new Worker(this.script, { workerData: init });
    worker.on('message', (message: FromCheckpointer) => {
      const entry = this.entries.get(message.id);
      if (!entry) return;
      if (message.type !== 'opened') this.entries.delete(message.id);
      if (message.type === 'failed') entry.onLost();
      entry.settle();
    });
    worker.once('exit', () => {
      this.worker = undefined;
      const lost = [...this.entries.values()];
      this.entries.clear();
      for (const entry of lost) {
        if (!entry.closing) entry.onLost();
        entry.settle();
      }
    });
    // An error is followed by 'exit'; listening keeps it from being thrown in this thread.
    worker.on('error', () => undefined);
    worker.unref();
    this.worker = worker;
    return worker;
  }
}

export function isCheckpointerInit(data: unknown): data is CheckpointerInit {
  return typeof data === 'object' && data !== null && (data as { role?: unknown }).role === 'checkpointer';
}

interface Connection {
  db: DatabaseSync;
  checkpoint: StatementSync;
  /** Notices that arrive while one runs are handled after it: each then schedules at most one more. */
  scheduled: boolean;
  closed: boolean;
}

function connect(file: string): Connection | undefined {
  try {
    const db = new (loadSqlite().DatabaseSync)(file);
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Per connection: the checkpoint's fsyncs are what make the writer's NORMAL durable.
    db.exec('PRAGMA synchronous = NORMAL');
    return { db, checkpoint: db.prepare('PRAGMA wal_checkpoint(PASSIVE)'), scheduled: false, closed: false };
  } catch {
    return undefined;
  }
}

/** The thread's body. */
export function runCheckpointer(): void {
  const port = parentPort;
  if (!port) throw new Error('the checkpointer must run as a worker thread');
  const connections = new Map<number, Connection>();
  // The crash suite kills the process while a checkpoint runs: it needs to know when one does,
  // at once, so the line goes straight to fd 2 rather than through the main thread.
  const trace = process.env.WECOM_ARCHIVE_TRACE_CHECKPOINTS === '1' ? (what: string) => writeSync(2, `checkpoint ${what}\n`) : undefined;
  const run = (c: Connection): void => {
    c.scheduled = false;
    if (c.closed) return;
    trace?.('start');
    try {
      c.checkpoint.get();
    } catch {
      // Busy or I/O trouble: the next commit asks again, and the writer's backstop still holds.
    }
    trace?.('end');
  };
  const reply = (message: FromCheckpointer): void => port.postMessage(message);
  port.on('message', (message: ToCheckpointer) => {
    if (message.type === 'open') {
      const c = connect(message.file);
      if (c) connections.set(message.id, c);
      // Without a connection here the archive's writer checkpoints by itself again.
      reply({ type: c ? 'opened' : 'failed', id: message.id });
      return;
    }
    const c = connections.get(message.id);
    if (message.type === 'close') {
      connections.delete(message.id);
      if (c) {
        c.closed = true;
        c.db.close();
      }
      reply({ type: 'closed', id: message.id });
      return;
    }
    if (c && !c.scheduled) {
      c.scheduled = true;
      setImmediate(run, c);
    }
  });
}
