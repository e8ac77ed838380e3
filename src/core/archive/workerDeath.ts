/**
 * A worker thread's end, as the error every thread proxy reports: a thread that throws is followed
 * by its exit, so `died` may be told twice (the first tells what happened; callers ignore the rest).
 */
import type { Worker } from 'node:worker_threads';
import { ArchiveError } from './errors';

/** `name`: the thread as error texts call it ("the sync worker"). */
export function onWorkerDeath(worker: Worker, name: string, died: (error: ArchiveError) => void): void {
  worker.on('error', (error) => died(new ArchiveError('WORKER_DIED', `${name} failed: ${error.message}`, { cause: error })));
  worker.on('exit', (code) => died(new ArchiveError('WORKER_DIED', `${name} exited (${code})`)));
}
