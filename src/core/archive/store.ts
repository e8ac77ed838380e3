/**
 * The store's operations on one SQLite connection, as the worker serves them (StoreHandlers).
 * Runs in the worker thread only (synchronous node:sqlite calls); the host reaches it through
 * archive.ts. The work is in three modules over one connection (storeConnection.ts): ingest.ts
 * (pages, exactly once, group commit), queries.ts (reads), leaseState.ts (lease, cursor, gaps,
 * errors).
 */
import type { DatabaseSync } from 'node:sqlite';
import { setAutoCheckpoint } from './db';
import { Ingest } from './ingest';
import { LeaseState } from './leaseState';
import { msgidKey } from './msgidKey';
import type { LeaseRequest, ListChatsQuery, PackedPage, RawRow, StoreHandlers } from './protocol';
import { Queries } from './queries';
import { StoreConnection } from './storeConnection';
import type {
  ApplyResult,
  ArchiveStats,
  ChatCursor,
  ChatFilter,
  ChatKind,
  ChatSummary,
  Gap,
  LeaseResult,
  MessagePosition,
  PageQuery,
  SyncState,
} from './types';

export class ArchiveStore implements StoreHandlers {
  private readonly sql: StoreConnection;
  private readonly ingest: Ingest;
  private readonly queries: Queries;
  private readonly state: LeaseState;

  constructor(
    db: DatabaseSync,
    file: string,
    /** The msgid key; replaced only by tests, to make keys collide. */
    keyOf: (msgid: string) => number = msgidKey,
  ) {
    this.sql = new StoreConnection(db, file, keyOf);
    this.ingest = new Ingest(this.sql);
    this.queries = new Queries(this.sql);
    this.state = new LeaseState(this.sql, this.ingest);
  }

  get schemaBefore(): number {
    return this.sql.schemaBefore;
  }

  /** Told after every commit (the checkpointer). */
  get onCommit(): (() => void) | undefined {
    return this.sql.onCommit;
  }

  set onCommit(listener: (() => void) | undefined) {
    this.sql.onCommit = listener;
  }

  /** The WAL size at which a commit checkpoints by itself. */
  setAutoCheckpoint(bytes: number): void {
    setAutoCheckpoint(this.sql.db, bytes);
  }

  applyPage(page: PackedPage): ApplyResult {
    return this.ingest.applyPage(page);
  }

  commit(): ApplyResult {
    return this.ingest.commit();
  }

  recordGap(gap: Gap): undefined {
    return this.state.recordGap(gap);
  }

  resetCursor(gap: Gap | undefined): undefined {
    return this.state.resetCursor(gap);
  }

  recordError(e: { message: string; at: number }): undefined {
    return this.state.recordError(e);
  }

  acquireLease(r: LeaseRequest): LeaseResult {
    return this.state.acquireLease(r);
  }

  renewLease(r: LeaseRequest): boolean {
    return this.state.renewLease(r);
  }

  /** The run's end (sync, or a reset of the position): what it cached is let go too. */
  releaseLease(r: { owner: string }): undefined {
    this.state.releaseLease(r);
    this.sql.releaseMemory();
    return undefined;
  }

  syncState(): SyncState {
    return this.state.syncState();
  }

  gaps(): Gap[] {
    return this.state.gaps();
  }

  listChats(q: ListChatsQuery): { chats: ChatSummary[]; next?: ChatCursor } {
    return this.queries.listChats(q);
  }

  countChats(q: { kind?: ChatKind; filter?: ChatFilter }): number {
    return this.queries.countChats(q);
  }

  getChat(key: string): ChatSummary | undefined {
    return this.queries.getChat(key);
  }

  pageMessages(q: PageQuery): RawRow[] {
    return this.queries.pageMessages(q);
  }

  locate(q: { chatKey: string; sendTime: number }): MessagePosition | undefined {
    return this.queries.locate(q);
  }

  resolve(msgids: string[]): (RawRow | undefined)[] {
    return this.queries.resolve(msgids);
  }

  senders(chatKey: string): { type: number; id: string; count: number }[] {
    return this.queries.senders(chatKey);
  }

  stats(): ArchiveStats {
    return this.queries.stats();
  }

  close(): undefined {
    // An open batch is consistent at every page boundary: keep it.
    this.ingest.commit();
    this.sql.close();
    return undefined;
  }
}
