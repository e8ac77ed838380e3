/**
 * "Reset Sync Position…": the way out when WeCom refuses the stored cursor (50100). Under the
 * sync lease, records the gap honestly and drops the cursor in one transaction; the next run
 * starts from the oldest message WeCom keeps.
 */
import { type Clock, systemClock } from '../wecom/timing';
import type { Archive } from './archive';
import { SyncBusyError } from './errors';
import { resetGap } from './gaps';
import { DEFAULT_LEASE_TTL_MS } from './sync';
import type { Gap } from './types';

/** The gap recorded (none when the archive misses nothing), or SyncBusyError while another process syncs. */
export async function resetSyncPosition(archive: Archive, owner: string, clock: Clock = systemClock): Promise<Gap | undefined> {
  const lease = await archive.acquireLease({ owner, ttlMs: DEFAULT_LEASE_TTL_MS, now: clock.now() });
  if (!lease.acquired) throw new SyncBusyError(lease.owner, lease.expiresAt);
  try {
    const gap = resetGap(lease.state, clock.now());
    await archive.resetCursor(gap);
    return gap;
  } finally {
    await archive.releaseLease({ owner }).catch(() => undefined);
  }
}
