/**
 * Requests to a store thread and their answers, correlated by id: what every proxy of a store
 * thread (the SQLite worker, its attached ports, the PostgreSQL writer) does the same way.
 */
import type { Transferable } from 'node:worker_threads';
import { type ArchiveError, fromErrorData } from './errors';
import type { OpArg, OpName, OpResult, StoreRequest, WorkerToHost } from './protocol';

/** A worker, or a MessagePort to one. */
export interface StoreChannel {
  postMessage(message: StoreRequest, transfer?: readonly Transferable[]): void;
  on(event: 'message', listener: (message: WorkerToHost) => void): unknown;
  ref(): void;
  unref(): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class StoreCalls {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Set once the thread is gone: every later call fails with it. */
  dead: ArchiveError | undefined;

  constructor(private readonly channel: StoreChannel) {
    channel.on('message', (message: WorkerToHost) => {
      if (message.type !== 'reply') return;
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      this.updateRef();
      if (message.ok) p.resolve(message.value);
      else p.reject(fromErrorData(message.error));
    });
    this.updateRef();
  }

  /** Fails what is outstanding and every later call. */
  fail(error: ArchiveError): void {
    this.dead ??= error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    this.updateRef();
  }

  /** The channel keeps Node (or the calling thread) alive only while a request is outstanding. */
  private updateRef(): void {
    if (this.pending.size > 0) this.channel.ref();
    else this.channel.unref();
  }

  call<K extends OpName>(op: K, arg: OpArg<K>): Promise<OpResult<K>> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<OpResult<K>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.updateRef();
      this.channel.postMessage({ id, op, arg } as StoreRequest);
    });
  }
}
