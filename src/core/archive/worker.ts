/**
 * Store-thread entry (bundled on its own to dist/archive-worker.js). One thread serves many
 * archives, each over a port of its own (storeThreads.ts keeps a few such threads warm, so a corp's
 * sync does not pay a new thread's start and cold code): it owns their SQLite connections so the
 * extension host's event loop never waits on disk. An archive's requests are handled one at a time,
 * in the order they arrive, which is also the order of its transactions.
 *
 * The same file, started with CheckpointerInit, is the checkpointer thread (checkpointer.ts).
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { type Checkpointer, CheckpointerThread, isCheckpointerInit, runCheckpointer, WAL_BACKSTOP_BYTES } from './checkpointer';
import { loadSqlite, openDatabase, WAL_AUTOCHECKPOINT_BYTES } from './db';
import { ArchiveError, toErrorData } from './errors';
import type { ArchivePortMessage, OpArg, OpName, OpResult, StoreHandlers, StoreRequest, StoreThreadOpen, WorkerToHost } from './protocol';
import { SCHEMA_VERSION, userVersion } from './schema';
import { yieldPriority } from './threadPriority';
import { ArchiveStore } from './store';

function dispatch<K extends OpName>(handlers: StoreHandlers, op: K, arg: OpArg<K>): OpResult<K> {
  return handlers[op](arg);
}

/** This store thread's checkpointer thread, shared by its archives. */
const checkpoints = new CheckpointerThread(__filename);

/** Checkpoints move to their own thread; if it cannot start or dies, the writer checkpoints again. */
function startCheckpointer(store: ArchiveStore, file: string): Checkpointer | undefined {
  const fallback = (): void => {
    store.onCommit = undefined;
    try {
      store.setAutoCheckpoint(WAL_AUTOCHECKPOINT_BYTES);
    } catch {
      // Closed meanwhile: nothing left to checkpoint for.
    }
  };
  try {
    const checkpointer = checkpoints.attach(file, fallback);
    store.setAutoCheckpoint(WAL_BACKSTOP_BYTES);
    store.onCommit = () => checkpointer.committed();
    return checkpointer;
  } catch {
    fallback();
    return undefined;
  }
}

/** Opens `file` and serves it on `port` (its owner's channel) until the owner closes it. */
async function serveArchive(file: string, port: MessagePort): Promise<void> {
  const post = (message: WorkerToHost): void => port.postMessage(message);
  let store: ArchiveStore;
  let checkpointer: Checkpointer | undefined;
  try {
    const db = openDatabase(loadSqlite(), file);
    const from = userVersion(db);
    if (from > 0 && from < SCHEMA_VERSION) post({ type: 'upgrading', from, to: SCHEMA_VERSION });
    try {
      store = new ArchiveStore(db, file);
    } catch (error) {
      db.close();
      throw error;
    }
    checkpointer = startCheckpointer(store, file);
  } catch (error) {
    post({ type: 'fatal', error: toErrorData(error) });
    port.close();
    return;
  }
  /** Ports of other threads (the sync thread's) served beside the owner's; closed with the store. */
  const attached = new Set<MessagePort>();
  let closed = false;
  /** The checkpointer's connection closes first, so the writer's is the last one: closing it
   * checkpoints the WAL into the file and removes it. */
  const closeStore = async (): Promise<void> => {
    closed = true;
    for (const p of attached) p.close();
    await checkpointer?.close();
    store.close();
  };
  const serve = async (request: StoreRequest, reply: (message: WorkerToHost) => void, owner: boolean): Promise<void> => {
    try {
      if (request.op === 'close' && !owner) throw new ArchiveError('BAD_REQUEST', "only the archive's owner closes it");
      if (closed) throw new ArchiveError('CLOSED', 'the archive is closed');
      const value = request.op === 'close' ? await closeStore() : dispatch(store, request.op, request.arg);
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
  port.on('message', async (message: ArchivePortMessage) => {
    if ('attach' in message) {
      attach(message.attach);
      return;
    }
    await serve(message, post, true);
    if (message.op === 'close') port.close();
  });
  // An owner gone without closing (its thread ended): the connection must not outlive it here.
  port.on('close', () => {
    if (!closed) void closeStore().catch(() => undefined);
  });
  await checkpointer?.started;
  post({ type: 'ready', schemaBefore: store.schemaBefore });
}

function serveThread(): void {
  const port = parentPort;
  if (!port) throw new Error('archive-worker must run as a worker thread');
  port.on('message', (message: StoreThreadOpen) => void serveArchive(message.open.file, message.port));
}

yieldPriority();
if (isCheckpointerInit(workerData)) runCheckpointer();
else serveThread();
