/**
 * Typed archive errors. `code` lets the host choose a message and a next step without matching
 * classes across the worker boundary (errors cross it as plain data and are rebuilt here).
 */

export type ArchiveErrorCode =
  | 'SQLITE_MISSING'
  | 'WORKER_MISSING'
  | 'WORKER_DIED'
  | 'CLOSED'
  | 'LEASE_LOST'
  | 'BATCH_LOST'
  | 'OUT_OF_ORDER'
  | 'SYNC_BUSY'
  | 'BAD_REQUEST'
  | 'NEWER_SCHEMA'
  | 'SQLITE';

export class ArchiveError extends Error {
  readonly code: ArchiveErrorCode;

  constructor(code: ArchiveErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArchiveError';
    this.code = code;
  }
}

export const SQLITE_MISSING_MESSAGE = 'this VS Code is too old: update VS Code (needs Node 22.5+ with node:sqlite)';

/** Another process (or this one) holds the sync lease of the profile. */
export class SyncBusyError extends ArchiveError {
  readonly owner: string;
  /** Epoch ms when the holder's lease runs out unless it is renewed. */
  readonly until: number;

  constructor(owner: string, until: number) {
    super('SYNC_BUSY', `a sync of this archive is already running (${owner}, lease until ${new Date(until).toISOString()})`);
    this.name = 'SyncBusyError';
    this.owner = owner;
    this.until = until;
  }
}

/** Plain-data form of an error, as the worker posts it. */
export interface ErrorData {
  code: ArchiveErrorCode;
  message: string;
  sqliteCode?: string;
}

export function toErrorData(error: unknown): ErrorData {
  if (error instanceof ArchiveError) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  const errcode = (error as { code?: unknown } | null)?.code;
  return { code: 'SQLITE', message, ...(typeof errcode === 'string' ? { sqliteCode: errcode } : {}) };
}

export function fromErrorData(data: ErrorData): ArchiveError {
  return new ArchiveError(data.code, data.message);
}
