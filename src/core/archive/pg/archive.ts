/**
 * The archive of one corp in PostgreSQL: the same `Archive` contract as the SQLite worker
 * (archive.ts), for the archive service, where many corps and several replicas share one database.
 *
 * Exactly-once, as in SQLite: a page's messages (insert-or-ignore by msgid, through `msgids`), its
 * next cursor and its last-success time are written in one transaction, under the lease row,
 * and only on top of the cursor it was fetched with (`after`). Group commit: with `commit: false`
 * the transaction stays open and the next pages join it; chat summaries are merged in memory from
 * the rows actually inserted and written once per changed chat at commit. A failure rolls the
 * whole group back, and a page that `continues` it is then refused (BATCH_LOST). Pages waiting in
 * line, each continuing the one before, are written together: one statement and one COPY.
 *
 * One connection per archive: the operations run one after another in the order called (the sync
 * engine hands pages ahead without waiting), as the SQLite worker runs them.
 */
import { hash } from 'node:crypto';
import { Client, type ClientConfig, type QueryResultRow } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Party } from '../../../shared/wire';
import type { Archive } from '../archive';
import { RESOLVE_MAX } from '../types';
import { type ChatIdentity, chatIdentity } from '../chatKey';
import { ArchiveError } from '../errors';
import { joinRaw, packPageInput, parseReceivers, unpackMessage } from '../packing';
import type { ListChatsQuery, PackedPage } from '../protocol';
import type {
  ApplyResult,
  ArchiveStats,
  ChatCursor,
  ChatFilter,
  ChatSummary,
  Gap,
  GapReason,
  LeaseResult,
  MessagePosition,
  PageInput,
  PageQuery,
  StoredMessage,
  SyncState,
} from '../types';
import { CopyRows } from './copyRows';
import { KeyCache } from './keyCache';
import { createPartitions, migratePg, monthOf, partitionName } from './schema';
import { KEY_BYTES, keyAt, keysParam, numbersParam } from './packedParams';
import { encodeNotice, STORED_CHANNEL } from './storedNotice';
import { fromPgText, toPgText } from './text';

const LEASE = 'sync';
const KIND_GROUP = 1;
const KIND_SINGLE = 2;
/** Sequence step (schema: message_seq INCREMENT BY 1024): one call numbers a whole page. */
const SEQ_STEP = 1024;
/**
 * A write's statement (one page, or several that follow each other: GROUP_MAX): $1 corp, $2
 * the msgid keys and $6 their chat keys (keysParam), $3 months, $4 send times, $5 sequence
 * numbers; $7 the lease's name, $8 its owner (null: no lease) and $9 new expiry; $10 the cursor
 * its first page must follow (null: any); $11 the next cursor, $12 the time.
 * Renews the lease (a replica that lost it can never commit), locks and checks the stored cursor,
 * takes the msgids (ON CONFLICT DO NOTHING: each once), and moves the cursor, the last success
 * and the newest message time (of the rows taken; only positive times count, NaN never): nothing
 * is taken or moved unless both checks pass. Answers the checks, how many rows it took and, only
 * when that is not all of them, their sequence numbers (a row's number names it: prepare numbers
 * each row of a page once). Matching the rows taken against the input in SQL cost a quarter of
 * the statement's time on every page, for the rare page that repeats stored messages.
 */
const PAGE_STATEMENT = `WITH lease AS (
     UPDATE leases SET expires_at = $9 WHERE $8::text IS NOT NULL AND corp_id = $1 AND name = $7 AND owner = $8 RETURNING 1),
   stored AS (SELECT cursor FROM sync_state WHERE corp_id = $1 FOR UPDATE),
   checks AS (
     SELECT ($8::text IS NULL OR EXISTS (SELECT 1 FROM lease)) AS leased,
            ($10::text IS NULL OR COALESCE((SELECT cursor FROM stored), '') = $10) AS ordered),
   fresh AS (
     INSERT INTO msgids(corp_id, mkey, month, send_time, seq, khash)
     SELECT $1, ${keyAt('$2::bytea', 't.o::int')}, t.month, t.send_time, t.seq, ${keyAt('$6::bytea', 't.o::int')}
     FROM unnest($3::int[], $4::float8[], $5::bigint[]) WITH ORDINALITY AS t(month, send_time, seq, o)
     WHERE (SELECT leased AND ordered FROM checks)
     ON CONFLICT DO NOTHING RETURNING seq, send_time),
   taken AS (SELECT count(*)::int AS n FROM fresh),
   moved AS (
     UPDATE sync_state SET cursor = COALESCE(NULLIF($11, ''), cursor), last_success = $12, last_error = NULL, last_error_at = NULL,
       last_message_time = GREATEST(COALESCE(last_message_time, 0),
         COALESCE((SELECT max(send_time) FROM fresh WHERE send_time > 0 AND send_time <> 'NaN'::float8), 0))
     WHERE corp_id = $1 AND (SELECT leased AND ordered FROM checks) RETURNING 1)
 SELECT c.leased, c.ordered, t.n AS taken,
   CASE WHEN t.n < cardinality($5::bigint[]) THEN ARRAY(SELECT seq FROM fresh) END AS taken_seqs
 FROM checks c, taken t`;
/**
 * Pages written by one statement and one COPY at most, when that many wait encoded (followers):
 * each write's fixed cost (two round trips, each statement's start) is shared. Half of what the
 * sync engine hands ahead (STORE_AHEAD_PAGES), so it can hand in the next write's pages while
 * this one is written.
 */
const GROUP_MAX = 4;
/** Sequence blocks reserved by one query: one round trip per 64 pages instead of one per page. */
const SEQ_RESERVE = 64;
/**
 * A page goes in in two statements. Its msgids first, as one byte string of keys and arrays of
 * numbers (nothing to quote), by PAGE_STATEMENT's INSERT … ON CONFLICT DO NOTHING into `msgids`,
 * which keeps each msgid once and says which rows it took; then exactly those rows, raw text and
 * all, by a binary COPY into `messages` (CopyRows), in the same transaction. COPY writes rows in
 * batches and needs no quoting or array parsing: the costliest parts of sending the raw texts as
 * array parameters.
 */
const MESSAGES_COPY = 'COPY messages (corp_id, month, mkey, khash, send_time, seq, msgtype, sender, rhash, msgid, raw) FROM STDIN WITH (FORMAT binary)';
const MESSAGES_FIELDS = 11;

/** 16 bytes of SHA-256 over the string's UTF-16 code units (lone surrogates included): row keys. */
export function idHash(s: string): Buffer {
  // One-shot hash: a third of createHash's time for short ids (one per message).
  return hash('sha256', Buffer.from(s, 'utf16le'), 'buffer').subarray(0, KEY_BYTES);
}

function typeBit(type: number): number {
  return type >= 0 && type < 31 ? 1 << type : 0;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

interface ChatDelta {
  identity: ChatIdentity;
  khash: Buffer;
  count: number;
  first: number;
  last: number;
  byType: Map<number, number>;
  keyVersions: Set<number>;
  /** pid → [type, messages sent]. */
  senders: Map<string, [number, number]>;
  /** Receiver-list texts (groups): every party in them is a member. */
  receiverLists: Set<string>;
  partyTypes: number;
}

/** A page's rows encoded for its statements (PgArchive.prepare), first occurrence of each msgid. */
interface PreparedPage {
  months: number[];
  mkeys: Buffer[];
  monthCol: number[];
  timeCol: number[];
  seqCol: number[];
  rows: CopyRows;
  khash: Buffer[];
  /** The page's message index of each row. */
  index: number[];
  identities: ChatIdentity[];
  /** Hash of each receiver list the rows cut out, by the list's index in the page. */
  lists: Map<number, Buffer>;
}

interface QueuedPage {
  page: PackedPage;
  prepared?: PreparedPage | undefined;
  /** Written by the write of a page before it (followers), which answers it too. */
  absorbed?: boolean;
  resolve: (result: ApplyResult) => void;
  reject: (error: unknown) => void;
}

interface Batch {
  deltas: Map<string, ChatDelta>;
  inserted: number;
  changed: Set<string>;
}

interface ChatRow {
  key: string;
  kind: number;
  chatid: string | null;
  a_type: number | null;
  a_pid: string | null;
  b_type: number | null;
  b_pid: string | null;
  first_time: number;
  last_time: number;
  count: string;
  member_count: string;
  counts_by_type: Record<string, number>;
  key_versions: number[];
}

const CHAT_COLUMNS = 'c.key, c.kind, c.chatid, c.a_type, c.a_pid, c.b_type, c.b_pid, c.first_time, c.last_time, c.count, c.member_count, c.counts_by_type, c.key_versions';

export interface PgArchiveOptions {
  /** Run the migrations on open (default true; the service migrates once at start). */
  migrate?: boolean;
  /** NOTIFY every listening replica of each commit that stored messages (storedNotice.ts); default false. */
  notify?: boolean;
}

export class PgArchive implements Archive {
  readonly file: string;
  /** Operations run in call order on the one connection. */
  private queue: Promise<unknown> = Promise.resolve();
  private batch: Batch | undefined;
  private batchLost = false;
  private closed = false;
  private broken: Error | undefined;
  /** Partitions known to exist (created once per database; never dropped by the service). */
  private readonly months = new Set<number>();
  /** Keys of the chats, senders, parties and receiver lists that recur from page to page. */
  private readonly keys = new KeyCache(idHash);
  /** Receiver lists known to be stored (committed). */
  private readonly lists = new Set<string>();
  private readonly pendingLists = new Set<string>();
  private readonly receiverParties = new Map<string, Party[]>();
  /** Sequence blocks reserved and not used yet, in order. */
  private readonly seqBases: number[] = [];
  /** Pages handed in and not written yet, in order; prepareAhead encodes them while PostgreSQL works. */
  private readonly waiting: QueuedPage[] = [];
  /** The page stored last, when its tally waits for the next page's statement (applyPacked). */
  private untallied: (() => void) | undefined;

  private constructor(
    private readonly client: Client,
    readonly corpId: string,
    private readonly notify: boolean,
  ) {
    this.file = `postgres:${corpId}`;
    // A connection lost in the middle (server restart, network) fails what is queued, not the process.
    client.on('error', (error) => {
      this.broken ??= error;
    });
  }

  /** Connects and (unless told not to) migrates. `config`: a connection string or pg's ClientConfig. */
  static async open(config: string | ClientConfig, corpId: string, opts: PgArchiveOptions = {}): Promise<PgArchive> {
    if (!corpId) throw new ArchiveError('BAD_REQUEST', 'a corp id is required');
    const client = new Client(typeof config === 'string' ? { connectionString: config } : config);
    client.on('error', () => undefined); // replaced below; an error before that must not crash
    try {
      await client.connect();
      if (opts.migrate !== false) await migratePg(client);
      await client.query('INSERT INTO sync_state(corp_id) VALUES ($1) ON CONFLICT DO NOTHING', [toPgText(corpId)]);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error instanceof ArchiveError ? error : pgError(error);
    }
    return new PgArchive(client, corpId, opts.notify === true);
  }

  // ---------------------------------------------------------------- plumbing

  private get corp(): string {
    return toPgText(this.corpId);
  }

  /**
   * Queues `fn` after every operation called before it. The page before it is tallied first
   * (tallyPrevious), unless `fn` is a page's, which tallies it while PostgreSQL runs its statement.
   */
  private serial<T>(fn: () => Promise<T>, tallyFirst = true): Promise<T> {
    const run = this.queue.then(() => {
      // A page refused here never reaches its statement: the page before is answered now.
      if (tallyFirst || this.closed || this.broken) this.tallyPrevious();
      if (this.closed) throw new ArchiveError('CLOSED', 'the archive is closed');
      if (this.broken) throw new ArchiveError('CLOSED', `the database connection was lost: ${this.broken.message}`);
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run.catch((error: unknown) => {
      throw error instanceof ArchiveError ? error : pgError(error);
    });
  }

  private async q<T extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.client.query<T>(sql, params)).rows;
  }

  /** Runs `COPY … FROM STDIN` with the given stream, in parts. */
  private copyIn(sql: string, parts: Buffer[]): Promise<void> {
    const copy = this.client.query(copyFrom(sql));
    return new Promise<void>((resolve, reject) => {
      copy.on('error', reject);
      copy.on('finish', resolve);
      for (const part of parts) copy.write(part);
      copy.end();
    });
  }

  /** Tallies the page stored last, if it is not yet (see applyPacked), and answers its caller. */
  private tallyPrevious(): void {
    const tally = this.untallied;
    this.untallied = undefined;
    tally?.();
  }

  private async rollback(): Promise<void> {
    this.tallyPrevious();
    if (this.batch) this.batchLost = true;
    this.batch = undefined;
    this.pendingLists.clear();
    await this.client.query('ROLLBACK').catch(() => undefined);
  }

  /** A write on its own, or inside the open batch (as part of its transaction). */
  private async write<T>(fn: () => Promise<T>): Promise<T> {
    if (this.batch) {
      try {
        return await fn();
      } catch (error) {
        await this.rollback();
        throw error;
      }
    }
    await this.client.query('BEGIN');
    try {
      const value = await fn();
      await this.client.query('COMMIT');
      return value;
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /**
   * Creates missing month partitions. DDL on `messages` waits for every transaction open on it,
   * this connection's too, so it runs outside the group: an open group is committed first (every
   * page boundary is consistent) and the next page continues in a new transaction.
   */
  private async ensureMonths(months: Iterable<number>): Promise<void> {
    const missing = [...new Set(months)].filter((m) => !this.months.has(m));
    if (missing.length === 0) return;
    const known = await this.q<{ name: string }>(
      "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'messages'::regclass",
    );
    const names = new Set(known.map((r) => r.name));
    const toCreate = missing.filter((m) => !names.has(partitionName(m)));
    if (toCreate.length > 0) {
      const reopen = this.batch !== undefined;
      if (reopen) await this.commitBatch(true);
      await createPartitions(this.client, toCreate);
      if (reopen) await this.client.query('BEGIN');
    }
    for (const m of missing) this.months.add(m);
  }

  // ---------------------------------------------------------------- writes

  applyPage(p: PageInput): Promise<ApplyResult> {
    return this.applyPacked(packPageInput(p));
  }

  /**
   * A page as it crosses from another thread (the service's writer thread, writerThread.ts).
   * Pages waiting behind it that continue its group, on the cursor it leaves, are written with it:
   * one statement and one COPY for up to GROUP_MAX pages (see `followers`). A page that does not
   * commit is answered once its chat summaries are tallied (a loop over its rows): while
   * PostgreSQL runs the next write's statement, or before whatever comes next, or at once when no
   * page is waiting; so the connection does not idle while this thread tallies.
   */
  applyPacked(p: PackedPage): Promise<ApplyResult> {
    return new Promise<ApplyResult>((resolve, reject) => {
      // Encoded while PostgreSQL runs the statement of the write before it (prepareAhead), or in turn.
      const queued: QueuedPage = { page: p, resolve, reject };
      this.waiting.push(queued);
      this.serial(async () => {
        if (queued.absorbed) return; // written, and answered, with the page before it
        this.waiting.splice(this.waiting.indexOf(queued), 1);
        const pages = [queued, ...this.followers(queued)];
        try {
          const tallies = await this.storePages(pages);
          const answer = (): void => {
            pages.forEach((q, i) => {
              try {
                q.resolve(tallies[i]!());
              } catch (error) {
                q.reject(error);
              }
            });
          };
          if (pages.at(-1)!.page.commit !== false) {
            const results = tallies.map((tally) => tally());
            await this.commitBatch(false);
            pages.forEach((q, i) => {
              q.resolve(results[i]!);
            });
          } else if (this.waiting.length === 0) {
            answer();
          } else {
            this.untallied = answer;
          }
        } catch (error) {
          this.tallyPrevious(); // the write before is answered first, if this one failed before its statement
          // Written together, failed together: every page of the write is refused with its cause.
          const refusal = error instanceof ArchiveError ? error : pgError(error);
          for (const q of pages) q.reject(refusal);
        }
      }, false).catch(reject);
    });
  }

  /**
   * The waiting pages that go into `first`'s write: those encoded already (prepareAhead), each
   * continuing the open group the page before it leaves open, on exactly the cursor that page
   * leaves, under the same lease. Taken off the queue; their own turn then finds them written.
   */
  private followers(first: QueuedPage): QueuedPage[] {
    const taken: QueuedPage[] = [];
    let before = first.page;
    for (const q of this.waiting) {
      const p = q.page;
      const leftAt = before.nextCursor || before.after;
      if (taken.length + 1 >= GROUP_MAX || !q.prepared || before.commit !== false || !p.continues) break;
      if (leftAt === undefined || p.after !== leftAt || p.lease?.owner !== first.page.lease?.owner) break;
      q.absorbed = true;
      taken.push(q);
      before = p;
    }
    this.waiting.splice(0, taken.length);
    return taken;
  }

  /** Writes pages into the open batch (opening one); their tallies, to run before anything that reads the batch. */
  private async storePages(pages: QueuedPage[]): Promise<(() => ApplyResult)[]> {
    const first = pages[0]!;
    const p = first.page;
    if (!first.prepared) {
      await this.reserveSeq(Math.ceil(p.msgid.length / SEQ_STEP));
      first.prepared = this.prepare(p)!;
    }
    if (p.continues && !this.batch && this.batchLost) {
      throw new ArchiveError('BATCH_LOST', 'the pages before this one were rolled back; nothing after the last commit was kept');
    }
    if (!p.continues && this.batch) throw new ArchiveError('BAD_REQUEST', 'a batch of pages is still open: commit it first');
    if (!p.continues) this.batchLost = false;
    await this.ensureMonths(pages.flatMap((q) => q.prepared!.months));
    if (!this.batch) {
      await this.client.query('BEGIN');
      this.batch = { deltas: new Map(), inserted: 0, changed: new Set() };
    }
    try {
      return await this.insertPages(pages, this.batch);
    } catch (error) {
      await this.rollback();
      throw error;
    }
  }

  commit(): Promise<ApplyResult> {
    return this.serial(() => this.commitBatch(false));
  }

  /** Merges the open batch's summaries and commits; `keepOpen`: the batch goes on in a new transaction. */
  private async commitBatch(keepOpen: boolean): Promise<ApplyResult> {
    this.tallyPrevious();
    const batch = this.batch;
    if (!batch) return { inserted: 0, changedChats: [] };
    try {
      await this.mergeChats(batch.deltas);
      if (this.notify && batch.deltas.size > 0) {
        // In the transaction: delivered when it commits, and only then.
        let inserted = 0;
        for (const d of batch.deltas.values()) inserted += d.count;
        await this.client.query('SELECT pg_notify($1, $2)', [STORED_CHANNEL, encodeNotice(this.corpId, inserted, batch.deltas.keys())]);
      }
      await this.client.query('COMMIT');
    } catch (error) {
      await this.rollback();
      throw error;
    }
    for (const l of this.pendingLists) this.lists.add(l);
    this.pendingLists.clear();
    if (keepOpen) {
      // The group goes on in a new transaction: its totals so far stay with it.
      this.batch = { deltas: new Map(), inserted: batch.inserted, changed: batch.changed };
      return { inserted: 0, changedChats: [] };
    }
    this.batch = undefined;
    return { inserted: batch.inserted, changedChats: [...batch.changed] };
  }

  /**
   * A page's rows, encoded: keys hashed, msgid columns, COPY lines. Touches no connection, so it
   * runs while earlier pages are being written; undefined when the sequence values it needs are
   * not reserved yet (reserveSeq).
   */
  private prepare(p: PackedPage): PreparedPage | undefined {
    const n = p.msgid.length;
    // Columns of the rows to offer, first occurrence of each msgid in the page.
    const seen = new Set<string>();
    // Arrival order within a send_time: one sequence value numbers up to SEQ_STEP rows.
    const needed = Math.ceil(n / SEQ_STEP);
    if (this.seqBases.length < needed) return undefined;
    const bases = this.seqBases.splice(0, needed);
    const months = Array.from(p.sendTime, monthOf);
    /** The page's msgid rows, by column; its `messages` rows go into `rows` (CopyRows). */
    const mkeys: Buffer[] = [];
    const monthCol: number[] = [];
    const timeCol: number[] = [];
    const seqCol: number[] = [];
    let estimate = 0;
    for (let i = 0; i < n; i++) estimate += p.raw[i]!.length + p.msgid[i]!.length + 200;
    const rows = new CopyRows(estimate);
    const corp = this.corp;
    const khash: Buffer[] = [];
    const index: number[] = [];
    const identities: ChatIdentity[] = [];
    const groups = new Map<string, ChatIdentity>();
    /** Each receiver list this page cut out, by its index in the page, with its hash. */
    const lists = new Map<number, Buffer>();
    for (let i = 0; i < n; i++) {
      const id = p.msgid[i]!;
      if (seen.has(id)) continue;
      seen.add(id);
      const chatid = p.chatid[i]!;
      const senderPid = p.sender[i]!;
      const senderType = p.senderType[i]!;
      let identity = chatid ? groups.get(chatid) : undefined;
      if (!identity) {
        const peer = p.peer[i]!;
        identity = chatIdentity(chatid || undefined, { type: senderType, id: senderPid }, peer ? [{ type: p.peerType[i]!, id: peer }] : []);
        if (chatid) groups.set(chatid, identity);
      }
      let rhash: Buffer | null = null;
      const li = p.receivers[i]!;
      if (p.cut[i] === 1 && li >= 0) {
        // Once per list and page: the key cache keeps no id past its length bound, and a group's list often is.
        rhash = lists.get(li) ?? null;
        if (!rhash) {
          rhash = this.keys.key(p.receiverLists[li]!);
          lists.set(li, rhash);
        }
      }
      const kh = this.keys.key(identity.key);
      const o = index.length;
      const mk = idHash(id);
      const seq = bases[Math.floor(o / SEQ_STEP)]! + (o % SEQ_STEP);
      mkeys.push(mk);
      monthCol.push(months[i]!);
      timeCol.push(p.sendTime[i]!);
      seqCol.push(seq);
      rows.row(MESSAGES_FIELDS);
      rows.text(corp);
      rows.int4(months[i]!);
      rows.bytes(mk);
      rows.bytes(kh);
      rows.float8(p.sendTime[i]!);
      rows.int8(seq);
      rows.float8(p.msgtype[i]!);
      rows.bytes(this.keys.key(senderPid));
      if (rhash) rows.bytes(rhash);
      else rows.nul();
      rows.text(toPgText(id));
      rows.text(toPgText(p.raw[i]!));
      rows.endRow();
      khash.push(kh);
      index.push(i);
      identities.push(identity);
    }
    return { months, mkeys, monthCol, timeCol, seqCol, rows, khash, index, identities, lists };
  }

  /**
   * Encodes the waiting pages (up to GROUP_MAX) whose sequence numbers are at hand: called while
   * this connection waits for PostgreSQL, so the encoding (hashing, COPY rows: most of the
   * thread's work) overlaps the database's, and the thread is free when PostgreSQL answers. Pages
   * are prepared in the order handed in, so rows are numbered in arrival order.
   */
  private prepareAhead(): void {
    for (const q of this.waiting.slice(0, GROUP_MAX)) {
      q.prepared ??= this.prepare(q.page);
      if (!q.prepared) return;
    }
  }

  /** Reserves sequence blocks (SEQ_STEP rows each) until `needed` are at hand, SEQ_RESERVE at a time. */
  private async reserveSeq(needed: number): Promise<void> {
    if (this.seqBases.length >= needed) return;
    const r = await this.q<{ seq: string }>("SELECT nextval('message_seq') AS seq FROM generate_series(1, $1)", [Math.max(needed, SEQ_RESERVE)]);
    for (const row of r) this.seqBases.push(Number(row.seq));
  }

  /** Writes the pages' rows, in one statement and one COPY; their tallies (the batch's chat summaries, and each page's answer), to run later. */
  private async insertPages(pages: QueuedPage[], batch: Batch): Promise<(() => ApplyResult)[]> {
    const newLists = new Map<string, Buffer>();
    for (const { page, prepared } of pages) {
      for (const [li, h] of prepared!.lists) {
        const list = page.receiverLists[li]!;
        if (!this.lists.has(list) && !this.pendingLists.has(list)) newLists.set(list, h);
      }
    }
    if (newLists.size > 0) {
      await this.client.query(
        'INSERT INTO recv_sets(corp_id, rhash, json) SELECT $1, h, j FROM unnest($2::bytea[], $3::text[]) AS t(h, j) ON CONFLICT DO NOTHING',
        [this.corp, [...newLists.values()], [...newLists.keys()].map(toPgText)],
      );
      for (const l of newLists.keys()) this.pendingLists.add(l);
    }
    const first = pages[0]!.page;
    const last = pages.at(-1)!.page;
    const rows = pages.map((q) => q.prepared!);
    const seqCol = rows.flatMap((r) => r.seqCol);
    // Each page moves the cursor on from where the one before left it (followers); a page with no next cursor leaves it.
    let nextCursor = '';
    for (const { page } of pages) nextCursor = page.nextCursor || nextCursor;
    // One statement per write: the lease renewed, the stored cursor checked, the msgids taken (the
    // dedup) and the cursor moved; each a round trip of its own before, which the writer and its
    // backend spent waiting for each other. Its answer says how many rows it took (usually all).
    // Named: parsed once per connection, and planned once its generic plan is found as good.
    const statement = this.client.query<{ leased: boolean; ordered: boolean; taken: number; taken_seqs: string[] | null }>({ name: 'wecom-archive-page', text: PAGE_STATEMENT, values: [
      this.corp,
      keysParam(rows.flatMap((r) => r.mkeys)),
      numbersParam(rows.flatMap((r) => r.monthCol)),
      numbersParam(rows.flatMap((r) => r.timeCol)),
      numbersParam(seqCol),
      keysParam(rows.flatMap((r) => r.khash)),
      LEASE,
      last.lease ? last.lease.owner : null,
      last.lease ? last.now + last.lease.ttlMs : null,
      first.after !== undefined ? toPgText(first.after) : null,
      toPgText(nextCursor),
      last.now,
    ] });
    // The statement is on its way (pg writes it at once): meanwhile the write before is tallied and the next pages encoded.
    this.tallyPrevious();
    this.prepareAhead();
    const [answer] = (await statement).rows;
    if (!answer!.leased) throw new ArchiveError('LEASE_LOST', `the sync lease of ${last.lease!.owner} was taken over by another process`);
    if (!answer!.ordered) {
      throw new ArchiveError('OUT_OF_ORDER', 'this page does not follow the stored cursor (an earlier page was not stored); nothing was stored');
    }
    const all = answer!.taken === seqCol.length;
    const takenSeqs = new Set((answer!.taken_seqs ?? []).map(Number));
    // Each page's rows it took; a row's sequence number names it across the pages too (each was numbered once).
    const fresh = rows.map((r) => (all ? () => true : (o: number): boolean => takenSeqs.has(r.seqCol[o]!)));
    // Then the partitioned rows of exactly the msgids it took.
    if (answer!.taken > 0) {
      const copied = this.copyIn(MESSAGES_COPY, CopyRows.stream(rows.map((r, i) => ({ rows: r.rows, keep: all ? undefined : fresh[i] }))));
      this.prepareAhead(); // pages handed in since the statement went out
      await copied;
    }
    return pages.map(({ page }, i) => () => this.tally(page, rows[i]!, fresh[i]!, batch));
  }

  /** Adds the page's rows taken (`fresh`) to the batch's chat summaries; the page's answer. */
  private tally(p: PackedPage, prepared: PreparedPage, fresh: (o: number) => boolean, batch: Batch): ApplyResult {
    const { khash, index, identities } = prepared;
    let inserted = 0;
    const changed = new Set<string>();
    for (let o = 0; o < index.length; o++) {
      if (!fresh(o)) continue;
      const i = index[o]!;
      const identity = identities[o]!;
      const key = identity.key;
      const t = p.sendTime[i]!;
      inserted++;
      let d = batch.deltas.get(key);
      if (!d) {
        d = {
          identity,
          khash: khash[o]!,
          count: 0,
          first: t,
          last: t,
          byType: new Map(),
          keyVersions: new Set(),
          senders: new Map(),
          receiverLists: new Set(),
          partyTypes: 0,
        };
        batch.deltas.set(key, d);
      }
      changed.add(key);
      d.count++;
      if (t < d.first) d.first = t;
      if (t > d.last) d.last = t;
      const type = p.msgtype[i]!;
      d.byType.set(type, (d.byType.get(type) ?? 0) + 1);
      const kv = p.keyVer[i]!;
      if (!Number.isNaN(kv)) d.keyVersions.add(kv);
      const pid = p.sender[i]!;
      const senderType = p.senderType[i]!;
      const s = d.senders.get(pid);
      if (s) s[1]++;
      else d.senders.set(pid, [senderType, 1]);
      d.partyTypes |= typeBit(senderType);
      const li = p.receivers[i]!;
      if (identity.kind === 'group' && li >= 0) d.receiverLists.add(p.receiverLists[li]!);
    }
    batch.inserted += inserted;
    for (const k of changed) batch.changed.add(k);
    return { inserted, changedChats: [...changed] };
  }

  private receiversOf(list: string): Party[] {
    let parties = this.receiverParties.get(list);
    if (!parties) {
      parties = parseReceivers(list);
      if (this.receiverParties.size > 10_000) this.receiverParties.clear();
      this.receiverParties.set(list, parties);
    }
    return parties;
  }

  /** Writes the batch's summary deltas: parties, members (sent counts), then each chat's row. */
  private async mergeChats(deltas: Map<string, ChatDelta>): Promise<void> {
    if (deltas.size === 0) return;
    const parties = new Map<string, number>();
    /** `khash:phash` → [khash, phash, sent]. */
    const members = new Map<string, [Buffer, Buffer, number]>();
    const addMember = (d: ChatDelta, pid: string, type: number, sent: number): void => {
      if (!parties.has(pid)) parties.set(pid, type);
      const ph = this.keys.key(pid);
      const k = `${d.khash.toString('hex')}:${ph.toString('hex')}`;
      const m = members.get(k);
      if (m) m[2] += sent;
      else members.set(k, [d.khash, ph, sent]);
    };
    for (const d of deltas.values()) {
      for (const [pid, [type, sent]] of d.senders) addMember(d, pid, type, sent);
      const others = d.identity.kind === 'single' ? d.identity.parties : [...d.receiverLists].flatMap((l) => this.receiversOf(l));
      for (const p of others) {
        addMember(d, p.id, p.type, 0);
        d.partyTypes |= typeBit(p.type);
      }
    }
    const pids = [...parties.keys()];
    await this.client.query(
      'INSERT INTO parties(corp_id, phash, pid, type) SELECT $1, h, p, t FROM unnest($2::bytea[], $3::text[], $4::float8[]) AS x(h, p, t) ON CONFLICT DO NOTHING',
      [this.corp, pids.map((p) => this.keys.key(p)), pids.map(toPgText), pids.map((p) => parties.get(p)!)],
    );
    const m = [...members.values()];
    await this.client.query(
      `INSERT INTO chat_members(corp_id, khash, phash, sent) SELECT $1, k, p, s FROM unnest($2::bytea[], $3::bytea[], $4::bigint[]) AS x(k, p, s)
       ON CONFLICT (corp_id, khash, phash) DO UPDATE SET sent = chat_members.sent + excluded.sent`,
      [this.corp, m.map((x) => x[0]), m.map((x) => x[1]), m.map((x) => x[2])],
    );
    const list = [...deltas.values()];
    const existing = await this.q<{ khash: Buffer; first_time: number; last_time: number; count: string; party_types: number; counts_by_type: Record<string, number>; key_versions: number[] }>(
      'SELECT khash, first_time, last_time, count, party_types, counts_by_type, key_versions FROM chats WHERE corp_id = $1 AND khash = ANY($2::bytea[])',
      [this.corp, list.map((d) => d.khash)],
    );
    const byHash = new Map(existing.map((r) => [r.khash.toString('hex'), r]));
    const cols = {
      khash: [] as Buffer[], key: [] as string[], kind: [] as number[], chatid: [] as (string | null)[],
      aType: [] as (number | null)[], aPid: [] as (string | null)[], bType: [] as (number | null)[], bPid: [] as (string | null)[],
      first: [] as number[], last: [] as number[], count: [] as number[], partyTypes: [] as number[], counts: [] as string[], versions: [] as string[],
    };
    for (const d of list) {
      const row = byHash.get(d.khash.toString('hex'));
      const counts: Record<string, number> = { ...(row?.counts_by_type ?? {}) };
      for (const [type, n] of d.byType) counts[type] = (counts[type] ?? 0) + n;
      const versions = new Set(row?.key_versions ?? []);
      for (const v of d.keyVersions) versions.add(v);
      const [a, b] = d.identity.parties;
      cols.khash.push(d.khash);
      cols.key.push(toPgText(d.identity.key));
      cols.kind.push(d.identity.kind === 'group' ? KIND_GROUP : KIND_SINGLE);
      cols.chatid.push(d.identity.chatid !== undefined ? toPgText(d.identity.chatid) : null);
      cols.aType.push(a ? a.type : null);
      cols.aPid.push(a ? toPgText(a.id) : null);
      cols.bType.push(b ? b.type : a ? a.type : null);
      cols.bPid.push(b ? toPgText(b.id) : a ? toPgText(a.id) : null);
      // A new chat's first page is its bound: times may be negative (hostile, stored as sent).
      cols.first.push(row ? Math.min(row.first_time, d.first) : d.first);
      cols.last.push(row ? Math.max(row.last_time, d.last) : d.last);
      cols.count.push((row ? Number(row.count) : 0) + d.count);
      cols.partyTypes.push((row?.party_types ?? 0) | d.partyTypes);
      cols.counts.push(JSON.stringify(counts));
      cols.versions.push(JSON.stringify([...versions].sort((x, y) => x - y)));
    }
    await this.client.query(
      `INSERT INTO chats(corp_id, khash, key, kind, chatid, a_type, a_pid, b_type, b_pid, first_time, last_time, count, member_count, party_types, counts_by_type, key_versions)
       SELECT $1, x.khash, x.key, x.kind, x.chatid, x.a_type, x.a_pid, x.b_type, x.b_pid, x.first_time, x.last_time, x.count,
         (SELECT count(*) FROM chat_members m WHERE m.corp_id = $1 AND m.khash = x.khash), x.party_types, x.counts::jsonb, x.versions::jsonb
       FROM unnest($2::bytea[], $3::text[], $4::smallint[], $5::text[], $6::float8[], $7::text[], $8::float8[], $9::text[], $10::float8[], $11::float8[],
         $12::bigint[], $13::int[], $14::text[], $15::text[])
         AS x(khash, key, kind, chatid, a_type, a_pid, b_type, b_pid, first_time, last_time, count, party_types, counts, versions)
       ON CONFLICT (corp_id, khash) DO UPDATE SET first_time = excluded.first_time, last_time = excluded.last_time, count = excluded.count,
         member_count = excluded.member_count, party_types = excluded.party_types, counts_by_type = excluded.counts_by_type, key_versions = excluded.key_versions`,
      [this.corp, cols.khash, cols.key, cols.kind, cols.chatid, cols.aType, cols.aPid, cols.bType, cols.bPid, cols.first, cols.last, cols.count, cols.partyTypes, cols.counts, cols.versions],
    );
  }

  recordGap(g: Gap): Promise<void> {
    return this.serial(() => this.write(() => this.insertGap(g)));
  }

  private async insertGap(g: Gap): Promise<void> {
    await this.client.query('INSERT INTO gaps(corp_id, from_time, to_time, reason, recorded_at) VALUES ($1, $2, $3, $4, $5)', [
      this.corp,
      g.from,
      g.to,
      g.reason,
      g.recordedAt,
    ]);
  }

  resetCursor(gap?: Gap): Promise<void> {
    return this.serial(() =>
      this.write(async () => {
        if (gap) await this.insertGap(gap);
        await this.client.query('UPDATE sync_state SET cursor = NULL WHERE corp_id = $1', [this.corp]);
      }),
    );
  }

  recordError(e: { message: string; at: number }): Promise<void> {
    return this.serial(() =>
      this.write(async () => {
        await this.client.query('UPDATE sync_state SET last_error = $2, last_error_at = $3 WHERE corp_id = $1', [this.corp, toPgText(e.message), e.at]);
      }),
    );
  }

  // ---------------------------------------------------------------- lease

  acquireLease(r: { owner: string; ttlMs: number; now: number }): Promise<LeaseResult> {
    return this.serial(async () => {
      // A live lease of another owner is answered from a plain read: its holder keeps the row
      // locked for seconds at a time (group commit), and the answer would be "busy" anyway.
      const [held] = await this.q<{ owner: string; expires_at: number }>('SELECT owner, expires_at FROM leases WHERE corp_id = $1 AND name = $2', [this.corp, LEASE]);
      if (held && held.owner !== r.owner && held.expires_at >= r.now) return { acquired: false, owner: held.owner, expiresAt: held.expires_at };
      return this.write(async () => {
        // Taken when free, expired, or already ours (a restarted process with the same owner id).
        await this.client.query(
          `INSERT INTO leases(corp_id, name, owner, expires_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (corp_id, name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
           WHERE leases.owner = excluded.owner OR leases.expires_at < $5`,
          [this.corp, LEASE, r.owner, r.now + r.ttlMs, r.now],
        );
        const [row] = await this.q<{ owner: string; expires_at: number }>('SELECT owner, expires_at FROM leases WHERE corp_id = $1 AND name = $2', [this.corp, LEASE]);
        return row!.owner === r.owner
          ? { acquired: true, expiresAt: row!.expires_at, state: await this.readSyncState() }
          : { acquired: false, owner: row!.owner, expiresAt: row!.expires_at };
      });
    });
  }

  /** Renews and commits now, with the open batch if there is one (see ArchiveStore.renewLease). */
  renewLease(r: { owner: string; ttlMs: number; now: number }): Promise<boolean> {
    return this.serial(async () => {
      const renew = async (): Promise<boolean> =>
        (await this.client.query('UPDATE leases SET expires_at = $3 WHERE corp_id = $1 AND name = $2 AND owner = $4', [this.corp, LEASE, r.now + r.ttlMs, r.owner]))
          .rowCount === 1;
      if (!this.batch) return this.write(renew);
      let ok: boolean;
      try {
        ok = await renew();
      } catch (error) {
        await this.rollback();
        throw error;
      }
      if (!ok) {
        await this.rollback();
        return false;
      }
      await this.commitBatch(false);
      return true;
    });
  }

  releaseLease(r: { owner: string }): Promise<void> {
    return this.serial(() =>
      this.write(async () => {
        await this.client.query('DELETE FROM leases WHERE corp_id = $1 AND name = $2 AND owner = $3', [this.corp, LEASE, r.owner]);
      }),
    );
  }

  // ---------------------------------------------------------------- reads

  private summary(row: ChatRow): ChatSummary {
    const parties: Party[] = [];
    if (row.kind === KIND_SINGLE) {
      const a = row.a_pid === null ? null : fromPgText(row.a_pid);
      const b = row.b_pid === null ? null : fromPgText(row.b_pid);
      if (a !== null) parties.push({ type: row.a_type ?? 0, id: a });
      if (b !== null && b !== a) parties.push({ type: row.b_type ?? 0, id: b });
    }
    const countsByType: Record<number, number> = {};
    for (const [type, n] of Object.entries(row.counts_by_type)) countsByType[Number(type)] = n;
    return {
      key: fromPgText(row.key),
      kind: row.kind === KIND_GROUP ? 'group' : 'single',
      ...(row.chatid !== null ? { chatid: fromPgText(row.chatid) } : {}),
      parties,
      memberCount: Number(row.member_count),
      firstTime: row.first_time,
      lastTime: row.last_time,
      count: Number(row.count),
      countsByType,
      keyVersions: row.key_versions,
    };
  }

  private chatWhere(kind: 'group' | 'single' | undefined, filter: ChatFilter | undefined, params: unknown[]): string[] {
    const sql = ['c.corp_id = $1', 'c.count > 0'];
    const p = (v: unknown): string => `$${params.push(v)}`;
    if (kind) sql.push(`c.kind = ${p(kind === 'group' ? KIND_GROUP : KIND_SINGLE)}`);
    if (filter?.idContains) {
      // Columns are COLLATE "C": ILIKE folds ASCII only, as SQLite's LIKE does.
      const like = p(`%${escapeLike(toPgText(filter.idContains))}%`);
      sql.push(`(c.chatid ILIKE ${like} OR EXISTS (SELECT 1 FROM chat_members m JOIN parties pa ON pa.corp_id = m.corp_id AND pa.phash = m.phash
        WHERE m.corp_id = c.corp_id AND m.khash = c.khash AND pa.pid ILIKE ${like}))`);
    }
    if (filter?.partyType !== undefined) sql.push(`(c.party_types & ${p(typeBit(filter.partyType))}::int) != 0`);
    if (filter?.activeSince !== undefined) sql.push(`c.last_time >= ${p(filter.activeSince)}`);
    if (filter?.activeUntil !== undefined) sql.push(`c.first_time <= ${p(filter.activeUntil)}`);
    return sql;
  }

  listChats(q: ListChatsQuery): Promise<{ chats: ChatSummary[]; next?: ChatCursor }> {
    return this.serial(async () => {
      const limit = Math.max(1, Math.min(1000, Math.floor(q.limit)));
      const params: unknown[] = [this.corp];
      const where = this.chatWhere(q.kind, q.filter, params);
      if (q.after) {
        params.push(q.after.lastTime, toPgText(q.after.key));
        where.push(`(c.last_time, c.key) < ($${params.length - 1}::float8, $${params.length}::text)`);
      }
      params.push(limit);
      const rows = await this.q<ChatRow>(
        `SELECT ${CHAT_COLUMNS} FROM chats c WHERE ${where.join(' AND ')} ORDER BY c.last_time DESC, c.key DESC LIMIT $${params.length}`,
        params,
      );
      const chats = rows.map((r) => this.summary(r));
      const last = rows[rows.length - 1];
      return rows.length === limit && last ? { chats, next: { lastTime: last.last_time, key: fromPgText(last.key) } } : { chats };
    });
  }

  countChats(q: { kind?: 'group' | 'single'; filter?: ChatFilter }): Promise<number> {
    return this.serial(async () => {
      const params: unknown[] = [this.corp];
      const where = this.chatWhere(q.kind, q.filter, params);
      const [row] = await this.q<{ n: string }>(`SELECT count(*) AS n FROM chats c WHERE ${where.join(' AND ')}`, params);
      return Number(row!.n);
    });
  }

  getChat(key: string): Promise<ChatSummary | undefined> {
    return this.serial(async () => {
      const [row] = await this.q<ChatRow>(`SELECT ${CHAT_COLUMNS} FROM chats c WHERE c.corp_id = $1 AND c.khash = $2 AND c.count > 0`, [this.corp, idHash(key)]);
      return row ? this.summary(row) : undefined;
    });
  }

  private toStored(chatKey: string, raw: string, json: string | null): StoredMessage | undefined {
    const message = unpackMessage(joinRaw(fromPgText(raw), json === null ? null : fromPgText(json)));
    return message ? { ...message, chatKey } : undefined;
  }

  pageMessages(q: PageQuery): Promise<StoredMessage[]> {
    return this.serial(async () => {
      const limit = Math.max(1, Math.min(1000, Math.floor(q.limit)));
      const older = q.direction === 'older';
      const khash = idHash(q.chatKey);
      const params: unknown[] = [this.corp, khash];
      const where = ['m.corp_id = $1', 'm.khash = $2'];
      if (q.from) {
        // The keyset is (send_time, seq). An unknown msgid pages from the second itself.
        const [at] = await this.q<{ seq: string; khash: Buffer }>('SELECT seq, khash FROM msgids WHERE corp_id = $1 AND mkey = $2', [this.corp, idHash(q.from.msgid)]);
        const seq = at?.khash.equals(khash) ? Number(at.seq) : older ? -1 : Number.MAX_SAFE_INTEGER;
        params.push(q.from.sendTime, seq);
        where.push(`(m.send_time, m.seq) ${older ? '<' : '>'} ($3::float8, $4::bigint)`);
      }
      if (q.msgtypes && q.msgtypes.length > 0) {
        params.push(q.msgtypes.filter((t) => Number.isFinite(t)));
        where.push(`m.msgtype = ANY($${params.length}::float8[])`);
      }
      if (q.sender !== undefined) {
        params.push(idHash(q.sender));
        where.push(`m.sender = $${params.length}`);
      }
      params.push(limit);
      const order = older ? 'm.send_time DESC, m.seq DESC' : 'm.send_time ASC, m.seq ASC';
      const rows = await this.q<{ raw: string; json: string | null }>(
        `SELECT m.raw, r.json FROM messages m LEFT JOIN recv_sets r ON r.corp_id = m.corp_id AND r.rhash = m.rhash
         WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT $${params.length}`,
        params,
      );
      if (older) rows.reverse();
      return rows.map((r) => this.toStored(q.chatKey, r.raw, r.json)).filter((m): m is StoredMessage => m !== undefined);
    });
  }

  locate(q: { chatKey: string; sendTime: number }): Promise<MessagePosition | undefined> {
    return this.serial(async () => {
      const khash = idHash(q.chatKey);
      // The first message at or after the time; past the end, the last one.
      let [row] = await this.q<{ send_time: number; msgid: string }>(
        'SELECT send_time, msgid FROM messages WHERE corp_id = $1 AND khash = $2 AND send_time >= $3 ORDER BY send_time, seq LIMIT 1',
        [this.corp, khash, q.sendTime],
      );
      row ??= (
        await this.q<{ send_time: number; msgid: string }>(
          'SELECT send_time, msgid FROM messages WHERE corp_id = $1 AND khash = $2 ORDER BY send_time DESC, seq DESC LIMIT 1',
          [this.corp, khash],
        )
      )[0];
      return row ? { sendTime: row.send_time, msgid: fromPgText(row.msgid) } : undefined;
    });
  }

  resolve(msgids: string[]): Promise<{ found: (StoredMessage | undefined)[]; missing: string[] }> {
    if (msgids.length > RESOLVE_MAX) {
      return Promise.reject(new ArchiveError('BAD_REQUEST', `resolve takes at most ${RESOLVE_MAX} msgids, got ${msgids.length}`));
    }
    return this.serial(async () => {
      const keys = msgids.map(idHash);
      const rows =
        keys.length === 0
          ? []
          : await this.q<{ mkey: Buffer; key: string; raw: string; json: string | null }>(
              `SELECT i.mkey, c.key, m.raw, r.json FROM msgids i
               JOIN messages m ON m.corp_id = i.corp_id AND m.khash = i.khash AND m.send_time = i.send_time AND m.seq = i.seq AND m.month = i.month
               JOIN chats c ON c.corp_id = i.corp_id AND c.khash = i.khash
               LEFT JOIN recv_sets r ON r.corp_id = m.corp_id AND r.rhash = m.rhash
               WHERE i.corp_id = $1 AND i.mkey = ANY($2::bytea[])`,
              [this.corp, keys],
            );
      const byKey = new Map(rows.map((r) => [r.mkey.toString('hex'), r]));
      const found = keys.map((k) => {
        const r = byKey.get(k.toString('hex'));
        return r ? this.toStored(fromPgText(r.key), r.raw, r.json) : undefined;
      });
      return { found, missing: msgids.filter((_, i) => found[i] === undefined) };
    });
  }

  senders(chatKey: string): Promise<{ type: number; id: string; count: number }[]> {
    return this.serial(async () => {
      const rows = await this.q<{ type: number; pid: string; sent: string }>(
        `SELECT p.type, p.pid, m.sent FROM chat_members m JOIN parties p ON p.corp_id = m.corp_id AND p.phash = m.phash
         WHERE m.corp_id = $1 AND m.khash = $2 AND m.sent > 0 ORDER BY m.sent DESC, p.pid`,
        [this.corp, idHash(chatKey)],
      );
      return rows.map((r) => ({ type: r.type, id: fromPgText(r.pid), count: Number(r.sent) }));
    });
  }

  syncState(): Promise<SyncState> {
    return this.serial(() => this.readSyncState());
  }

  /** The sync state, inside a serial step (syncState, acquireLease). */
  private async readSyncState(): Promise<SyncState> {
    const [row] = await this.q<{
      cursor: string | null;
      last_success: number | null;
      last_error: string | null;
      last_error_at: number | null;
      last_message_time: number | null;
    }>('SELECT cursor, last_success, last_error, last_error_at, last_message_time FROM sync_state WHERE corp_id = $1', [this.corp]);
    if (!row) return {};
    const cursor = row.cursor === null ? '' : fromPgText(row.cursor);
    return {
      ...(cursor ? { cursor } : {}),
      ...(row.last_success !== null ? { lastSuccessAt: row.last_success } : {}),
      ...(row.last_error !== null ? { lastError: { message: fromPgText(row.last_error), at: row.last_error_at ?? 0 } } : {}),
      ...(row.last_message_time ? { lastMessageTime: row.last_message_time } : {}),
    };
  }

  gaps(): Promise<Gap[]> {
    return this.serial(async () =>
      (
        await this.q<{ from_time: number; to_time: number; reason: string; recorded_at: number }>(
          'SELECT from_time, to_time, reason, recorded_at FROM gaps WHERE corp_id = $1 ORDER BY id',
          [this.corp],
        )
      ).map((r) => ({ from: r.from_time, to: r.to_time, reason: r.reason as GapReason, recordedAt: r.recorded_at })),
    );
  }

  stats(): Promise<ArchiveStats> {
    return this.serial(async () => {
      // Summaries are exact by construction (the contract suite recounts them).
      const [row] = await this.q<{ messages: string; chats: string }>(
        'SELECT COALESCE(SUM(count), 0) AS messages, count(*) AS chats FROM chats WHERE corp_id = $1 AND count > 0',
        [this.corp],
      );
      // The files hold every corp: this corp's share of them, by its share of the messages.
      const [all] = await this.q<{ messages: string | null; bytes: string | null }>(
        `SELECT (SELECT sum(count) FROM chats) AS messages,
           (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace) AS bytes`,
      );
      const messages = Number(row!.messages);
      const share = Number(all?.messages ?? 0) > 0 ? messages / Number(all!.messages) : 0;
      return { messages, chats: Number(row!.chats), fileBytes: Math.round(Number(all?.bytes ?? 0) * share) };
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    const done = this.serial(async () => {
      // An open batch is consistent at every page boundary: keep it.
      if (this.batch) await this.commitBatch(false).catch(() => undefined);
    })
      .catch(() => undefined)
      .then(async () => {
        this.closed = true;
        await this.client.end().catch(() => undefined);
      });
    return done;
  }
}

/** A driver or server error as an ArchiveError, with PostgreSQL's SQLSTATE in the message. */
function pgError(error: unknown): ArchiveError {
  const e = error as { message?: unknown; code?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const state = typeof e?.code === 'string' ? ` (SQLSTATE ${e.code})` : '';
  return new ArchiveError('POSTGRES', `PostgreSQL: ${message}${state}`, { cause: error });
}
