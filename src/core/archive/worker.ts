/**
 * Worker-thread entry (bundled on its own to dist/archive-worker.js): owns the SQLite connection
 * so the extension host's event loop never waits on disk. Requests are handled one at a time, in
 * the order they arrive, which is also the order of transactions.
 *
 * The same file, started with CheckpointerInit, is the checkpointer thread (checkpointer.ts).
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { Checkpointer, isCheckpointerInit, runCheckpointer, WAL_BACKSTOP_BYTES } from './checkpointer';
import { loadSqlite, openDatabase, WAL_AUTOCHECKPOINT_BYTES } from './db';
import { ArchiveError, toErrorData } from './errors';
import type { HostToWorker, OpArg, OpName, OpResult, StoreHandlers, StoreRequest, WorkerInit, WorkerToHost } from './protocol';
import { SCHEMA_VERSION, userVersion } from './schema';
import { yieldPriority } from './threadPriority';
import { ArchiveStore } from './store';

function dispatch<K extends OpName>(handlers: StoreHandlers, op: K, arg: OpArg<K>): OpResult<K> {
  return handlers[op](arg);
}

/** Checkpoints move to their own thread; if it cannot start or dies, the writer checkpoints again. */
function startCheckpointer(store: ArchiveStore, file: string): Checkpointer | undefined {
  const fallback = (): void => {
    store.onCommit = undefined;
    store.setAutoCheckpoint(WAL_AUTOCHECKPOINT_BYTES);
  };
  try {
    const checkpointer = Checkpointer.start(__filename, file, fallback);
    store.setAutoCheckpoint(WAL_BACKSTOP_BYTES);
    store.onCommit = () => checkpointer.committed();
    return checkpointer;
  } catch {
    fallback();
    return undefined;
  }
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('archive-worker must run as a worker thread');
  const post = (message: WorkerToHost): void => port.postMessage(message);
  let store: ArchiveStore;
  let checkpointer: Checkpointer | undefined;
  try {
    const init = workerData as WorkerInit;
    const db = openDatabase(loadSqlite(), init.file);
    const from = userVersion(db);
    if (from > 0 && from < SCHEMA_VERSION) post({ type: 'upgrading', from, to: SCHEMA_VERSION });
    store = new ArchiveStore(db, init.file);
    checkpointer = startCheckpointer(store, init.file);
  } catch (error) {
    post({ type: 'fatal', error: toErrorData(error) });
    return;
  }
  /** Ports of other threads (the sync thread's) served beside the host's; closed with the store. */
  const attached = new Set<MessagePort>();
  let closed = false;
  const serve = async (request: StoreRequest, reply: (message: WorkerToHost) => void, owner: boolean): Promise<void> => {
    try {
      if (request.op === 'close' && !owner) throw new ArchiveError('BAD_REQUEST', 'only the archive\'s owner closes it');
      if (closed) throw new ArchiveError('CLOSED', 'the archive is closed');
      // The checkpointer's connection closes first, so the writer's is the last one: closing it
      // checkpoints the WAL into the file and removes it.
      if (request.op === 'close') {
        closed = true;
        for (const p of attached) p.close();
        await checkpointer?.close();
      }
      const value = dispatch(store, request.op, request.arg);
      reply({ type: 'reply', id: request.id, ok: true, value });
    } catch (error) {
      reply({ type: 'reply', id: request.id, ok: false, error: toErrorData(error) });
    }
  };
  const attach = (other: MessagePort): void => {
    if (closed) {
      other.close();
      return;
    }
    attached.add(other);
    other.on('message', (request: StoreRequest) => void serve(request, (m) => other.postMessage(m), false));
    other.on('close', () => attached.delete(other));
  };
  port.on('message', async (request: HostToWorker) => {
    if ('attach' in request) {
      attach(request.attach);
      return;
    }
    await serve(request, post, true);
    if (request.op === 'close') port.close();
  });
  await checkpointer?.started;
  post({ type: 'ready', schemaBefore: store.schemaBefore });
}

yieldPriority();
if (isCheckpointerInit(workerData)) runCheckpointer();
else void main();
