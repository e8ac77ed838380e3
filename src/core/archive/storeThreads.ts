/**
 * The store threads (worker.ts) of this process: a few, kept warm, each serving many archives.
 * A thread per archive paid its start and its cold code for every corp (with 20 corps after a
 * window opens, twenty isolates warming up at once on the cores the sync needs); a warm thread
 * writes the same pages for about half the CPU. An archive opens on the thread with the fewest
 * archives, so two corps syncing side by side usually write on two threads. Threads never hold
 * the process open; one that dies fails every archive it served (WORKER_DIED), and the next
 * archive opened starts a new one.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { ArchiveError } from './errors';
import type { StoreThreadOpen } from './protocol';
import { pageThreadLimits } from './pageThreadHeap';
import { openingOn } from './storeCalls';
import { onWorkerDeath } from './workerDeath';

/** Two: the default sync concurrency, and one thread's long write never holds every archive's reads. */
export const STORE_THREADS = Math.max(1, Math.min(2, availableParallelism()));

/** An archive's place on a store thread. */
export interface StoreLease {
  /** The owner's channel to the archive. */
  readonly port: MessagePort;
  /** Called once when the thread dies while the archive is open on it. */
  onDeath(listener: (error: ArchiveError) => void): void;
  /** The archive is closed: the thread no longer counts it. */
  release(): void;
}

class StoreThread {
  /** One death listener per archive open or opening on it: also its load. */
  readonly archives = new Set<(error: ArchiveError) => void>();
  dead: ArchiveError | undefined;

  constructor(readonly worker: Worker) {
    const die = (error: ArchiveError): void => {
      if (this.dead) return;
      this.dead = error;
      for (const listener of this.archives) listener(error);
      this.archives.clear();
    };
    onWorkerDeath(worker, "the archive's store thread", die);
    worker.unref();
  }
}

export class StoreThreads {
  private readonly threads: StoreThread[] = [];

  /** `entry`: the bundled worker.ts. */
  constructor(private readonly entry: string) {}

  /** The threads alive now (the fault tests end one). */
  get workers(): readonly Worker[] {
    return this.threads.filter((t) => !t.dead).map((t) => t.worker);
  }

  /** Opens `file` on the least-loaded thread; `onUpgrade` if its schema is migrated first. */
  async open(file: string, onUpgrade?: (from: number, to: number) => void): Promise<StoreLease> {
    const thread = this.pick();
    const { port1, port2 } = new MessageChannel();
    const opening = openingOn(port1, onUpgrade);
    // The archive's one entry on its thread, from now until it is released: told of the thread's
    // death while opening (to fail the open), and afterwards (to fail the archive's calls).
    let onDeath = (error: ArchiveError): void => opening.fail(new ArchiveError('WORKER_DIED', `${error.message} while opening the archive`, { cause: error }));
    const entry = (error: ArchiveError): void => onDeath(error);
    thread.archives.add(entry);
    try {
      if (thread.dead) onDeath(thread.dead);
      thread.worker.postMessage({ open: { file }, port: port2 } satisfies StoreThreadOpen, [port2]);
      await opening.ready;
    } catch (error) {
      thread.archives.delete(entry);
      port1.close();
      throw error;
    } finally {
      opening.stop();
    }
    // Until the archive listens; a death meanwhile stays known as `thread.dead`.
    onDeath = () => undefined;
    return {
      port: port1,
      onDeath: (listener) => {
        onDeath = listener;
        if (thread.dead) listener(thread.dead);
      },
      release: () => thread.archives.delete(entry),
    };
  }

  private pick(): StoreThread {
    for (let i = this.threads.length - 1; i >= 0; i--) if (this.threads[i]?.dead) this.threads.splice(i, 1);
    const least = this.threads.reduce<StoreThread | undefined>((a, t) => (a && a.archives.size <= t.archives.size ? a : t), undefined);
    if (least && (least.archives.size === 0 || this.threads.length >= STORE_THREADS)) return least;
    const thread = new StoreThread(new Worker(this.entry, pageThreadLimits));
    this.threads.push(thread);
    return thread;
  }
}

const byEntry = new Map<string, StoreThreads>();

/** The process's store threads for the worker bundle `entry`. */
export function storeThreadsFor(entry: string): StoreThreads {
  let threads = byEntry.get(entry);
  if (!threads) {
    threads = new StoreThreads(entry);
    byEntry.set(entry, threads);
  }
  return threads;
}
