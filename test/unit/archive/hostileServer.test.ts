/**
 * The engine against generated hostile servers (fast-check), over real HTTP on 127.0.0.1, the real
 * client, worker and SQLite file. A server is a map from the cursor asked to a reply, so chains of
 * replies form every bad shape WeCom's documents do not rule out: stuck, missing, cycling and
 * over-long cursors, more entries than the limit, pages that rewind or overlap, one msgid with
 * different contents, absurd send_time values, replies without errcode.
 *
 * Whatever the server does, every run ends within one request per distinct cursor, never asks for
 * a cursor twice, and leaves the archive consistent: exactly the msgids of the pages it accepted,
 * each stored byte for byte as first received, summaries equal to a recount, and the cursor of
 * the last accepted page.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { openArchive } from '../../../src/core/archive/archive';
import { recordedError, ServerProtocolError } from '../../../src/core/archive/errors';
import { joinRaw } from '../../../src/core/archive/packing';
import { bytesOf, textOf } from '../../../src/core/archive/sqlText';
import { SyncEngine } from '../../../src/core/archive/sync';
import { WeComClient } from '../../../src/core/wecom/client';
import { BadResponseError } from '../../../src/core/wecom/errors';
import { demoTokenSource } from '../../../src/core/wecom/tokens';
import { english, word } from '../../../src/shared/text';
import { buildBundles, recount, tempDir } from './helpers';

const LIMIT = 4;
/** Longer than the 128 bytes a typed cursor may have: a server may still send one. */
const LONG_CURSOR = `长${'c'.repeat(300)}`;
const CURSORS = ['', 'A', 'B', 'C', LONG_CURSOR] as const;
const LONG_ID = `wo${'x'.repeat(1998)}`;
const MSGIDS = ['m1', 'm1\u0000', 'm2', 'm3', 'm4', LONG_ID, 'wo\u202egpj.exe', '<b>m</b>\u0007'];
const SEND_TIMES = [1_733_000_000, 1_733_000_001, 1e300, -1, 0.5, 2 ** 53, 0];

interface Entry {
  msgid?: string;
  variant: number;
  sendTime: number;
  group: boolean;
}

interface Reply {
  errcode: boolean;
  hasMore: boolean | 0 | 1;
  /** undefined: the field is left out. */
  nextCursor: string | undefined;
  entries: Entry[];
}

type Model = Map<string, Reply>;

const entry: fc.Arbitrary<Entry> = fc.record({
  msgid: fc.option(fc.constantFrom(...MSGIDS), { nil: undefined, freq: 8 }),
  variant: fc.integer({ min: 0, max: 1 }),
  sendTime: fc.constantFrom(...SEND_TIMES),
  group: fc.boolean(),
});

const reply: fc.Arbitrary<Reply> = fc.record({
  errcode: fc.oneof({ weight: 12, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  hasMore: fc.constantFrom<boolean | 0 | 1>(true, false, 1, 0),
  nextCursor: fc.option(fc.constantFrom(...CURSORS), { nil: undefined, freq: 6 }),
  entries: fc.array(entry, { maxLength: LIMIT + 2 }),
});

const model: fc.Arbitrary<Model> = fc.tuple(...CURSORS.map(() => reply)).map((replies) => new Map(CURSORS.map((c, i) => [c, replies[i]!])));

function entryJson(e: Entry): Record<string, unknown> {
  // The same msgid in two variants: different content, only the first one received is kept.
  return {
    ...(e.msgid !== undefined ? { msgid: e.msgid } : {}),
    sender: { type: 1, id: e.variant ? 'wo\u202eB' : 'woA' },
    receiver_list: e.group ? [{ type: 1, id: 'woC' }, { type: 2, id: LONG_ID }] : [{ type: 2, id: 'wmPeer\u0000' }],
    ...(e.group ? { chatid: 'wr<script>' } : {}),
    send_time: e.sendTime,
    msgtype: e.variant ? 999 : 1,
  };
}

function replyText(r: Reply): string {
  const list = r.entries.map(entryJson);
  return JSON.stringify({
    ...(r.errcode ? { errcode: 0, errmsg: 'ok' } : {}),
    has_more: r.hasMore,
    ...(r.nextCursor !== undefined ? { next_cursor: r.nextCursor } : {}),
    msg_list: list,
  });
}

/** The texts of each msg_list entry as the server wrote them (JSON.stringify of each entry). */
function entryTexts(r: Reply): { msgid: string | undefined; text: string }[] {
  return r.entries.map((e) => ({ msgid: e.msgid, text: JSON.stringify(entryJson(e)) }));
}

let server: Server;
let url: string;
let current: Model = new Map();
/** Rewrites the reply to one cursor, as sent (a test's own fault). */
let mangle: ((cursor: string, text: string) => string) | undefined;
let asked: string[] = [];
let workerPath: string;
const dir = tempDir('hostile-');

before(async () => {
  workerPath = (await buildBundles()).worker;
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      const cursor = (JSON.parse(body) as { cursor?: string }).cursor ?? '';
      asked.push(cursor);
      const r = current.get(cursor);
      res.setHeader('content-type', 'application/json');
      res.end(r ? (mangle?.(cursor, replyText(r)) ?? replyText(r)) : JSON.stringify({ errcode: 0, errmsg: 'ok', has_more: false, next_cursor: cursor, msg_list: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server?.close();
});

/** msgid → the stored text, rebuilt as received (receiver list joined back). */
function storedTexts(file: string): Map<string, string> {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const rows = db.prepare(`SELECT ${bytesOf('m.msgid')}, m.raw, r.json FROM messages m LEFT JOIN recv_sets r ON r.id = m.recv`).all() as {
      msgid: Uint8Array;
      raw: string;
      json: string | null;
    }[];
    return new Map(rows.map((r) => [textOf(r.msgid), joinRaw(r.raw, r.json)]));
  } finally {
    db.close();
  }
}

let runNo = 0;

describe('sync against generated hostile servers', () => {
  it('every run ends within one request per cursor, and the archive holds exactly the accepted pages', async () => {
    await fc.assert(
      fc.asyncProperty(model, async (m) => {
        current = m;
        asked = [];
        const file = join(dir, `h${runNo++}.sqlite`);
        const archive = await openArchive(file, { workerPath });
        const client = new WeComClient({ tokenSource: demoTokenSource('t'), baseUrl: url, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
        const engine = new SyncEngine(archive, client, { owner: 'hostile', limit: LIMIT });
        let failure: unknown;
        try {
          await engine.run();
        } catch (error) {
          failure = error;
        }
        const state = await archive.syncState();
        await client.close();
        await archive.close();

        // Ends, and never asks for the same position twice (each cursor has one reply here).
        assert.ok(asked.length <= CURSORS.length, `asked ${asked.length} times: ${JSON.stringify(asked.map((c) => c.slice(0, 8)))}`);
        assert.equal(new Set(asked).size, asked.length, 'no cursor asked twice');
        if (failure !== undefined) {
          assert.ok(failure instanceof ServerProtocolError || failure instanceof BadResponseError, `typed error, got ${String(failure)}`);
          assert.ok(state.lastError?.message, 'the failure is recorded as the last error');
        }
        // Accepted: every reply that was followed by another request, and the last one if the run succeeded.
        const replies = asked.map((c) => current.get(c)!);
        const accepted = failure === undefined ? replies : replies.slice(0, -1);
        const firstText = new Map<string, string>();
        for (const r of accepted) for (const e of entryTexts(r)) if (e.msgid && !firstText.has(e.msgid)) firstText.set(e.msgid, e.text);
        const stored = storedTexts(file);
        assert.deepEqual([...stored.keys()].sort(), [...firstText.keys()].sort(), 'exactly the msgids of the accepted pages');
        for (const [msgid, text] of firstText) assert.equal(stored.get(msgid), text, 'byte for byte as first received');
        const c = recount(file);
        assert.equal(c.messages, c.distinctMsgids, 'no msgid twice');
        assert.deepEqual(c.summaries, c.byChat, 'summaries = recount');
        const lastCursor = accepted.map((r) => r.nextCursor ?? '').filter((x) => x !== '').pop();
        assert.equal(state.cursor, lastCursor, 'the cursor of the last accepted page');
      }),
      { numRuns: 60 },
    );
  });

  it('a server-given cursor over 128 bytes is stored and sent back as given', async () => {
    current = new Map<string, Reply>([
      ['', { errcode: true, hasMore: true, nextCursor: LONG_CURSOR, entries: [{ msgid: 'm1', variant: 0, sendTime: 1_733_000_000, group: false }] }],
      [LONG_CURSOR, { errcode: true, hasMore: false, nextCursor: 'A', entries: [{ msgid: 'm2', variant: 0, sendTime: 1_733_000_001, group: true }] }],
    ]);
    asked = [];
    const file = join(dir, 'long-cursor.sqlite');
    const archive = await openArchive(file, { workerPath });
    const client = new WeComClient({ tokenSource: demoTokenSource('t'), baseUrl: url });
    try {
      const result = await new SyncEngine(archive, client, { owner: 'long', limit: LIMIT }).run();
      assert.equal(result.inserted, 2);
      assert.deepEqual(asked, ['', LONG_CURSOR]);
      assert.equal((await archive.syncState()).cursor, 'A');
    } finally {
      await client.close();
      await archive.close();
    }
  });

  it('a reply with an entry that is not JSON ends the run at that page: the pages before it kept, it and its cursor not, until a later run', async () => {
    const entries = (msgid: string): Entry[] => [{ msgid, variant: 0, sendTime: 1_733_000_000, group: false }];
    current = new Map<string, Reply>([
      ['', { errcode: true, hasMore: true, nextCursor: 'A', entries: entries('g1') }],
      ['A', { errcode: true, hasMore: true, nextCursor: 'B', entries: entries('g2') }],
      ['B', { errcode: true, hasMore: false, nextCursor: 'C', entries: entries('g3') }],
    ]);
    // A's last entry gets a trailing comma: the reply's structure stays sound, the entry is no JSON.
    mangle = (cursor, text) => (cursor === 'A' ? `${text.slice(0, -3)},}]}` : text);
    asked = [];
    const file = join(dir, 'bad-entry.sqlite');
    const archive = await openArchive(file, { workerPath });
    const client = new WeComClient({ tokenSource: demoTokenSource('t'), baseUrl: url, retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    try {
      const engine = new SyncEngine(archive, client, { owner: 'bad-entry', limit: LIMIT });
      await assert.rejects(engine.run(), (e: unknown) => e instanceof BadResponseError && e.reason === 'json');
      // A was not asked again; B (asked before A's messages were read) at most once.
      assert.deepEqual(asked.slice(0, 2), ['', 'A']);
      assert.ok(asked.length <= 3 && !asked.slice(2).some((c) => c !== 'B'), JSON.stringify(asked));
      assert.equal(recount(file).messages, 1, 'the page before it is committed: another connection sees it');
      const state = await archive.syncState();
      assert.equal(state.cursor, 'A', "its cursor is not stored: the next run asks for it again");
      assert.ok(state.lastError?.message, 'the failure is recorded');

      mangle = undefined;
      assert.equal((await engine.run()).inserted, 2);
      const c = recount(file);
      assert.deepEqual([...c.msgids].sort(), ['g1', 'g2', 'g3']);
      assert.equal(c.messages, 3, 'each once');
      assert.equal((await archive.syncState()).cursor, 'C');
    } finally {
      mangle = undefined;
      await client.close();
      await archive.close();
    }
  });

  for (const [name, bad, rule] of [
    ['stuck', { hasMore: true, nextCursor: 'A' }, 'cursorStuck'],
    ['missing', { hasMore: 1, nextCursor: undefined }, 'cursorMissing'],
    ['cycling', { hasMore: true, nextCursor: 'A' }, 'cursorCycle'],
  ] as const) {
    it(`a ${name} cursor stops the run with ${rule}, keeps the last good cursor, and asks no more`, async () => {
      const good: Entry = { msgid: 'g1', variant: 0, sendTime: 1_733_000_000, group: false };
      const lost: Entry = { msgid: 'bad', variant: 0, sendTime: 1_733_000_001, group: false };
      // '' → A → B, then B's reply is the bad one (the cycle points back at A).
      const cycle = rule === 'cursorCycle';
      current = new Map<string, Reply>([
        ['', { errcode: true, hasMore: true, nextCursor: 'A', entries: [good] }],
        ['A', cycle ? { errcode: true, hasMore: true, nextCursor: 'B', entries: [good] } : { errcode: true, ...bad, entries: [lost] }],
        ['B', { errcode: true, hasMore: true, nextCursor: 'A', entries: [lost] }],
      ]);
      asked = [];
      const file = join(dir, `${name}.sqlite`);
      const archive = await openArchive(file, { workerPath });
      const client = new WeComClient({ tokenSource: demoTokenSource('t'), baseUrl: url });
      try {
        await assert.rejects(new SyncEngine(archive, client, { owner: name, limit: LIMIT }).run(), (e: unknown) => e instanceof ServerProtocolError && e.rule === rule);
        assert.deepEqual(asked, cycle ? ['', 'A', 'B'] : ['', 'A']);
        const state = await archive.syncState();
        assert.equal(state.cursor, cycle ? 'B' : 'A');
        assert.match(word(recordedError(state.lastError?.message ?? ''), english), /has_more/);
        assert.deepEqual([...storedTexts(file).keys()], ['g1']);
      } finally {
        await client.close();
        await archive.close();
      }
    });
  }
});
