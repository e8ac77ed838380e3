/**
 * When a sync must admit it missed messages: sync_msg keeps data 5 days, and without a cursor it
 * starts at the earliest message of the last 3 days. The stored cursor is always tried first;
 * only WeCom's refusal (50100), and the user's "Reset Sync Position…" after it, makes a gap.
 */
import type { Gap, SyncState } from './types';

export const DAY_SECONDS = 86_400;
/** sync_msg keeps messages this long; a cursor older than that may point at lost messages. */
export const RETENTION_SECONDS = 5 * DAY_SECONDS;
/** Without a cursor, sync_msg starts this far back. */
export const FIRST_SYNC_SECONDS = 3 * DAY_SECONDS;

/** Where the archive's knowledge ends: its newest message, else the last successful sync. */
function knownUntil(state: SyncState): number | undefined {
  if (state.lastMessageTime !== undefined) return state.lastMessageTime;
  if (state.lastSuccessAt !== undefined) return Math.floor(state.lastSuccessAt / 1000);
  return undefined;
}

/**
 * The gap to record when the sync position is reset (the stored cursor was refused): from where
 * the archive's knowledge ends to where a sync without a cursor starts (now − 3 days). None when
 * the archive knows nothing yet, or already reaches into those 3 days.
 */
export function resetGap(state: SyncState, nowMs: number): Gap | undefined {
  const to = Math.floor(nowMs / 1000) - FIRST_SYNC_SECONDS;
  const from = knownUntil(state);
  if (from === undefined || from >= to) return undefined;
  return { from, to, reason: 'reset', recordedAt: nowMs };
}
