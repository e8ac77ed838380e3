/**
 * PostgreSQL ingest past what the shared contract can reach: a page that fails half-way, after its
 * msgids are in and while its messages are being COPYed (a trigger refuses one row), leaves
 * neither rows nor cursor, and the same page stored again afterwards is complete, each msgid once.
 * Pages handed in together (as the writer thread receives them) are written a few at a time, in one
 * statement and one COPY, and each is answered with its own counts (a msgid repeated across pages
 * of one write is the first page's); a page written before a failure keeps its answer, the pages
 * written with the failing one share its refusal, and the pages after it are refused. A property:
 * whatever msgids pages handed in together repeat, each is kept once, from its first page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ArchiveError } from '../../src/core/archive/errors';
import { PgArchive } from '../../src/core/archive/pg/archive';
import { toPgText } from '../../src/core/archive/pg/text';
import { parseMessage } from '../../src/core/wecom/wire';
import type { ArchiveMessage } from '../../src/shared/wire';
import { freshDatabase } from '../harness/postgres';
import { connect } from './helpers';

function message(i: number, msgid = `half-${i}`, sendTime = 1_765_000_000 + i): ArchiveMessage {
  const m = parseMessage({
    msgid,
    sender: { type: 1, id: `wo${i % 3}` },
    receiver_list: [{ type: 2, id: 'wm1' }],
    send_time: sendTime,
    msgtype: 1,
  });
  assert.ok(m);
  return m;
}

describe('PostgreSQL ingest: a page that fails half-way', () => {
  let url: string;
  let db: Awaited<ReturnType<typeof connect>>;

  before(async () => {
    url = await freshDatabase('ingest');
    await (await PgArchive.open(url, 'setup')).close(); // migrated
    db = await connect(url);
    // Refuses one message row: the failure comes after the page's msgids were inserted.
    await db.query(`CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.msgid LIKE '%poison%' THEN RAISE EXCEPTION 'poisoned row'; END IF; RETURN NEW; END $$`);
  });

  after(async () => {
    await db?.end();
  });

  it('leaves neither rows nor cursor; the page stored again is complete, each msgid once', async () => {
    const corp = 'corp-half';
    const a = await PgArchive.open(url, corp);
    try {
      await a.applyPage({ messages: [message(0), message(1)], nextCursor: 'before', hasMore: true });
      const partition = await db.query<{ name: string }>(
        "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'messages'::regclass AND c.relname <> 'messages_m0'",
      );
      for (const { name } of partition.rows) await db.query(`CREATE TRIGGER poison BEFORE INSERT ON ${name} FOR EACH ROW EXECUTE FUNCTION refuse_poison()`);
      const page = [message(1), message(2), message(3, 'half-poison-3'), message(4)];
      await assert.rejects(a.applyPage({ messages: page, nextCursor: 'after', hasMore: false, after: 'before' }), (e: unknown) => e instanceof ArchiveError);
      const ids = await db.query<{ n: string }>('SELECT count(*) AS n FROM msgids WHERE corp_id = $1', [toPgText(corp)]);
      const rows = await db.query<{ n: string }>('SELECT count(*) AS n FROM messages WHERE corp_id = $1', [toPgText(corp)]);
      assert.equal(Number(ids.rows[0]!.n), 2, 'no msgid of the failed page');
      assert.equal(Number(rows.rows[0]!.n), 2, 'no message of the failed page');
      assert.equal((await a.syncState()).cursor, 'before', 'the cursor did not move');
      assert.equal((await a.stats()).messages, 2, 'summaries untouched');

      for (const { name } of partition.rows) await db.query(`DROP TRIGGER poison ON ${name}`);
      assert.equal((await a.applyPage({ messages: page, nextCursor: 'after', hasMore: false, after: 'before' })).inserted, 3);
      const again = await db.query<{ n: string; d: string }>('SELECT count(*) AS n, count(DISTINCT mkey) AS d FROM messages WHERE corp_id = $1', [toPgText(corp)]);
      assert.equal(Number(again.rows[0]!.n), 5);
      assert.equal(again.rows[0]!.d, again.rows[0]!.n, 'each msgid once');
      assert.equal((await a.stats()).messages, 5);
      assert.equal((await a.syncState()).cursor, 'after');
    } finally {
      await a.close();
    }
  });

  it('pages handed in together are written together and each answered with its own counts; a failure refuses its write and what follows', async () => {
    const corp = 'corp-pipelined';
    const a = await PgArchive.open(url, corp);
    try {
      const m = (i: number, id?: string): ArchiveMessage => message(100 + i, id ?? `pipe-${i}`);
      // A group of five pages, none awaited before the next is handed in; page 2 repeats a msgid of page 1.
      const pages = [
        a.applyPage({ messages: [m(0), m(1)], nextCursor: 'p0', hasMore: true, commit: false }),
        a.applyPage({ messages: [m(2), m(3), m(4)], nextCursor: 'p1', hasMore: true, commit: false, continues: true, after: 'p0' }),
        a.applyPage({ messages: [m(4), m(5)], nextCursor: 'p2', hasMore: true, commit: false, continues: true, after: 'p1' }),
        a.applyPage({ messages: [m(6)], nextCursor: 'p3', hasMore: true, commit: false, continues: true, after: 'p2' }),
        a.applyPage({ messages: [m(7), m(8)], nextCursor: 'p4', hasMore: false, continues: true, after: 'p3' }),
      ];
      const results = await Promise.all(pages);
      assert.deepEqual(results.map((r) => r.inserted), [2, 3, 1, 1, 2]);
      assert.equal((await a.stats()).messages, 9);
      assert.equal((await a.syncState()).cursor, 'p4');
      // Rows one statement inserted share its command id (cmin): the first page went alone (none
      // after it was encoded yet), the four after it, encoded during its statement, in one write.
      const writes = await db.query<{ cmin: string; n: string }>('SELECT cmin::text AS cmin, count(*) AS n FROM msgids WHERE corp_id = $1 GROUP BY 1 ORDER BY 1', [toPgText(corp)]);
      assert.deepEqual(writes.rows.map((r) => Number(r.n)), [2, 7], 'two writes: page 0, then pages 1-4');

      // The next group: its third page is poisoned half-way through its COPY.
      const partition = await db.query<{ name: string }>(
        "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'messages'::regclass",
      );
      for (const { name } of partition.rows) await db.query(`CREATE TRIGGER poison BEFORE INSERT ON ${name} FOR EACH ROW EXECUTE FUNCTION refuse_poison()`);
      try {
        const settled = await Promise.allSettled([
          a.applyPage({ messages: [m(10)], nextCursor: 'q0', hasMore: true, commit: false, after: 'p4' }),
          a.applyPage({ messages: [m(11), m(12)], nextCursor: 'q1', hasMore: true, commit: false, continues: true, after: 'q0' }),
          a.applyPage({ messages: [m(13), m(14, 'pipe-poison-14')], nextCursor: 'q2', hasMore: true, commit: false, continues: true, after: 'q1' }),
          a.applyPage({ messages: [m(15)], nextCursor: 'q3', hasMore: false, continues: true, after: 'q2' }),
        ]);
        assert.deepEqual(
          settled.map((r) => (r.status === 'fulfilled' ? r.value.inserted : (r.reason as ArchiveError).code)),
          [1, 'POSTGRES', 'POSTGRES', 'POSTGRES'],
          'the page written before the failure was answered with its count; the three written with the poisoned one were refused with its cause',
        );
        // The pages after a failed write are refused: they continue a group that is gone.
        await assert.rejects(
          a.applyPage({ messages: [m(16)], nextCursor: 'q4', hasMore: false, continues: true, after: 'q3' }),
          (e: unknown) => e instanceof ArchiveError && e.code === 'BATCH_LOST',
        );
      } finally {
        for (const { name } of partition.rows) await db.query(`DROP TRIGGER poison ON ${name}`);
      }
      // The whole group was rolled back: nothing of it kept, the cursor where the last commit left it.
      assert.equal((await a.stats()).messages, 9);
      assert.equal((await a.syncState()).cursor, 'p4');

      // A page that does not follow the one before it is never written with it: it is checked
      // against the stored cursor on its own, and refused.
      const skipped = await Promise.allSettled([
        a.applyPage({ messages: [m(20)], nextCursor: 'r0', hasMore: true, commit: false, after: 'p4' }),
        a.applyPage({ messages: [m(21)], nextCursor: 'r1', hasMore: true, commit: false, continues: true, after: 'r0' }),
        a.applyPage({ messages: [m(22)], nextCursor: 'r2', hasMore: true, commit: false, continues: true, after: 'r1' }),
        a.applyPage({ messages: [m(23)], nextCursor: 'r3', hasMore: false, continues: true, after: 'elsewhere' }),
      ]);
      assert.deepEqual(
        skipped.map((r) => (r.status === 'fulfilled' ? r.value.inserted : (r.reason as ArchiveError).code)),
        [1, 1, 1, 'OUT_OF_ORDER'],
      );
      assert.equal((await a.stats()).messages, 9, 'the group was rolled back');
      assert.equal((await a.syncState()).cursor, 'p4');
    } finally {
      await a.close();
    }
  });
  it('pages handed in together, repeating msgids within and across them, keep each msgid once, from its first page; the cursor ends where the last page that moved it left it', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        // Each page: msgids drawn from a small pool (repeats are common), and whether it names a next cursor.
        fc.array(fc.record({ ids: fc.array(fc.nat({ max: 12 }), { maxLength: 6 }), moves: fc.boolean() }), { minLength: 1, maxLength: 9 }),
        async (spec) => {
          const corp = `corp-prop-${run++}`;
          const a = await PgArchive.open(url, corp);
          try {
            let after = '';
            const firstTime = new Map<number, number>();
            const expected: number[] = [];
            const pages = spec.map(({ ids, moves }, k) => {
              let fresh = 0;
              const messages = ids.map((id, j) => {
                // Each occurrence its own send time: the stored one tells which occurrence was kept.
                const time = 1_765_000_000 + k * 100 + j;
                if (!firstTime.has(id)) {
                  firstTime.set(id, time);
                  fresh++;
                }
                return message(id, `prop-${id}`, time);
              });
              expected.push(fresh);
              const nextCursor = moves ? `c${k}` : '';
              const last = k === spec.length - 1;
              const page = a.applyPage({ messages, nextCursor, hasMore: !last, after, ...(last ? {} : { commit: false }), ...(k > 0 ? { continues: true } : {}) });
              after = nextCursor || after;
              return page;
            });
            const results = await Promise.all(pages);
            assert.deepEqual(results.map((r) => r.inserted), expected, 'each page counts the msgids it was first to bring');
            const stored = await db.query<{ msgid: string; send_time: number }>('SELECT msgid, send_time FROM messages WHERE corp_id = $1', [toPgText(corp)]);
            assert.deepEqual(
              new Map(stored.rows.map((r) => [Number(r.msgid.slice('prop-'.length)), r.send_time])),
              firstTime,
              'each msgid once, as its first occurrence',
            );
            assert.equal(stored.rows.length, firstTime.size);
            assert.equal((await a.stats()).messages, firstTime.size);
            assert.equal((await a.syncState()).cursor, after || undefined);
          } finally {
            await a.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
