/**
 * Requests to a store thread and their answers, correlated by id, and the wait for an archive
 * opened there: what every proxy of a store thread (the SQLite store threads, their attached
 * ports, the PostgreSQL writer) does the same way.
 */
import type { MessagePort, Transferable } from 'node:worker_threads';
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

/** An archive being opened on a store thread, until its 'ready'. */
export interface Opening {
  /** Resolves on 'ready'; rejects on 'fatal', or with what `fail` is given. */
  readonly ready: Promise<void>;
  /** The thread ended before the archive was ready. */
  fail(error: Error): void;
  /** Stops listening on the port: its calls (StoreCalls) take over. */
  stop(): void;
}

/** Waits on `port` for the thread's answer to opening an archive; `onUpgrade` on 'upgrading'. */
export function openingOn(port: MessagePort, onUpgrade?: (from: number, to: number) => void): Opening {
  let fail: (error: Error) => void = () => undefined;
  let onMessage: (message: WorkerToHost) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    fail = reject;
    onMessage = (message) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'upgrading') onUpgrade?.(message.from, message.to);
      else if (message.type === 'fatal') reject(fromErrorData(message.error));
    };
  });
  port.on('message', onMessage);
  return { ready, fail, stop: () => port.off('message', onMessage) };
}
