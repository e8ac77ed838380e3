// The stream's window of rows, in plain Node: what each kind of load makes of the host's answer,
// how extends grow one end and trim the other, and that a late answer never lands in a newer window.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageRow } from '../../../src/shared/protocol';
import { buildItems } from '../../../webview/stream/items';
import { AROUND, MAX_ROWS, PAGE, RowWindow, aroundContent, newestContent, oldestContent } from '../../../webview/stream/rowWindow';

const BASE = 1_700_000_000;
const row = (i: number, msgtype = 1): MessageRow => ({
  msgid: `m${i}`,
  sendTime: BASE + i * 60,
  msgtype,
  sender: { type: 1, id: 'wo1' },
  receivers: [],
  receiverCount: 0,
  chatKey: 'c',
});
/** Rows from..to-1, ascending. */
const rows = (from: number, to: number): MessageRow[] => Array.from({ length: Math.max(0, to - from) }, (_, k) => row(from + k));
const ids = (w: RowWindow): string[] => w.rows.map((r) => r.msgid);

/** A window holding rows from..to-1 with the given ends. */
function windowOf(from: number, to: number, atStart = false, atEnd = false, page = 4, maxRows = 10): RowWindow {
  const w = new RowWindow(page, maxRows);
  const ticket = w.beginReplace();
  assert.ok(w.replace(ticket, { rows: rows(from, to), atStart, atEnd }));
  w.end(ticket);
  return w;
}

describe('row window: the content of a replace', () => {
  it('the newest page ends at the chat end; a short one also starts at its start', () => {
    assert.deepEqual(newestContent(rows(0, PAGE)), { rows: rows(0, PAGE), atStart: false, atEnd: true });
    assert.deepEqual(newestContent(rows(0, 3)), { rows: rows(0, 3), atStart: true, atEnd: true });
  });

  it('the oldest page starts at the chat start; a short one also ends at its end', () => {
    assert.deepEqual(oldestContent(rows(0, PAGE)), { rows: rows(0, PAGE), atStart: true, atEnd: false });
    assert.deepEqual(oldestContent(rows(0, 1)), { rows: rows(0, 1), atStart: true, atEnd: true });
    assert.deepEqual(oldestContent([]), { rows: [], atStart: true, atEnd: true });
  });

  it('around a message: an end is the chat end when fewer rows than asked came on that side', () => {
    const full = rows(0, 2 * AROUND + 1);
    assert.deepEqual(aroundContent(full, `m${AROUND}`), { rows: full, atStart: false, atEnd: false });
    assert.deepEqual(aroundContent(full, 'm3'), { rows: full, atStart: true, atEnd: false });
    assert.deepEqual(aroundContent(full, `m${2 * AROUND}`), { rows: full, atStart: false, atEnd: true });
    assert.equal(aroundContent(full, 'absent'), undefined, 'an answer without the message (not archived, or filtered out)');
  });
});

describe('row window: extends', () => {
  it('pages older rows in at the start, skipping rows it holds, from the oldest row as anchor', () => {
    const w = windowOf(10, 14);
    const start = w.beginExtend('older');
    assert.deepEqual(start?.from, { sendTime: BASE + 10 * 60, msgid: 'm10' });
    assert.equal(w.busy, true);
    assert.equal(w.extend(start!.ticket, 'older', rows(7, 11)), 3, 'm10 was already held');
    w.end(start!.ticket);
    assert.deepEqual(ids(w), ['m7', 'm8', 'm9', 'm10', 'm11', 'm12', 'm13']);
    assert.equal(w.atStart, false, 'a full page: there may be more');
    assert.equal(w.busy, false);
  });

  it('a short page reaches the chat end on that side', () => {
    const w = windowOf(10, 14);
    const older = w.beginExtend('older')!;
    w.extend(older.ticket, 'older', rows(8, 10));
    w.end(older.ticket);
    assert.equal(w.atStart, true);
    const newer = w.beginExtend('newer')!;
    assert.deepEqual(newer.from, { sendTime: BASE + 13 * 60, msgid: 'm13' });
    w.extend(newer.ticket, 'newer', rows(14, 15));
    w.end(newer.ticket);
    assert.equal(w.atEnd, true);
    assert.deepEqual(ids(w), rows(8, 15).map((r) => r.msgid));
  });

  it('keeps at most maxRows: the far end is trimmed and is then no longer the chat end', () => {
    const w = windowOf(10, 18, false, true);
    const older = w.beginExtend('older')!;
    w.extend(older.ticket, 'older', rows(6, 10));
    w.end(older.ticket);
    assert.deepEqual(ids(w), rows(6, 16).map((r) => r.msgid), 'the newest rows were dropped');
    assert.equal(w.atEnd, false);
    const newer = w.beginExtend('newer')!;
    w.extend(newer.ticket, 'newer', rows(16, 20));
    w.end(newer.ticket);
    assert.deepEqual(ids(w), rows(10, 20).map((r) => r.msgid), 'the oldest rows were dropped');
    assert.equal(w.atStart, false);
    assert.equal(w.rows.length, 10);
  });

  it('the default bound is MAX_ROWS rows in pages of PAGE', () => {
    const w = new RowWindow();
    assert.equal(w.maxRows, MAX_ROWS);
    assert.equal(w.page, PAGE);
    const t = w.beginReplace();
    w.replace(t, { rows: rows(PAGE, MAX_ROWS + PAGE), atStart: false, atEnd: true });
    w.end(t);
    const older = w.beginExtend('older')!;
    assert.equal(w.extend(older.ticket, 'older', rows(0, PAGE)), PAGE);
    assert.equal(w.rows.length, MAX_ROWS);
    assert.equal(w.rows[0]?.msgid, 'm0');
  });

  it('does not start while a load runs, on an empty window, or past the chat end', () => {
    const w = windowOf(10, 14, true, true);
    assert.equal(w.beginExtend('older'), undefined, 'at the chat start');
    assert.equal(w.beginExtend('newer'), undefined, 'at the chat end');
    const open = windowOf(10, 14);
    const first = open.beginExtend('older');
    assert.ok(first);
    assert.equal(open.beginExtend('newer'), undefined, 'an extend runs');
    open.end(first.ticket);
    assert.ok(open.beginExtend('newer'), 'free again once it ended');
    const empty = new RowWindow();
    assert.equal(empty.beginExtend('older'), undefined);
  });

  it('after new messages arrive the newest row is no longer the chat end', () => {
    const w = windowOf(10, 14, false, true);
    assert.equal(w.beginExtend('newer'), undefined);
    w.newerArrived();
    assert.equal(w.atEnd, false);
    assert.ok(w.beginExtend('newer'));
  });
});

describe('row window: late answers', () => {
  it('an extend answered after a replace started is dropped, and does not free the replace', () => {
    const w = windowOf(10, 14);
    const ext = w.beginExtend('older')!;
    const replace = w.beginReplace();
    assert.equal(w.isCurrent(ext.ticket), false);
    assert.equal(w.extend(ext.ticket, 'older', rows(6, 10)), 0);
    assert.deepEqual(ids(w), ['m10', 'm11', 'm12', 'm13'], 'unchanged');
    w.end(ext.ticket);
    assert.equal(w.busy, true, 'the replace still runs');
    assert.ok(w.replace(replace, { rows: rows(0, 2), atStart: true, atEnd: true }));
    w.end(replace);
    assert.equal(w.busy, false);
    assert.deepEqual(ids(w), ['m0', 'm1']);
  });

  it('of two replaces, only the newer lands', () => {
    const w = new RowWindow(4, 10);
    const a = w.beginReplace();
    const b = w.beginReplace();
    assert.ok(w.replace(b, { rows: rows(5, 7), atStart: false, atEnd: true }));
    assert.equal(w.replace(a, { rows: rows(0, 2), atStart: true, atEnd: false }), false);
    w.end(a);
    assert.equal(w.busy, true, 'the older one ending does not free the newer');
    w.end(b);
    assert.deepEqual(ids(w), ['m5', 'm6']);
    assert.equal(w.atEnd, true);
  });

  it('a snapshot is a copy: keeping the window does not alias it', () => {
    const w = windowOf(10, 12);
    const snap = w.snapshot();
    snap.rows.push(row(99));
    assert.deepEqual(ids(w), ['m10', 'm11']);
  });
});

describe('row window: the list items', () => {
  it('marks ends that are not the chat ends, separates days, and places gaps by time', () => {
    const day = 86_400;
    const r = [row(0), { ...row(1), sendTime: BASE + day }, { ...row(2, 24), sendTime: BASE + day + 60 }];
    const gap = { from: BASE + 100, to: BASE + 200, reason: 'missed' };
    const before = { from: BASE - 500, to: BASE - 400, reason: 'earlier' };
    const after = { from: BASE + 2 * day, to: BASE + 3 * day, reason: 'later' };
    const open = buildItems({ rows: r, atStart: false, atEnd: false }, [after, gap, before]);
    assert.deepEqual(
      open.map((i) => i.kind),
      ['more', 'day', 'msg', 'gap', 'day', 'msg', 'msg', 'more'],
      'gaps outside an open window are not shown; the one between rows is',
    );
    const whole = buildItems({ rows: r, atStart: true, atEnd: true }, [after, gap, before]);
    assert.deepEqual(
      whole.map((i) => (i.kind === 'gap' ? `gap:${i.gap.reason}` : i.kind)),
      ['gap:earlier', 'day', 'msg', 'gap:missed', 'day', 'msg', 'msg', 'gap:later'],
    );
    const heights = whole.filter((i) => i.kind === 'msg').map((i) => i.height);
    assert.ok(heights[2]! < heights[0]!, 'a consent event is a shorter system row');
    assert.equal(new Set(whole.map((i) => i.key)).size, whole.length, 'keys are unique');
    assert.deepEqual(buildItems({ rows: [], atStart: false, atEnd: false }, [gap]), [], 'an empty window shows nothing');
  });
});
