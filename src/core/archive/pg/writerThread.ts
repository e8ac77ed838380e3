/**
 * The PostgreSQL writer thread of the archive service: it owns one corp's PgArchive at a time and
 * stores the pages the sync engine hands it, so that reading page N+1 (the service's main thread:
 * the HTTP exchange, parsing, packing) overlaps hashing, encoding and sending page N (this thread)
 * and PostgreSQL writing it. The host side is writerPool.ts; the thread is the service's own
 * bundle started again (src/server/main.ts dispatches on `isPgWriterInit`).
 *
 * Requests come on the port each `open` brings and are answered on it, in order; `close` closes the
 * corp's archive (committing its open group), and the thread waits for the next `open`.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { ClientConfig } from 'pg';
import { ArchiveError, toErrorData } from '../errors';
import type { OpName, StoreRequest, WorkerToHost } from '../protocol';
import { PgArchive } from './archive';

export interface PgWriterInit {
  pgWriter: true;
}

/** host → thread: store `corpId`'s pages, taking requests on `port`. */
export interface PgWriterOpen {
  open: { config: ClientConfig; corpId: string; notify: boolean };
  port: MessagePort;
}

/** What the sync engine asks of its archive (SyncTarget), and `close`. */
type WriterOp = Extract<OpName, 'applyPage' | 'commit' | 'syncState' | 'recordError' | 'acquireLease' | 'renewLease' | 'releaseLease' | 'close'>;

export function isPgWriterInit(data: unknown): data is PgWriterInit {
  return typeof data === 'object' && data !== null && (data as Partial<PgWriterInit>).pgWriter === true;
}

function handle(archive: PgArchive, request: StoreRequest): Promise<unknown> {
  const r = request as Extract<StoreRequest, { op: WriterOp }>;
  switch (r.op) {
    case 'applyPage':
      return archive.applyPacked(r.arg);
    case 'commit':
      return archive.commit();
    case 'syncState':
      return archive.syncState();
    case 'recordError':
      return archive.recordError(r.arg);
    case 'acquireLease':
      return archive.acquireLease(r.arg);
    case 'renewLease':
      return archive.renewLease(r.arg);
    case 'releaseLease':
      return archive.releaseLease(r.arg);
    case 'close':
      return archive.close();
    default:
      return Promise.reject(new ArchiveError('BAD_REQUEST', `the writer thread stores pages only; ${request.op} is answered by the team API's readers`));
  }
}

async function serve(open: PgWriterOpen['open'], port: MessagePort): Promise<void> {
  const post = (message: WorkerToHost): void => port.postMessage(message);
  let archive: PgArchive;
  try {
    archive = await PgArchive.open(open.config, open.corpId, { migrate: false, notify: open.notify });
  } catch (error) {
    post({ type: 'fatal', error: toErrorData(error) });
    port.close();
    return;
  }
  await new Promise<void>((resolve) => {
    // PgArchive runs its calls in the order made: each is made as it arrives, none waits here, so
    // the next page is encoded while PostgreSQL still writes the one before.
    port.on('message', (request: StoreRequest) => {
      handle(archive, request).then(
        (value) => post({ type: 'reply', id: request.id, ok: true, value }),
        (error: unknown) => post({ type: 'reply', id: request.id, ok: false, error: toErrorData(error) }),
      ).finally(() => {
        if (request.op === 'close') resolve();
      });
    });
    port.on('close', () => void archive.close().then(resolve));
    post({ type: 'ready', schemaBefore: 0 });
  });
  port.close();
}

/** The thread's main: one corp at a time, for as long as the service keeps the thread. */
export function runPgWriter(): void {
  const port = parentPort;
  if (!port || !isPgWriterInit(workerData)) throw new Error('the PostgreSQL writer must run as a worker thread');
  let busy: Promise<void> = Promise.resolve();
  port.on('message', (message: PgWriterOpen) => {
    busy = busy.then(() => serve(message.open, message.port));
  });
}
