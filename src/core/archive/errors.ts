/**
 * Typed archive errors. `code` lets the host choose a message and a next step without matching
 * classes across the worker boundary (errors cross it as plain data and are rebuilt here).
 */
import { phrase, type Phrase } from '../../shared/text';
import { WeComError } from '../wecom/errors';

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
  | 'SCHEMA_CHANGED'
  | 'SERVER_PROTOCOL'
  /** A team archive (the service's) is read here, never written. */
  | 'READ_ONLY'
  /** The team archive service refused or failed a request (its status and error code in the message). */
  | 'SERVICE'
  | 'SQLITE'
  /** The PostgreSQL backend (the archive service): the server's message and SQLSTATE. */
  | 'POSTGRES';

export class ArchiveError extends Error {
  readonly code: ArchiveErrorCode;
  /** What the user is told, with the next step, when the code alone does not say it (the team service's refusals). */
  readonly userMessage: Phrase | undefined;

  constructor(code: ArchiveErrorCode, message: string, options?: { cause?: unknown; userMessage?: Phrase }) {
    super(message, options);
    this.name = 'ArchiveError';
    this.code = code;
    this.userMessage = options?.userMessage;
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

/** How a sync_msg page broke the paging contract (each one would make the run loop or skip). */
export type ProtocolRule =
  /** has_more without a next_cursor. */
  | 'cursorMissing'
  /** has_more with the cursor the page was fetched with. */
  | 'cursorStuck'
  /** has_more with a cursor already sent in this run (A→B→A). */
  | 'cursorCycle'
  /** More msg_list entries than the limit asked for. */
  | 'pageTooLong';

const PROTOCOL_TEXT: Record<ProtocolRule, string> = {
  cursorMissing: 'said has_more but sent no next_cursor',
  cursorStuck: 'said has_more and sent back the cursor it was asked with',
  cursorCycle: 'said has_more and sent a cursor already used in this run',
  pageTooLong: 'sent more messages than the limit asked for',
};

/**
 * The server broke sync_msg's paging contract. The run stops at once: the page's cursor is not
 * stored, so the next run asks again from the last good position and nothing is lost.
 */
export class ServerProtocolError extends ArchiveError {
  readonly rule: ProtocolRule;

  constructor(rule: ProtocolRule, detail = '') {
    super('SERVER_PROTOCOL', `sync_msg ${PROTOCOL_TEXT[rule]}${detail ? ` (${detail})` : ''}; the sync stopped and keeps its last stored position`);
    this.name = 'ServerProtocolError';
    this.rule = rule;
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

// ---------------------------------------------------------------- what a user reads

/**
 * What an error says to a user, as a Phrase the host words in the reader's language: a typed
 * error's own sentence, the paging rule a server broke, or (for anything else) its English message.
 */
export function errorPhrase(error: unknown): Phrase {
  if (error instanceof WeComError) return error.userMessage;
  if (error instanceof ServerProtocolError) {
    return phrase(
      'The server broke the paging rules of sync_msg ({0}). The sync stopped before asking again and kept its last stored position, so nothing is lost. Check the API base URL or proxy; the log has the details.',
      `${error.rule}: ${PROTOCOL_TEXT[error.rule]}`,
    );
  }
  if (error instanceof ArchiveError) {
    if (error.userMessage) return error.userMessage;
    // The codes a user can meet and act on; the others are bugs, shown with their English detail.
    switch (error.code) {
      case 'SCHEMA_CHANGED':
        return phrase('A newer version of this extension upgraded the archive in another window. Reload this window to go on.');
      case 'NEWER_SCHEMA':
        return phrase('The local archive was written by a newer version of this extension. Update the extension to open it.');
      case 'SQLITE_MISSING':
        return phrase('This VS Code is too old for the local archive: update VS Code (it needs Node 22.5 or later with node:sqlite).');
      case 'LEASE_LOST':
        return phrase('Another window took over the sync of this corp; this run stopped and kept what it had stored.');
      case 'SYNC_BUSY':
        return phrase('A sync of this corp is already running in another window.');
      case 'WORKER_DIED':
        return phrase('The local archive stopped unexpectedly ({0}). Try again; the log has the details.', error.message);
    }
  }
  return phrase('{0}', error instanceof Error ? error.message : String(error));
}

/**
 * An error as the archive records it (sync_state.last_error): its Phrase as JSON, so the tree
 * words it in the language of whoever looks, days later, not the one of the run that failed.
 */
export function recordableError(error: unknown): string {
  return JSON.stringify({ phrase: errorPhrase(error) });
}

/** The Phrase of a recorded error; text recorded before errors were Phrases reads as it is. */
export function recordedError(stored: string): Phrase {
  try {
    const value: unknown = JSON.parse(stored);
    const p = (value as { phrase?: unknown } | null)?.phrase;
    if (isPhrase(p)) return p;
  } catch {
    // plain text
  }
  return phrase('{0}', stored);
}

function isPhrase(value: unknown): value is Phrase {
  if (typeof value !== 'object' || value === null) return false;
  const { text, args } = value as { text?: unknown; args?: unknown };
  return typeof text === 'string' && Array.isArray(args) && args.every((a) => typeof a === 'string' || typeof a === 'number' || isPhrase(a));
}
