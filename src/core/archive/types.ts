/**
 * The archive's public data types. Pure (no Node imports) so the host UI and the webview protocol
 * may import them. Times: `sendTime`, `firstTime`, `lastTime`, gap bounds are Unix seconds (WeCom's
 * unit); `…At` fields are epoch milliseconds of the local clock.
 */
import { SEARCH_MAX_LIMIT, type ArchiveMessage, type ChatKind, type KnownPartyType, type Party } from '../../shared/wire';

export type { ChatKind };

/** resolve() answers at most one search_msg page of msgids. */
export const RESOLVE_MAX = SEARCH_MAX_LIMIT;

/** `g:<chatid>` or `s:<idA>|<idB>` (ids sorted). */
export type ChatKey = string;

export interface ChatFilter {
  /** Substring of the chatid or of any member's id (case-insensitive for ASCII). */
  idContains?: string;
  /** Chats with at least one member (single chat: one of the two parties) of this type. */
  partyType?: KnownPartyType;
  /** Last activity at or after this time (s). */
  activeSince?: number;
  /** First activity at or before this time (s). With activeSince: chats active in that range. */
  activeUntil?: number;
}

/** Keyset position in the "newest activity first" order of listChats. */
export interface ChatCursor {
  readonly lastTime: number;
  readonly key: ChatKey;
}

export interface ChatSummary {
  key: ChatKey;
  kind: ChatKind;
  chatid?: string;
  /** The two parties of a single chat (sorted by id; one entry for a chat with oneself); [] for groups. */
  parties: Party[];
  /** Distinct senders and receivers seen (single chats: 2, or 1 with oneself). */
  memberCount: number;
  firstTime: number;
  lastTime: number;
  count: number;
  countsByType: Record<number, number>;
  keyVersions: number[];
}

/** A stored message: exactly what the client parsed, plus the chat it belongs to. */
export interface StoredMessage extends ArchiveMessage {
  readonly chatKey: ChatKey;
}

export interface MessagePosition {
  readonly sendTime: number;
  readonly msgid: string;
}

export interface PageQuery {
  chatKey: ChatKey;
  direction: 'older' | 'newer';
  /** Exclusive keyset position; absent: the newest (older) or the oldest (newer) messages. */
  from?: MessagePosition;
  limit: number;
  msgtypes?: number[];
  /** Sender id. */
  sender?: string;
}

export interface SyncState {
  /** The next_cursor committed with the last stored page. */
  cursor?: string;
  lastSuccessAt?: number;
  /** `message` is recordableError()'s encoding (the error as a Phrase): read it with recordedError(). */
  lastError?: { message: string; at: number };
  /** Newest send_time stored (s). */
  lastMessageTime?: number;
}

/** 'stale' and 'cursorRefused' were recorded by earlier versions; 'reset' by Reset Sync Position. */
export type GapReason = 'stale' | 'cursorRefused' | 'reset';

export interface Gap {
  /** Messages after this time (s) may be missing… */
  from: number;
  /** …up to this time (s): where the fresh sync without a cursor starts. */
  to: number;
  reason: GapReason;
  recordedAt: number;
}

export interface PageInput {
  messages: readonly ArchiveMessage[];
  /** Each message's JSON as received (SyncPage.texts), stored instead of serializing `raw`. */
  texts?: readonly string[];
  nextCursor: string;
  hasMore: boolean;
  /** Commit time (ms) recorded as the last success; default Date.now(). */
  now?: number;
  /** When given, the page is committed only while this owner holds the sync lease (renewed by it). */
  lease?: { owner: string; ttlMs: number };
  /** false: leave the transaction open so the next page joins it (group commit); Archive.commit()
   * or a later page with `commit` ends it. Default true: the page is its own transaction. */
  commit?: boolean;
  /** This page joins the batch the previous page left open; BATCH_LOST if that was rolled back. */
  continues?: boolean;
  /** The cursor this page was fetched with ('' for none). When given, the page is stored only on
   * top of exactly that cursor (OUT_OF_ORDER otherwise): a page whose predecessor was rolled back
   * can then never be committed past the messages that were lost with it. */
  after?: string;
}

export interface ApplyResult {
  inserted: number;
  changedChats: ChatKey[];
}

/**
 * An acquired lease carries the sync state read under it, in the same step: a run starts from
 * the cursor as of its lease with one request to the store, not two. A store thread serves an
 * archive's requests after everything queued before them (another corp's pages and commit, when
 * archives share the thread), so each request a run waits for before its first fetch costs tens
 * of milliseconds per corp.
 */
export type LeaseResult = { acquired: true; expiresAt: number; state: SyncState } | { acquired: false; owner: string; expiresAt: number };

export interface ArchiveStats {
  messages: number;
  chats: number;
  /** Database file plus its WAL. */
  fileBytes: number;
}
