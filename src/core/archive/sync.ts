/**
 * The sync engine: pages from sync_msg into the archive, each page committed with its next_cursor
 * in one transaction, under a lease so only one process syncs a profile at a time.
 *
 * Every run ends: a page that breaks the paging contract (has_more without a new cursor, a cursor
 * already sent in this run, more messages than asked) stops the run with ServerProtocolError
 * before the next request, and is not stored; the stored cursor stays where it was. Requests are
 * therefore at most pages + the client's bounded retries.
 *
 * Lease policy: a second caller gets `SyncBusyError` at once (who holds it, until when); it does
 * not queue. The holder renews the lease every TTL/3 in a commit of its own (the store commits an
 * open group with it), so a live holder never looks expired, a crashed process blocks others for
 * at most one TTL, and a process that lost its lease cannot commit.
 *
 * Pipelined: the next page is requested while the current one is stored, and pages are handed to
 * the worker while it still stores earlier ones (up to STORE_AHEAD_PAGES), so the network, the
 * host and the disk overlap, also while the worker commits. Pages are stored in order, and
 * committed in groups (group commit): a transaction stays open across pages until it is
 * `commitEveryMs` old, COMMIT_MAX_PAGES long, or the last page, and is committed before the run
 * ends for any reason. It is also committed as soon as the next page is `idleCommitMs` late (a
 * rate-limit wait, a retry backoff, a slow reply): no write lock is held while the engine waits
 * on the network. A crash loses at most the open group, whose cursor was not committed either:
 * the next run fetches it again.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { CancelledError } from '../wecom/errors';
import type { SyncPage, WeComClient } from '../wecom/client';
import { type Clock, systemClock } from '../wecom/timing';
import { SYNC_MAX_LIMIT } from '../../shared/wire';
import type { SyncTarget } from './archive';
import { Emitter } from './emitter';
import { ArchiveError, type ProtocolRule, ServerProtocolError, SyncBusyError, recordableError } from './errors';
import type { ChatKey, SyncState } from './types';

export const DEFAULT_LEASE_TTL_MS = 30_000;

/**
 * A group is committed once this old. Each commit writes every index page the group dirtied, and
 * a page of random msgids dirties nearly a page of index per message, so fewer, larger commits
 * cost far less: a 1M-message sync took 26 s with 250 ms groups and 15 s with 2 s groups. The
 * views still see new messages every 2 s, and a crash costs at most 2 s of fetching again.
 */
export const COMMIT_EVERY_MS = 2000;
/**
 * The open group is committed when the next page is this late: longer than a page takes on a
 * healthy network (milliseconds nearby, ~30-100 ms across regions), shorter than any wait.
 */
export const IDLE_COMMIT_MS = 250;
/** …or this many pages long, which bounds the WAL one transaction can grow. */
export const COMMIT_MAX_PAGES = 256;
/**
 * Pages handed to the store thread and not yet stored, at most. A commit keeps the store thread
 * busy for a few hundred milliseconds; meanwhile the next pages are fetched and read instead of
 * waiting. 1M-message sync: 11.6 s with one page ahead, about 10 s with 4, 8 or 16. Bounds the
 * memory: about 1 MB per page of 1000 messages.
 */
export const STORE_AHEAD_PAGES = 8;

export interface SyncEngineOptions {
  /** Identifies this process/window in the lease: unique per window (e.g. session id + pid). */
  owner: string;
  /** Page size, 1..1000; default 1000. */
  limit?: number;
  /** The current `conversation_new_message` token, asked before every request. */
  callbackToken?: () => string | undefined;
  /** Wall clock (ms) for the lease; default Date.now. */
  clock?: Clock;
  leaseTtlMs?: number;
  /** Group commit interval (COMMIT_EVERY_MS); tests shorten it to crash after commits. */
  commitEveryMs?: number;
  /** See IDLE_COMMIT_MS. */
  idleCommitMs?: number;
}

export interface SyncChange {
  changedChats: ChatKey[];
  inserted: number;
  /** Inserted so far in this run. */
  total: number;
}

export interface SyncProgress extends SyncChange {
  pages: number;
}

export interface SyncResult {
  inserted: number;
  pages: number;
  durationMs: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  /**
   * Once, when the last page has arrived: the run makes no request after it, and what is left
   * (storing and committing the pages in hand) is the archive's. A scheduler gives the run's
   * network place to the next corp then.
   */
  onFetched?: () => void;
}

type Syncer = Pick<WeComClient, 'syncMsg'>;

/** A page's messages, read, and its paging: what is handed to the archive (not the reply it came in). */
type PageBody = Pick<SyncPage, 'messages' | 'texts' | 'nextCursor' | 'hasMore'>;

/** How `page`, fetched with `asked`, breaks the paging contract, if it does. */
function brokenRule(page: SyncPage, asked: string | undefined, sent: ReadonlySet<string>): { rule: ProtocolRule; detail?: string } | undefined {
  // Known before the messages are read (the client reads them when the engine stores the page).
  const entries = page.entries ?? page.messages.length + page.skipped;
  if (entries > page.limitUsed) return { rule: 'pageTooLong', detail: `${entries} > limit ${page.limitUsed}` };
  if (!page.hasMore) return undefined;
  if (!page.nextCursor) return { rule: 'cursorMissing' };
  if (page.nextCursor === asked) return { rule: 'cursorStuck' };
  if (sent.has(page.nextCursor)) return { rule: 'cursorCycle' };
  return undefined;
}

export class SyncEngine {
  private readonly changes = new Emitter<SyncChange>();
  private readonly clock: Clock;
  private readonly limit: number;
  private readonly ttlMs: number;
  private readonly commitEveryMs: number;
  private readonly idleCommitMs: number;
  private active = false;

  constructor(
    private readonly archive: SyncTarget,
    private readonly client: Syncer,
    private readonly options: SyncEngineOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.limit = Math.max(1, Math.min(SYNC_MAX_LIMIT, Math.floor(options.limit ?? SYNC_MAX_LIMIT)));
    this.ttlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
    this.commitEveryMs = options.commitEveryMs ?? COMMIT_EVERY_MS;
    this.idleCommitMs = options.idleCommitMs ?? IDLE_COMMIT_MS;
  }

  /** After every commit (a group of pages; see the header). */
  onChange(listener: (change: SyncChange) => void): () => void {
    return this.changes.on(listener);
  }

  get running(): boolean {
    return this.active;
  }

  /** Syncs until has_more is false. Throws SyncBusyError, CancelledError, or the client's typed errors. */
  async run(opts: RunOptions = {}): Promise<SyncResult> {
    if (this.active) throw new SyncBusyError(this.options.owner, this.clock.now() + this.ttlMs);
    this.active = true;
    try {
      return await this.leased(opts);
    } finally {
      this.active = false;
    }
  }

  private async leased(opts: RunOptions): Promise<SyncResult> {
    const { owner } = this.options;
    const lease = await this.archive.acquireLease({ owner, ttlMs: this.ttlMs, now: this.clock.now() });
    if (!lease.acquired) throw new SyncBusyError(lease.owner, lease.expiresAt);
    // Aborted by the caller, or by us when the lease is lost or a commit fails.
    const stop = new AbortController();
    const onAbort = (): void => stop.abort(opts.signal?.reason);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) stop.abort();
    let leaseLost: ArchiveError | undefined;
    const renew = setInterval(() => {
      this.archive.renewLease({ owner, ttlMs: this.ttlMs, now: this.clock.now() }).then(
        (ok) => {
          if (!ok) {
            leaseLost = new ArchiveError('LEASE_LOST', `the sync lease of ${owner} was taken over by another process`);
            stop.abort(leaseLost);
          }
        },
        () => undefined, // a failed renewal is retried at the next tick; the page commit checks too
      );
    }, Math.max(50, Math.floor(this.ttlMs / 3)));
    try {
      return await this.pages(stop.signal, opts, lease.state);
    } catch (error) {
      const cause = leaseLost ?? error;
      if (!(cause instanceof CancelledError) && !opts.signal?.aborted) {
        await this.archive
          .recordError({ message: recordableError(cause), at: this.clock.now() })
          .catch(() => undefined);
      }
      if (opts.signal?.aborted && !(cause instanceof ArchiveError)) throw new CancelledError();
      throw cause;
    } finally {
      stop.abort(); // a request still in flight (the page ahead) is no longer wanted
      clearInterval(renew);
      opts.signal?.removeEventListener('abort', onAbort);
      await this.archive.releaseLease({ owner }).catch(() => undefined);
    }
  }

  private fetch(cursor: string | undefined, limit: number, signal: AbortSignal): Promise<SyncPage> {
    const token = this.options.callbackToken?.();
    const request = { limit, ...(cursor ? { cursor } : {}), ...(token ? { token } : {}) };
    const page = this.client.syncMsg(request, signal, { cursorFromServer: true });
    // Marked handled now: it may fail while the previous page is still being committed.
    page.catch(() => undefined);
    return page;
  }

  private async pages(signal: AbortSignal, { onProgress, onFetched }: RunOptions, state: SyncState): Promise<SyncResult> {
    const started = performance.now();
    const lease = { owner: this.options.owner, ttlMs: this.ttlMs };
    // However old, the stored cursor is tried: only WeCom's answer (50100) says it is gone.
    let cursor = state.cursor;
    /** Every cursor sent in this run: a has_more page pointing back at one would loop. */
    const sent = new Set<string>(cursor ? [cursor] : []);
    let limit = this.limit;
    let inserted = 0;
    let pages = 0;
    /** The open group: pages applied but not committed yet. */
    let group: { startedAt: number; pages: number; inserted: number; changed: Set<ChatKey> } | undefined;
    /** Pages handed to the worker and not yet answered, oldest first. */
    const storing: Promise<void>[] = [];

    const committed = (change: { inserted: number; changed: Set<ChatKey> }): void => {
      this.changes.emit({ changedChats: [...change.changed], inserted: change.inserted, total: inserted });
    };
    // Pages are applied in order; a failed one rolls the group back, and every later page then
    // fails (BATCH_LOST, OUT_OF_ORDER), which is the first failure's echo, not news.
    type Group = NonNullable<typeof group>;
    const store = (page: PageBody, after: string, into: Group, commit: boolean, continues: boolean): Promise<void> => {
      const applied = this.archive.applyPage({
        after,
        messages: page.messages,
        ...(page.texts ? { texts: page.texts } : {}),
        nextCursor: page.nextCursor,
        hasMore: page.hasMore,
        now: this.clock.now(),
        lease,
        commit,
        continues,
      });
      const done = applied.then((result) => {
        pages++;
        inserted += result.inserted;
        into.inserted += result.inserted;
        for (const key of result.changedChats) into.changed.add(key);
        if (commit) committed(into);
        onProgress?.({ changedChats: result.changedChats, inserted: result.inserted, total: inserted, pages });
      });
      done.catch(() => undefined);
      return done;
    };
    /** Waits for the pages being stored, oldest first, so the first failure is the one thrown. */
    const settle = async (until = 0): Promise<void> => {
      while (storing.length > until) await storing.shift();
    };
    /** Ends the open group: waits for the page being stored, then commits what the group holds. */
    const flush = async (): Promise<void> => {
      await settle();
      if (!group) return;
      const closing = group;
      group = undefined;
      await this.archive.commit();
      committed(closing);
    };

    /** The next page; when it is late, the open group is committed first (no lock across waits). */
    const arrival = async (pending: Promise<SyncPage>): Promise<SyncPage> => {
      if (!group) return pending;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), this.idleCommitMs);
      });
      try {
        const page = await Promise.race([pending, late]);
        if (page) return page;
      } finally {
        clearTimeout(timer);
      }
      await flush();
      return pending;
    };

    let next: Promise<SyncPage> | undefined = this.fetch(cursor, limit, signal);
    try {
      while (next) {
        const page = await arrival(next);
        const broken = brokenRule(page, cursor, sent);
        if (broken) throw new ServerProtocolError(broken.rule, broken.detail);
        // After a 301058 the smaller limit sticks for this run: the next page would be as large.
        limit = page.limitUsed;
        if (page.hasMore) sent.add(page.nextCursor);
        next = page.hasMore ? this.fetch(page.nextCursor, limit, signal) : undefined;
        if (!next) onFetched?.();
        // In a task of its own: the next request (just sent) goes out before this page's messages
        // are read. A page whose messages cannot be read ends the run here, before it joins the
        // group: the pages before it are committed as they are (finally), and its cursor is not.
        await yieldToLoop();
        const body: PageBody = { messages: page.messages, texts: page.texts, nextCursor: page.nextCursor, hasMore: page.hasMore };
        const after = cursor ?? '';
        cursor = page.nextCursor || cursor;
        const continues = group !== undefined;
        group ??= { startedAt: performance.now(), pages: 0, inserted: 0, changed: new Set() };
        group.pages++;
        const commit = !page.hasMore || group.pages >= COMMIT_MAX_PAGES || performance.now() - group.startedAt >= this.commitEveryMs;
        // Handed over before the previous pages are answered, so the worker never waits for the host.
        storing.push(store(body, after, group, commit, continues));
        if (commit) group = undefined;
        await settle(STORE_AHEAD_PAGES - 1);
        if (signal.aborted) throw new CancelledError();
      }
      await settle();
    } finally {
      // Whatever ends the run, the pages already stored are kept (each left the group consistent).
      await flush().catch(() => undefined);
    }
    return { inserted, pages, durationMs: Math.round(performance.now() - started) };
  }
}
