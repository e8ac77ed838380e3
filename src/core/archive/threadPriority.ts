/**
 * Best effort, Linux only: the calling thread (the store, the checkpointer, the sync thread) gets
 * a lower priority than the extension host's main thread, so a long sync takes the CPU the editor
 * leaves rather than the other way round. On Linux a thread id given to setpriority names that
 * thread alone.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

export function yieldPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // Not Linux, or not allowed: normal priority.
  }
}
