/**
 * Worker-thread entry (bundled on its own to dist/archive-worker.js): owns the SQLite connection
 * so the extension host's event loop never waits on disk. Requests are handled one at a time, in
 * the order they arrive, which is also the order of transactions.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSqlite, openDatabase } from './db';
import { toErrorData } from './errors';
import type { HostToWorker, OpArg, OpName, OpResult, StoreHandlers, WorkerInit, WorkerToHost } from './protocol';
import { ArchiveStore } from './store';

function dispatch<K extends OpName>(handlers: StoreHandlers, op: K, arg: OpArg<K>): OpResult<K> {
  return handlers[op](arg);
}

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('archive-worker must run as a worker thread');
  const post = (message: WorkerToHost): void => port.postMessage(message);
  let store: ArchiveStore;
  try {
    const init = workerData as WorkerInit;
    store = new ArchiveStore(openDatabase(loadSqlite(), init.file), init.file);
  } catch (error) {
    post({ type: 'fatal', error: toErrorData(error) });
    return;
  }
  port.on('message', (request: HostToWorker) => {
    try {
      const value = dispatch(store, request.op, request.arg);
      post({ type: 'reply', id: request.id, ok: true, value });
    } catch (error) {
      post({ type: 'reply', id: request.id, ok: false, error: toErrorData(error) });
    }
    if (request.op === 'close') port.close();
  });
  post({ type: 'ready', schemaBefore: store.schemaBefore });
}

main();
