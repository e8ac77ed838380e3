/**
 * The archive's sync state (cursor, last success and error, gaps) and its sync lease: one row per
 * name in `lease`, so at most one process syncs an archive (worker thread only).
 */
import { bytesOf, textOf } from './sqlText';
import type { Ingest } from './ingest';
import type { LeaseRequest } from './protocol';
import type { StoreConnection } from './storeConnection';
import { LEASE } from './storeColumns';
import type { Gap, GapReason, LeaseResult, SyncState } from './types';

export class LeaseState {
  constructor(
    private readonly sql: StoreConnection,
    private readonly ingest: Ingest,
  ) {}

  recordGap(gap: Gap): undefined {
    this.sql.write(() => this.insertGap(gap));
    return undefined;
  }

  private insertGap(gap: Gap): void {
    this.sql.run('INSERT INTO gaps(from_time, to_time, reason, recorded_at) VALUES (?, ?, ?, ?)', gap.from, gap.to, gap.reason, gap.recordedAt);
  }

  resetCursor(gap: Gap | undefined): undefined {
    this.sql.write(() => {
      if (gap) this.insertGap(gap);
      this.sql.run('UPDATE sync_state SET cursor = NULL WHERE id = 1');
    });
    return undefined;
  }

  recordError(e: { message: string; at: number }): undefined {
    this.sql.write(() => this.sql.run('UPDATE sync_state SET last_error = ?, last_error_at = ? WHERE id = 1', e.message, e.at));
    return undefined;
  }

  acquireLease(r: LeaseRequest): LeaseResult {
    // A live lease of another owner is answered from a plain read: the window that holds it keeps
    // the write lock for seconds at a time (group commit), and the answer would be "busy" anyway.
    const held = this.sql.get<{ owner: string; expires_at: number }>('SELECT owner, expires_at FROM lease WHERE name = ?', LEASE);
    if (held && held.owner !== r.owner && held.expires_at >= r.now) {
      return { acquired: false, owner: held.owner, expiresAt: held.expires_at };
    }
    return this.sql.write(() => {
      // Taken when free, expired, or already ours (a restarted process with the same owner id).
      this.sql.run(
        `INSERT INTO lease(name, owner, expires_at) VALUES (?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
         WHERE lease.owner = excluded.owner OR lease.expires_at < ?`,
        LEASE,
        r.owner,
        r.now + r.ttlMs,
        r.now,
      );
      const row = this.sql.get<{ owner: string; expires_at: number }>('SELECT owner, expires_at FROM lease WHERE name = ?', LEASE)!;
      return row.owner === r.owner
        ? { acquired: true, expiresAt: row.expires_at, state: this.syncState() }
        : { acquired: false, owner: row.owner, expiresAt: row.expires_at };
    });
  }

  /**
   * Renews the lease and commits it now, also when a batch of pages is open: the batch is
   * committed with it (every page boundary is consistent). A live holder's renewal therefore
   * never waits for its pages, and another window never sees a live lease as expired.
   */
  renewLease(r: LeaseRequest): boolean {
    const renew = (): boolean => this.sql.run('UPDATE lease SET expires_at = ? WHERE name = ? AND owner = ?', r.now + r.ttlMs, LEASE, r.owner) === 1;
    if (!this.sql.batch) return this.sql.write(renew);
    if (!renew()) {
      this.sql.rollback();
      return false;
    }
    this.ingest.commit();
    return true;
  }

  releaseLease(r: { owner: string }): undefined {
    this.sql.write(() => this.sql.run('DELETE FROM lease WHERE name = ? AND owner = ?', LEASE, r.owner));
    return undefined;
  }

  syncState(): SyncState {
    const row = this.sql.get<{
      cursor: Uint8Array | null;
      last_success: number | null;
      last_error: string | null;
      last_error_at: number | null;
      last_message_time: number | null;
    }>(`SELECT ${bytesOf('cursor')}, last_success, last_error, last_error_at, last_message_time FROM sync_state WHERE id = 1`)!;
    const cursor = textOf(row.cursor);
    return {
      ...(cursor ? { cursor } : {}),
      ...(row.last_success !== null ? { lastSuccessAt: row.last_success } : {}),
      ...(row.last_error !== null ? { lastError: { message: row.last_error, at: row.last_error_at ?? 0 } } : {}),
      ...(row.last_message_time ? { lastMessageTime: row.last_message_time } : {}),
    };
  }

  gaps(): Gap[] {
    return this.sql.all<{ from_time: number; to_time: number; reason: string; recorded_at: number }>(
      'SELECT from_time, to_time, reason, recorded_at FROM gaps ORDER BY id',
    ).map((r) => ({ from: r.from_time, to: r.to_time, reason: r.reason as GapReason, recordedAt: r.recorded_at }));
  }
}
