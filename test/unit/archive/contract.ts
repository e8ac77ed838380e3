/**
 * The archive contract: what every `Archive` backend promises the sync engine and the UI, as one
 * suite run on SQLite (tier 1, contract-sqlite.test.ts) and PostgreSQL (the service tier,
 * test/service/contract-pg.test.ts) with the same assertions. Only the `Archive` interface is used:
 * the recounts that look inside a backend's tables stay in that backend's own tests.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Archive } from '../../../src/core/archive/archive';
import { ArchiveError, SyncBusyError } from '../../../src/core/archive/errors';
import { SyncEngine } from '../../../src/core/archive/sync';
import type { ChatCursor, ChatSummary, StoredMessage } from '../../../src/core/archive/types';
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator/index';
import { type SyncPage, WeComClient } from '../../../src/core/wecom/client';
import { parseMessage } from '../../../src/core/wecom/wire';
import type { ArchiveMessage } from '../../../src/shared/wire';
import { type ExpectedChat, expectedChats, simTokenSource } from './helpers';

export interface ArchiveFactory {
  /** A new, empty archive; `name` is unique within the run. */
  open(name: string): Promise<Archive>;
  /** The same archive through a new connection (after `close`). */
  reopen(name: string): Promise<Archive>;
  /** Strings the backend cannot keep byte-exact (none, ideally); the property test says which. */
  hostileLimits?: { loneSurrogates?: boolean };
}

const isCode = (code: string) => (e: unknown) => e instanceof ArchiveError && e.code === code;

function message(i: number, over: Record<string, unknown> = {}): ArchiveMessage {
  const group = i % 3 === 0;
  const m = parseMessage({
    msgid: `ct-${i}`,
    sender: { type: 1, id: `wo${i % 4}` },
    receiver_list: group ? [{ type: 1, id: 'wo1' }, { type: 2, id: 'wm1' }] : [{ type: 2, id: `wm${i % 5}` }],
    ...(group ? { chatid: 'wr-group' } : {}),
    send_time: 1_700_000_000 + i,
    msgtype: 1 + (i % 3),
    service_encrypt_info: { encrypted_secret_key: 'K'.repeat(40), public_key_ver: 1 },
    ...over,
  });
  assert.ok(m);
  return m;
}

function range(from: number, count: number): ArchiveMessage[] {
  return Array.from({ length: count }, (_, k) => message(from + k));
}

function byId(m: { msgid: string }): string {
  return m.msgid;
}

export function archiveContract(backend: string, factory: ArchiveFactory): void {
  describe(`archive contract on ${backend}: a synced corp`, () => {
    let sim: RunningSimulator;
    let archive: Archive;
    const pages: SyncPage[] = [];
    let messages: ArchiveMessage[] = [];
    let expected: Map<string, ExpectedChat>;

    before(async () => {
      sim = await startSimulator({ seed: 21, messages: 6_000, days: 4, rateLimits: { noTokenPerMinute: 1_000_000 } });
      archive = await factory.open('synced');
      const client = new WeComClient({ tokenSource: simTokenSource(sim), baseUrl: sim.url });
      // The cursor chain by hand: the pages as sync_msg sends them, each applied on its own.
      let cursor: string | undefined;
      for (;;) {
        const page = await client.syncMsg({ limit: 500, ...(cursor ? { cursor } : {}) }, undefined, { cursorFromServer: true });
        pages.push(page);
        await archive.applyPage(page);
        if (!page.hasMore) break;
        cursor = page.nextCursor;
      }
      await client.close();
      messages = pages.flatMap((p) => p.messages);
      expected = expectedChats(messages);
    });

    after(async () => {
      await archive?.close();
      await sim?.close();
    });

    const keyOf = (m: ArchiveMessage): string => {
      if (m.chatid) return `g:${m.chatid}`;
      const other = m.receivers[0] ?? m.sender;
      return m.sender.id <= other.id ? `s:${m.sender.id}|${other.id}` : `s:${other.id}|${m.sender.id}`;
    };
    const chatMessages = (key: string): ArchiveMessage[] =>
      messages
        .filter((m) => keyOf(m) === key)
        .map((m, i) => ({ m, i }))
        .sort((a, b) => a.m.sendTime - b.m.sendTime || a.i - b.i)
        .map((x) => x.m);
    const biggest = (kind: 'g' | 's'): ExpectedChat => [...expected.values()].filter((c) => c.key.startsWith(kind)).sort((a, b) => b.count - a.count)[0]!;

    it('holds every synced message once; the same pages again insert nothing', async () => {
      assert.ok(messages.length > 2000, `enough messages (${messages.length})`);
      assert.deepEqual(await archive.applyPage(pages[0]!), { inserted: 0, changedChats: [] });
      assert.equal((await archive.applyPage(pages[Math.floor(pages.length / 2)]!)).inserted, 0);
      // The cursor follows the page applied last: put it back where the sync left it.
      assert.equal((await archive.applyPage(pages[pages.length - 1]!)).inserted, 0);
      const s = await archive.stats();
      assert.equal(s.messages, messages.length);
      assert.equal(s.chats, expected.size);
      assert.ok(s.fileBytes >= 0);
      for (let i = 0; i < messages.length; i += 100) {
        const ids = messages.slice(i, i + 100).map(byId);
        assert.deepEqual((await archive.resolve(ids)).missing, []);
      }
    });

    it('chat summaries equal an independent count; senders most first', async () => {
      for (const e of expected.values()) {
        const s = await archive.getChat(e.key);
        assert.ok(s, e.key);
        assert.equal(s.count, e.count, `${e.key} count`);
        assert.equal(s.firstTime, e.firstTime);
        assert.equal(s.lastTime, e.lastTime);
        assert.deepEqual(s.countsByType, e.countsByType);
        assert.deepEqual(s.keyVersions, e.keyVersions);
        assert.equal(s.memberCount, e.members.size, `${e.key} members`);
        assert.equal(s.kind, e.key.startsWith('g:') ? 'group' : 'single');
        if (s.kind === 'single') {
          assert.deepEqual(s.parties.map((p) => p.id), [...e.members].sort());
          assert.equal(s.key, `s:${s.parties.map((p) => p.id).join('|')}`);
        } else {
          assert.equal(s.key, `g:${s.chatid}`);
          assert.deepEqual(s.parties, []);
        }
      }
      assert.equal(await archive.getChat('g:nope'), undefined);
      const g = biggest('g');
      const got = await archive.senders(g.key);
      assert.deepEqual(new Map(got.map((s) => [s.id, s.count])), g.senders);
      for (let i = 1; i < got.length; i++) assert.ok(got[i - 1]!.count >= got[i]!.count);
      assert.deepEqual(await archive.senders('g:nope'), []);
    });

    it('messages come back exactly as parsed; resolve answers in order and lists the missing', async () => {
      const sample = messages.filter((_, i) => i % Math.floor(messages.length / 100) === 0).slice(0, 100);
      const { found, missing } = await archive.resolve(sample.map(byId));
      assert.deepEqual(missing, []);
      found.forEach((m, i) => {
        assert.deepEqual({ ...m, chatKey: undefined }, { ...sample[i]!, chatKey: undefined });
        assert.equal(m?.chatKey, keyOf(sample[i]!));
      });
      const ids = [messages[5]!.msgid, 'nope-1', messages[0]!.msgid, messages[5]!.msgid, 'nope-2'];
      const r = await archive.resolve(ids);
      assert.deepEqual(r.found.map((m) => m?.msgid), [ids[0], undefined, ids[2], ids[3], undefined]);
      assert.deepEqual(r.missing, ['nope-1', 'nope-2']);
      assert.deepEqual(await archive.resolve([]), { found: [], missing: [] });
      await assert.rejects(archive.resolve(Array.from({ length: 101 }, (_, i) => `x${i}`)), isCode('BAD_REQUEST'));
    });

    for (const kind of ['g', 's'] as const) {
      it(`keyset paging of a ${kind === 'g' ? 'group' : 'single'} chat, both directions: no gaps, no repeats`, async () => {
        const chat = biggest(kind);
        const want = chatMessages(chat.key).map(byId);
        assert.ok(want.length > 20, `chat big enough (${want.length})`);
        const older: StoredMessage[][] = [];
        let from: { sendTime: number; msgid: string } | undefined;
        for (;;) {
          const page = await archive.pageMessages({ chatKey: chat.key, direction: 'older', limit: 13, ...(from ? { from } : {}) });
          if (page.length === 0) break;
          assert.ok(page.length <= 13);
          for (let j = 1; j < page.length; j++) assert.ok(page[j - 1]!.sendTime <= page[j]!.sendTime, 'ascending in the result');
          older.unshift(page);
          from = { sendTime: page[0]!.sendTime, msgid: page[0]!.msgid };
        }
        assert.deepEqual(older.flat().map(byId), want);
        const newer: StoredMessage[] = [];
        from = undefined;
        for (;;) {
          const page = await archive.pageMessages({ chatKey: chat.key, direction: 'newer', limit: 17, ...(from ? { from } : {}) });
          if (page.length === 0) break;
          newer.push(...page);
          from = { sendTime: page[page.length - 1]!.sendTime, msgid: page[page.length - 1]!.msgid };
        }
        assert.deepEqual(newer.map(byId), want);
        const mid = chatMessages(chat.key)[Math.floor(want.length / 2)]!;
        const at = { sendTime: mid.sendTime, msgid: mid.msgid };
        const i = want.indexOf(mid.msgid);
        assert.deepEqual((await archive.pageMessages({ chatKey: chat.key, direction: 'older', from: at, limit: 10 })).map(byId), want.slice(Math.max(0, i - 10), i));
        assert.deepEqual((await archive.pageMessages({ chatKey: chat.key, direction: 'newer', from: at, limit: 10 })).map(byId), want.slice(i + 1, i + 11));
      });
    }

    it('pages filtered by msgtype and by sender; locate (jump to date)', async () => {
      const chat = biggest('g');
      const all = chatMessages(chat.key);
      const types = [...new Set(all.map((m) => m.msgtype))].slice(0, 2);
      const byType = await archive.pageMessages({ chatKey: chat.key, direction: 'newer', limit: 1000, msgtypes: types });
      assert.deepEqual(byType.map(byId), all.filter((m) => types.includes(m.msgtype)).map(byId));
      const sender = all[0]!.sender.id;
      const bySender = await archive.pageMessages({ chatKey: chat.key, direction: 'older', limit: 1000, sender });
      assert.deepEqual(bySender.map(byId), all.filter((m) => m.sender.id === sender).map(byId));
      assert.deepEqual(await archive.pageMessages({ chatKey: chat.key, direction: 'older', limit: 10, sender: 'nobody' }), []);
      assert.deepEqual(await archive.pageMessages({ chatKey: 'g:nope', direction: 'older', limit: 10 }), []);
      const target = all[Math.floor(all.length / 3)]!;
      const prev = all[all.indexOf(target) - 1]!;
      // Between two messages when they differ in time: the later one is found.
      const t = prev.sendTime < target.sendTime ? prev.sendTime + 1 : target.sendTime;
      const first = all.find((m) => m.sendTime >= t)!;
      assert.deepEqual(await archive.locate({ chatKey: chat.key, sendTime: t }), { sendTime: first.sendTime, msgid: first.msgid });
      assert.deepEqual(await archive.locate({ chatKey: chat.key, sendTime: 0 }), { sendTime: all[0]!.sendTime, msgid: all[0]!.msgid });
      const last = all[all.length - 1]!;
      assert.deepEqual(await archive.locate({ chatKey: chat.key, sendTime: last.sendTime + 10_000 }), { sendTime: last.sendTime, msgid: last.msgid });
      assert.equal(await archive.locate({ chatKey: 'g:nope', sendTime: 0 }), undefined);
    });

    async function listAll(kind: 'group' | 'single', filter?: Parameters<Archive['listChats']>[0]['filter']): Promise<ChatSummary[]> {
      const out: ChatSummary[] = [];
      let afterKey: ChatCursor | undefined;
      for (let guard = 0; guard < 1000; guard++) {
        const page = await archive.listChats({ kind, limit: 7, ...(afterKey ? { after: afterKey } : {}), ...(filter ? { filter } : {}) });
        out.push(...page.chats);
        if (!page.next) break;
        afterKey = page.next;
      }
      return out;
    }
    const wantOrder = (list: ExpectedChat[]): string[] => list.sort((a, b) => b.lastTime - a.lastTime || (a.key < b.key ? 1 : -1)).map((c) => c.key);

    it('listChats pages newest activity first and filters; countChats agrees', async () => {
      const g = biggest('g');
      const member = [...g.members][1]!;
      const part = g.chatid!.slice(3, 12);
      const times = [...expected.values()].map((c) => c.lastTime).sort((a, b) => a - b);
      const since = times[Math.floor(times.length / 2)]!;
      const cases: { filter?: Parameters<Archive['listChats']>[0]['filter']; test: (c: ExpectedChat) => boolean }[] = [
        { test: () => true },
        { filter: { idContains: part.toUpperCase() }, test: (c) => (c.chatid ?? '').toLowerCase().includes(part.toLowerCase()) || [...c.members].some((m) => m.toLowerCase().includes(part.toLowerCase())) },
        { filter: { idContains: member }, test: (c) => c.members.has(member) },
        { filter: { idContains: '%_' }, test: () => false },
        { filter: { partyType: 2 }, test: (c) => c.memberTypes.has(2) },
        { filter: { partyType: 3 }, test: (c) => c.memberTypes.has(3) },
        { filter: { activeSince: since }, test: (c) => c.lastTime >= since },
        { filter: { activeSince: since, activeUntil: since + 3600, partyType: 1 }, test: (c) => c.lastTime >= since && c.firstTime <= since + 3600 && c.memberTypes.has(1) },
      ];
      for (const { filter, test } of cases) {
        for (const kind of ['group', 'single'] as const) {
          const want = wantOrder([...expected.values()].filter((c) => c.key.startsWith(kind === 'group' ? 'g:' : 's:') && test(c)));
          assert.deepEqual((await listAll(kind, filter)).map((c) => c.key), want, JSON.stringify({ kind, filter }));
          assert.equal(await archive.countChats({ kind, ...(filter ? { filter } : {}) }), want.length);
        }
      }
      assert.equal(await archive.countChats({}), expected.size);
    });

    it('sync state holds the last cursor, success time and newest message; no gaps', async () => {
      const state = await archive.syncState();
      assert.equal(state.cursor, pages[pages.length - 1]!.nextCursor);
      assert.ok(state.lastSuccessAt && state.lastSuccessAt > 0);
      assert.equal(state.lastMessageTime, Math.max(...messages.map((m) => m.sendTime)));
      assert.deepEqual(await archive.gaps(), []);
    });
  });

  describe(`archive contract on ${backend}: transactions, leases, state`, () => {
    it('group commit: pages left open are seen by this archive; commit gives the group totals', async () => {
      const a = await factory.open('group');
      try {
        const first = await a.applyPage({ messages: range(0, 300), nextCursor: 'c1', hasMore: true, commit: false });
        assert.equal(first.inserted, 300);
        const second = await a.applyPage({ messages: range(250, 300), nextCursor: 'c2', hasMore: true, commit: false, continues: true });
        assert.equal(second.inserted, 250, 'the overlap was stored once');
        assert.equal((await a.syncState()).cursor, 'c2');
        const totals = await a.commit();
        assert.equal(totals.inserted, 550);
        assert.deepEqual([...totals.changedChats].sort(), [...new Set([...first.changedChats, ...second.changedChats])].sort());
        assert.equal((await a.stats()).messages, 550);
        assert.deepEqual(await a.commit(), { inserted: 0, changedChats: [] }, 'nothing open: a no-op');
      } finally {
        await a.close();
      }
    });

    it('the newest message time counts the messages taken, and only their positive times', async () => {
      const a = await factory.open('newest');
      const at = (i: number, sendTime: number): ArchiveMessage => ({ ...message(i), sendTime });
      try {
        await a.applyPage({ messages: [at(1, 100), at(2, Number.NaN), at(3, -5)], nextCursor: 'n1', hasMore: true });
        assert.equal((await a.syncState()).lastMessageTime, 100);
        // ct-1 again, later: not taken, so its time does not count either.
        await a.applyPage({ messages: [at(1, 500), at(4, 50), at(5, 0)], nextCursor: 'n2', hasMore: true, after: 'n1' });
        assert.equal((await a.syncState()).lastMessageTime, 100);
        await a.applyPage({ messages: [at(6, 100.5)], nextCursor: 'n3', hasMore: false, after: 'n2' });
        assert.equal((await a.syncState()).lastMessageTime, 100.5);
      } finally {
        await a.close();
      }
    });

    it('a failing page takes the whole group back; later pages are refused by group and by cursor', async () => {
      const a = await factory.open('fail');
      try {
        const lease = { owner: 'replica-A', ttlMs: 30_000 };
        await a.applyPage({ messages: range(0, 100), nextCursor: 'kept', hasMore: true });
        assert.equal((await a.acquireLease({ ...lease, now: Date.now() })).acquired, true);
        await a.applyPage({ messages: range(100, 100), nextCursor: 'c2', hasMore: true, lease, commit: false });
        await a.releaseLease({ owner: 'replica-A' });
        await assert.rejects(a.applyPage({ messages: range(200, 100), nextCursor: 'c3', hasMore: true, lease, commit: false, continues: true }), isCode('LEASE_LOST'));
        await assert.rejects(a.applyPage({ messages: range(300, 100), nextCursor: 'c4', hasMore: false, lease, continues: true }), isCode('BATCH_LOST'));
        await assert.rejects(a.applyPage({ messages: range(300, 100), nextCursor: 'c4', hasMore: false, after: 'c3' }), isCode('OUT_OF_ORDER'));
        assert.equal((await a.stats()).messages, 100, 'only the page committed before the group');
        assert.equal((await a.syncState()).cursor, 'kept');
        assert.equal((await a.resolve(['ct-150', 'ct-350'])).missing.length, 2);
        assert.equal((await a.applyPage({ messages: range(100, 100), nextCursor: 'c2', hasMore: true, after: 'kept' })).inserted, 100);
      } finally {
        await a.close();
      }
    });

    it('a msgid repeated within a page and across pages is stored once, and counted once', async () => {
      const a = await factory.open('repeats');
      try {
        const [m0, m1, m2, m3] = range(0, 4);
        const again = message(1, { msgtype: 9 }); // the same msgid with other content: the first one kept
        const first = await a.applyPage({ messages: [m0!, m1!, again, m0!, m2!], nextCursor: 'r1', hasMore: true });
        assert.equal(first.inserted, 3);
        // Across pages, also inside one open group.
        assert.equal((await a.applyPage({ messages: [m2!, m3!, m3!], nextCursor: 'r2', hasMore: true, commit: false })).inserted, 1);
        assert.equal((await a.applyPage({ messages: [m0!, m3!], nextCursor: 'r3', hasMore: false, continues: true })).inserted, 0);
        const s = await a.stats();
        assert.equal(s.messages, 4);
        const { found } = await a.resolve(['ct-1']);
        assert.equal(found[0]?.msgtype, m1!.msgtype, 'the first copy of a msgid is the one kept');
        const counted = (await Promise.all([m0!, m1!, m2!, m3!].map((m) => a.resolve([m.msgid])))).map((r) => r.found[0]!.chatKey);
        let total = 0;
        for (const key of new Set(counted)) total += (await a.getChat(key))!.count;
        assert.equal(total, 4, 'chat summaries count each message once');
        assert.equal((await a.syncState()).cursor, 'r3');
      } finally {
        await a.close();
      }
    });

    it('a page that does not say it continues an open group is refused; closing keeps the open group', async () => {
      const a = await factory.open('close');
      await a.applyPage({ messages: range(0, 200), nextCursor: 'c1', hasMore: true, commit: false });
      await assert.rejects(a.applyPage({ messages: range(200, 10), nextCursor: 'c2', hasMore: false }), isCode('BAD_REQUEST'));
      await a.close();
      await assert.rejects(a.stats(), isCode('CLOSED'));
      const b = await factory.reopen('close');
      try {
        assert.equal((await b.stats()).messages, 200, 'the open group was committed at close');
        assert.equal((await b.syncState()).cursor, 'c1');
      } finally {
        await b.close();
      }
    });

    it('the lease: one owner at a time, taken over once expired, renewal commits the open group', async () => {
      const a = await factory.open('lease');
      try {
        const now = 1_000_000;
        assert.deepEqual(await a.acquireLease({ owner: 'A', ttlMs: 1000, now }), { acquired: true, expiresAt: now + 1000, state: {} }, 'a new archive: no cursor');
        assert.deepEqual(await a.acquireLease({ owner: 'B', ttlMs: 1000, now: now + 500 }), { acquired: false, owner: 'A', expiresAt: now + 1000 });
        assert.equal((await a.acquireLease({ owner: 'A', ttlMs: 1000, now: now + 500 })).acquired, true, 'the holder again');
        await a.applyPage({ messages: range(0, 10), nextCursor: 'l1', hasMore: true, lease: { owner: 'A', ttlMs: 1000 }, now: now + 600, commit: false });
        assert.equal(await a.renewLease({ owner: 'A', ttlMs: 1000, now: now + 700 }), true);
        assert.equal((await a.applyPage({ messages: range(10, 10), nextCursor: 'l2', hasMore: false, lease: { owner: 'A', ttlMs: 1000 }, now: now + 800, continues: true })).inserted, 10, 'the group goes on after a renewal');
        const taken = await a.acquireLease({ owner: 'B', ttlMs: 1000, now: now + 5000 });
        assert.ok(taken.acquired, 'expired: taken over');
        // The state read under the lease: a run starts from the cursor the last holder committed.
        assert.equal(taken.state.cursor, 'l2');
        assert.deepEqual(taken.state, await a.syncState());
        assert.equal(await a.renewLease({ owner: 'A', ttlMs: 1000, now: now + 5001 }), false);
        await assert.rejects(a.applyPage({ messages: range(20, 5), nextCursor: 'l3', hasMore: false, lease: { owner: 'A', ttlMs: 1000 }, now: now + 5002 }), isCode('LEASE_LOST'));
        await a.releaseLease({ owner: 'B' });
        assert.equal((await a.acquireLease({ owner: 'C', ttlMs: 1000, now: now + 5003 })).acquired, true, 'released: free');
        assert.equal((await a.stats()).messages, 20);
        // The engine turns a held lease into SyncBusyError, naming the holder.
        const engine = new SyncEngine(a, { syncMsg: () => Promise.reject(new Error('not called')) }, { owner: 'D', clock: { now: () => now + 5004 } });
        await assert.rejects(engine.run(), (e: unknown) => e instanceof SyncBusyError && e.owner === 'C');
      } finally {
        await a.close();
      }
    });

    it('gaps, reset cursor and the last error', async () => {
      const a = await factory.open('state');
      try {
        assert.deepEqual(await a.syncState(), {});
        await a.applyPage({ messages: range(0, 5), nextCursor: 'cur', hasMore: false, now: 42 });
        await a.recordError({ message: 'boom ✗', at: 43 });
        assert.deepEqual((await a.syncState()).lastError, { message: 'boom ✗', at: 43 });
        await a.applyPage({ messages: [], nextCursor: '', hasMore: false, now: 44 });
        const state = await a.syncState();
        assert.equal(state.lastError, undefined, 'a stored page clears the last error');
        assert.equal(state.cursor, 'cur', 'an empty next_cursor keeps the stored one');
        assert.equal(state.lastSuccessAt, 44);
        const gap = { from: 1, to: 2, reason: 'stale' as const, recordedAt: 3 };
        await a.recordGap(gap);
        await a.resetCursor({ ...gap, reason: 'reset' });
        assert.equal((await a.syncState()).cursor, undefined);
        assert.deepEqual(await a.gaps(), [gap, { ...gap, reason: 'reset' }]);
      } finally {
        await a.close();
      }
    });

    it('hostile data round-trips byte-exact (ids with NUL, 2,000-character ids, lone surrogates, absurd numbers)', async () => {
      const a = await factory.open('hostile');
      const lone = !factory.hostileLimits?.loneSurrogates;
      const surrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
      const unit = lone ? fc.oneof({ weight: 9, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: surrogate }) : 'binary';
      const idChar = fc.oneof(
        { weight: 6, arbitrary: fc.string({ unit, minLength: 1, maxLength: 12 }) },
        { weight: 1, arbitrary: fc.constantFrom('\u0000', 'a\u0000b', '\uffff', '\uffff0', lone ? '\ud800' : 'x', lone ? 'z\udfff' : 'y', '%_\\', '\u202e') },
      );
      const id = fc.oneof({ weight: 8, arbitrary: idChar }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 2000, maxLength: 2000 }) });
      const time = fc.oneof(fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }), fc.constantFrom(-1, 0, 1.5, 1e20, -1e20, 2 ** 53 + 2));
      let n = 0;
      try {
        await fc.assert(
          fc.asyncProperty(fc.record({ msgid: id, chatid: fc.option(id, { nil: undefined }), sender: id, peer: id, time, msgtype: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(1e9)), cursor: id }), async (r) => {
            const msgid = `${n++}:${r.msgid}`;
            const m = parseMessage({
              msgid,
              sender: { type: 1, id: r.sender },
              receiver_list: [{ type: 2, id: r.peer }],
              ...(r.chatid !== undefined ? { chatid: r.chatid } : {}),
              send_time: r.time,
              msgtype: r.msgtype,
            });
            assert.ok(m);
            assert.equal((await a.applyPage({ messages: [m], nextCursor: r.cursor, hasMore: false })).inserted, 1);
            assert.equal((await a.applyPage({ messages: [m], nextCursor: r.cursor, hasMore: false })).inserted, 0, 'once');
            const { found } = await a.resolve([msgid]);
            assert.equal(found[0]?.msgid, msgid);
            assert.deepEqual(found[0]?.raw, m.raw);
            const key = found[0]!.chatKey;
            const chat = await a.getChat(key);
            assert.equal(chat?.key, key);
            if (r.chatid !== undefined) assert.equal(chat?.chatid, r.chatid);
            const page = await a.pageMessages({ chatKey: key, direction: 'older', limit: 1000 });
            assert.ok(page.some((p) => p.msgid === msgid));
            assert.ok((await a.senders(key)).some((s) => s.id === r.sender));
            assert.equal((await a.syncState()).cursor, r.cursor || undefined);
            // The msgid only: SQLite's index holds times beyond 2^53 at ±(2^53 − 1) (store.ts indexTime).
            assert.equal((await a.locate({ chatKey: key, sendTime: -1e300 }))?.msgid, page[0]!.msgid);
          }),
          { numRuns: 150, seed: 15 },
        );
      } finally {
        await a.close();
      }
    });
  });
}
