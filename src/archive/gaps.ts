/**
 * When a sync must admit it missed messages (guide §2: data is kept 5 days; without a cursor
 * sync_msg starts at the earliest message of the last 3 days).
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
 * The gap to record before syncing, if the last success is older than the retention window.
 * Never synced (nothing known): no gap, it is a first sync. The gap ends where the fresh sync
 * without a cursor starts (now − 3 days): everything before that is not coming back.
 */
export function staleGap(state: SyncState, nowMs: number): Gap | undefined {
  if (state.lastSuccessAt === undefined) return undefined;
  const now = Math.floor(nowMs / 1000);
  if (now - Math.floor(state.lastSuccessAt / 1000) <= RETENTION_SECONDS) return undefined;
  return gapFrom(state, nowMs, 'stale');
}

/** The gap to record when WeCom refused the cursor (50100). */
export function refusedGap(state: SyncState, nowMs: number): Gap {
  return gapFrom(state, nowMs, 'cursorRefused');
}

function gapFrom(state: SyncState, nowMs: number, reason: Gap['reason']): Gap {
  const to = Math.floor(nowMs / 1000) - FIRST_SYNC_SECONDS;
  const from = Math.min(knownUntil(state) ?? to, to);
  return { from, to, reason, recordedAt: nowMs };
}
