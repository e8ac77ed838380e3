/**
 * The host ⇄ worker protocol: one table of operations, each an argument and a result type, so
 * the host proxy and the worker's dispatcher are checked against the same list.
 * Everything here crosses postMessage (structured clone): plain data only.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ErrorData } from './errors';
import type { PackedMessages } from './packing';
import type {
  ApplyResult,
  ArchiveStats,
  ChatCursor,
  ChatFilter,
  ChatKind,
  ChatKey,
  ChatSummary,
  Gap,
  LeaseResult,
  MessagePosition,
  PageQuery,
  SyncState,
} from './types';

export interface PackedPage extends PackedMessages {
  nextCursor: string;
  hasMore: boolean;
  now: number;
  lease?: { owner: string; ttlMs: number };
  /** See PageInput. */
  commit?: boolean;
  continues?: boolean;
  after?: string;
}

export interface ListChatsQuery {
  kind: ChatKind;
  limit: number;
  after?: ChatCursor;
  filter?: ChatFilter;
}

export interface LeaseRequest {
  owner: string;
  ttlMs: number;
  now: number;
}

/** A stored message as text (receiver list joined back) with its chat's key. */
export type RawRow = [chatKey: ChatKey, rawJson: string];

export interface StoreOps {
  applyPage: [PackedPage, ApplyResult];
  /** Commits the open batch of pages, if any; the batch's totals. */
  commit: [undefined, ApplyResult];
  listChats: [ListChatsQuery, { chats: ChatSummary[]; next?: ChatCursor }];
  countChats: [{ kind?: ChatKind; filter?: ChatFilter }, number];
  getChat: [ChatKey, ChatSummary | undefined];
  pageMessages: [PageQuery, RawRow[]];
  locate: [{ chatKey: ChatKey; sendTime: number }, MessagePosition | undefined];
  resolve: [string[], (RawRow | undefined)[]];
  senders: [ChatKey, { type: number; id: string; count: number }[]];
  syncState: [undefined, SyncState];
  gaps: [undefined, Gap[]];
  recordGap: [Gap, undefined];
  /** Records the gap (if any) and drops the cursor, in one transaction. */
  resetCursor: [Gap | undefined, undefined];
  recordError: [{ message: string; at: number }, undefined];
  acquireLease: [LeaseRequest, LeaseResult];
  renewLease: [LeaseRequest, boolean];
  releaseLease: [{ owner: string }, undefined];
  stats: [undefined, ArchiveStats];
  close: [undefined, undefined];
}

export type OpName = keyof StoreOps;
export type OpArg<K extends OpName> = StoreOps[K][0];
export type OpResult<K extends OpName> = StoreOps[K][1];
export type StoreHandlers = { [K in OpName]: (arg: OpArg<K>) => OpResult<K> };

export type StoreRequest = { [K in OpName]: { id: number; op: K; arg: OpArg<K> } }[OpName];

/** To a store thread: open `file` and serve it on `port` (the owner's channel to it). */
export interface StoreThreadOpen {
  open: { file: string };
  port: MessagePort;
}

/**
 * On an archive's owner channel: a request, or a port to serve as well (another thread's channel
 * to the same archive: the sync thread's). Requests on an attached port are answered on it; it
 * cannot close the archive.
 */
export type ArchivePortMessage = StoreRequest | { attach: MessagePort };

export type WorkerToHost =
  | { type: 'ready'; schemaBefore: number }
  /** Before migrating a file that holds an older schema (a table rebuild may take seconds). */
  | { type: 'upgrading'; from: number; to: number }
  | { type: 'fatal'; error: ErrorData }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: ErrorData };
