/**
 * The host side of the store: `openArchive` opens the file on one of the process's store threads
 * (storeThreads.ts) and returns an async `Archive` whose calls are posted to it. Messages cross as
 * packed records (packing.ts) and come back as raw texts that are parsed here, which is cheaper
 * than structured-cloning message objects.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { ArchiveError, SQLITE_MISSING_MESSAGE } from './errors';
import { packPageInput, unpackMessage } from './packing';
import { type StoreChannel, StoreCalls } from './storeCalls';
import { RESOLVE_MAX } from './types';
import type { ArchivePortMessage, ListChatsQuery, OpArg, OpName, OpResult, RawRow } from './protocol';
import { type StoreLease, storeThreadsFor } from './storeThreads';
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
  PageInput,
  PageQuery,
  StoredMessage,
  SyncState,
} from './types';

export interface OpenArchiveOptions {
  /** The bundled worker; default `archive-worker.js` next to this bundle (dist/). */
  workerPath?: string;
  /** The file holds an older schema and is being migrated before it opens (once; may take seconds). */
  onUpgrade?: (from: number, to: number) => void;
}

export interface Archive {
  readonly file: string;
  /** One page in one transaction with its next cursor (insert-or-ignore by msgid, chat summaries,
   * the lease check); with `commit: false` the transaction stays open for the next pages. */
  applyPage(p: PageInput): Promise<ApplyResult>;
  /** Commits the batch that pages with `commit: false` left open (no-op without one). */
  commit(): Promise<ApplyResult>;
  /** Newest activity first; keyset-paged with `after`. */
  listChats(q: ListChatsQuery): Promise<{ chats: ChatSummary[]; next?: ChatCursor }>;
  countChats(q: { kind?: ChatKind; filter?: ChatFilter }): Promise<number>;
  getChat(key: string): Promise<ChatSummary | undefined>;
  /** Keyset page before/after `from`, ascending send time in the result. */
  pageMessages(q: PageQuery): Promise<StoredMessage[]>;
  /** The first message at or after `sendTime` (or the chat's last), for "jump to date". */
  locate(q: { chatKey: string; sendTime: number }): Promise<MessagePosition | undefined>;
  /** Up to RESOLVE_MAX msgids, answered in the order given. */
  resolve(msgids: string[]): Promise<{ found: (StoredMessage | undefined)[]; missing: string[] }>;
  senders(chatKey: string): Promise<{ type: number; id: string; count: number }[]>;
  syncState(): Promise<SyncState>;
  gaps(): Promise<Gap[]>;
  recordGap(g: Gap): Promise<void>;
  /** Records `gap` (if given) and drops the cursor, in one transaction. */
  resetCursor(gap?: Gap): Promise<void>;
  recordError(e: { message: string; at: number }): Promise<void>;
  acquireLease(r: { owner: string; ttlMs: number; now: number }): Promise<LeaseResult>;
  /** False when the lease is no longer this owner's. */
  renewLease(r: { owner: string; ttlMs: number; now: number }): Promise<boolean>;
  releaseLease(r: { owner: string }): Promise<void>;
  stats(): Promise<ArchiveStats>;
  close(): Promise<void>;
}

/** What the sync engine asks of an archive. */
export type SyncTarget = Pick<Archive, 'applyPage' | 'commit' | 'recordError' | 'acquireLease' | 'renewLease' | 'releaseLease'>;

function nodeHasSqlite(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 5);
}

function toStored(row: RawRow): StoredMessage | undefined {
  const message = unpackMessage(row[1]);
  return message ? { ...message, chatKey: row[0] } : undefined;
}

/**
 * The `Archive` calls, posted to the archive's store thread and answered by it: over the owner's
 * channel (the host's archive), or a MessagePort attached to it (the sync thread's archive, see
 * `connectStore`). The thread handles both one request at a time, in the order each channel sent them.
 */
abstract class RemoteArchive implements Archive {
  private readonly calls: StoreCalls;

  constructor(
    readonly file: string,
    channel: StoreChannel,
  ) {
    this.calls = new StoreCalls(channel);
  }

  protected get dead(): ArchiveError | undefined {
    return this.calls.dead;
  }

  protected set dead(error: ArchiveError) {
    this.calls.dead ??= error;
  }

  protected fail(error: ArchiveError): void {
    this.calls.fail(error);
  }

  protected call<K extends OpName>(op: K, arg: OpArg<K>): Promise<OpResult<K>> {
    return this.calls.call(op, arg);
  }

  async applyPage(p: PageInput): Promise<ApplyResult> {
    // Packing a page takes a few milliseconds: in a task of its own, so the event loop (shared by
    // every extension) gets a turn between reading a page and packing it. Calls stay in order.
    await yieldToLoop();
    return this.call('applyPage', packPageInput(p));
  }

  commit(): Promise<ApplyResult> {
    return this.call('commit', undefined);
  }

  listChats(q: ListChatsQuery): Promise<{ chats: ChatSummary[]; next?: ChatCursor }> {
    return this.call('listChats', q);
  }

  countChats(q: { kind?: ChatKind; filter?: ChatFilter }): Promise<number> {
    return this.call('countChats', q);
  }

  getChat(key: string): Promise<ChatSummary | undefined> {
    return this.call('getChat', key);
  }

  async pageMessages(q: PageQuery): Promise<StoredMessage[]> {
    const rows = await this.call('pageMessages', q);
    return rows.map(toStored).filter((m): m is StoredMessage => m !== undefined);
  }

  locate(q: { chatKey: string; sendTime: number }): Promise<MessagePosition | undefined> {
    return this.call('locate', q);
  }

  async resolve(msgids: string[]): Promise<{ found: (StoredMessage | undefined)[]; missing: string[] }> {
    if (msgids.length > RESOLVE_MAX) {
      throw new ArchiveError('BAD_REQUEST', `resolve takes at most ${RESOLVE_MAX} msgids, got ${msgids.length}`);
    }
    const rows = await this.call('resolve', msgids);
    const found = rows.map((r) => (r ? toStored(r) : undefined));
    return { found, missing: msgids.filter((_, i) => found[i] === undefined) };
  }

  senders(chatKey: string): Promise<{ type: number; id: string; count: number }[]> {
    return this.call('senders', chatKey);
  }

  syncState(): Promise<SyncState> {
    return this.call('syncState', undefined);
  }

  gaps(): Promise<Gap[]> {
    return this.call('gaps', undefined);
  }

  async recordGap(g: Gap): Promise<void> {
    await this.call('recordGap', g);
  }

  async resetCursor(gap?: Gap): Promise<void> {
    await this.call('resetCursor', gap);
  }

  async recordError(e: { message: string; at: number }): Promise<void> {
    await this.call('recordError', e);
  }

  acquireLease(r: { owner: string; ttlMs: number; now: number }): Promise<LeaseResult> {
    return this.call('acquireLease', r);
  }

  renewLease(r: { owner: string; ttlMs: number; now: number }): Promise<boolean> {
    return this.call('renewLease', r);
  }

  async releaseLease(r: { owner: string }): Promise<void> {
    await this.call('releaseLease', r);
  }

  stats(): Promise<ArchiveStats> {
    return this.call('stats', undefined);
  }

  abstract close(): Promise<void>;
}

/** An archive opened here (`openArchive`), served on one of the process's store threads. */
class ThreadArchive extends RemoteArchive {
  constructor(
    file: string,
    private readonly lease: StoreLease,
  ) {
    super(file, lease.port);
    lease.onDeath((error) => this.fail(error));
  }

  /** A new channel to this archive on its store thread, for another thread (see `connectStore`). */
  connect(): MessagePort {
    if (this.dead) throw this.dead;
    const { port1, port2 } = new MessageChannel();
    this.lease.port.postMessage({ attach: port2 } satisfies ArchivePortMessage, [port2]);
    return port1;
  }

  async close(): Promise<void> {
    if (this.dead) return;
    try {
      await this.call('close', undefined);
    } catch {
      /* the thread is gone already */
    }
    this.dead ??= new ArchiveError('CLOSED', 'the archive is closed');
    this.lease.port.close();
    this.lease.release();
  }
}

/** An archive on a store thread, seen from another thread, through a port from `connectStore`. */
export class PortArchive extends RemoteArchive {
  constructor(
    file: string,
    private readonly port: MessagePort,
  ) {
    super(file, port);
    port.on('close', () => this.fail(new ArchiveError('CLOSED', 'the archive channel was closed')));
  }

  /** Closes this channel only; the archive stays open for its owner. */
  async close(): Promise<void> {
    this.fail(new ArchiveError('CLOSED', 'the archive channel was closed'));
    this.port.close();
  }
}

/**
 * A channel to the store thread behind `archive`, to hand (transferred) to another thread that
 * wraps it in a PortArchive; undefined when the archive is not one `openArchive` opened.
 */
export function connectStore(archive: Archive): MessagePort | undefined {
  return archive instanceof ThreadArchive ? archive.connect() : undefined;
}

/** Opens (creating and migrating if needed) the archive file of one profile. */
export async function openArchive(file: string, opts: OpenArchiveOptions = {}): Promise<Archive> {
  if (!nodeHasSqlite()) throw new ArchiveError('SQLITE_MISSING', SQLITE_MISSING_MESSAGE);
  const workerPath = opts.workerPath ?? join(__dirname, 'archive-worker.js');
  if (!existsSync(workerPath)) throw new ArchiveError('WORKER_MISSING', `the archive worker is missing: ${workerPath}`);
  mkdirSync(dirname(file), { recursive: true });
  const lease = await storeThreadsFor(workerPath).open(file, opts.onUpgrade);
  return new ThreadArchive(file, lease);
}
