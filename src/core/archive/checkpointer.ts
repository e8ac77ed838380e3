/**
 * WAL checkpoints on a thread of their own. A checkpoint copies committed pages back into the
 * database file and fsyncs it; run by the writer (SQLite's automatic checkpoint), that stalls the
 * sync for tens of milliseconds at a time. On a second connection in a second thread it overlaps
 * the writer instead (PASSIVE: never blocks readers or the writer).
 *
 * The writer tells it after every commit; checkpoints run back to back while commits keep coming
 * and not at all while the archive is idle. If the thread cannot run, the writer's own automatic
 * checkpoint is the fallback, so the WAL stays bounded either way.
 */
import { writeSync } from 'node:fs';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { BUSY_TIMEOUT_MS, loadSqlite } from './db';

export interface CheckpointerInit {
  role: 'checkpointer';
  file: string;
}

type ToCheckpointer = 'committed' | 'close';
type FromCheckpointer = 'ready';

/** While the checkpointer runs, the writer checkpoints only if the WAL outgrows this. */
export const WAL_BACKSTOP_BYTES = 256 * 1024 * 1024;

export class Checkpointer {
  private exited = false;
  private closing = false;
  private readonly done: Promise<void>;
  /**
   * Settles once the thread has its connection, or has ended. The store says it is ready only
   * then: starting a thread costs CPU and takes the process's memory-map lock, which stalled the
   * syncs (and the host's main thread) that began right after 20 archives were opened.
   */
  readonly started: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    onLost: () => void,
  ) {
    this.done = new Promise<void>((resolve) => {
      worker.once('exit', () => {
        this.exited = true;
        if (!this.closing) onLost();
        resolve();
      });
    });
    this.started = Promise.race([this.done, new Promise<void>((resolve) => worker.once('message', (m: FromCheckpointer) => m === 'ready' && resolve()))]);
    // An error is followed by 'exit'; listening keeps it from being thrown in this thread.
    worker.on('error', () => undefined);
    worker.unref();
  }

  /** `script`: the bundled worker file (it starts the checkpointer when given its init data). */
  static start(script: string, file: string, onLost: () => void): Checkpointer {
    const init: CheckpointerInit = { role: 'checkpointer', file };
    return new Checkpointer(new Worker(script, { workerData: init }), onLost);
  }

  committed(): void {
    if (!this.exited && !this.closing) this.worker.postMessage('committed' satisfies ToCheckpointer);
  }

  /** Closes its connection and waits for the thread to end. */
  async close(): Promise<void> {
    if (this.closing) return this.done;
    this.closing = true;
    if (!this.exited) this.worker.postMessage('close' satisfies ToCheckpointer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000)))]);
    clearTimeout(timer);
    if (!this.exited) await this.worker.terminate();
  }
}

export function isCheckpointerInit(data: unknown): data is CheckpointerInit {
  return typeof data === 'object' && data !== null && (data as { role?: unknown }).role === 'checkpointer';
}

/** The thread's body. */
export function runCheckpointer(): void {
  const port = parentPort;
  if (!port) throw new Error('the checkpointer must run as a worker thread');
  const { file } = workerData as CheckpointerInit;
  const db = new (loadSqlite().DatabaseSync)(file);
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // Per connection: the checkpoint's fsyncs are what make the writer's NORMAL durable.
  db.exec('PRAGMA synchronous = NORMAL');
  const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  port.postMessage('ready' satisfies FromCheckpointer);
  // Notices that arrive while one runs are handled after it: each then schedules at most one more.
  let scheduled = false;
  // The crash suite kills the process while a checkpoint runs: it needs to know when one does,
  // at once, so the line goes straight to fd 2 rather than through the main thread.
  const trace = process.env.WECOM_ARCHIVE_TRACE_CHECKPOINTS === '1' ? (what: string) => writeSync(2, `checkpoint ${what}\n`) : undefined;
  const run = (): void => {
    scheduled = false;
    trace?.('start');
    try {
      checkpoint.get();
    } catch {
      // Busy or I/O trouble: the next commit asks again, and the writer's backstop still holds.
    }
    trace?.('end');
  };
  port.on('message', (message: ToCheckpointer) => {
    if (message === 'close') {
      db.close();
      port.close();
      return;
    }
    if (!scheduled) {
      scheduled = true;
      setImmediate(run);
    }
  });
}
