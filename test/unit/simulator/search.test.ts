// search_msg against the real HTTP server: every rule of docs/wecom-api.md §3, boundaries included, and the
// results checked against the generator's content (ground truth computed here, not copied).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningSimulator, type SimMessage, startSimulator } from '../../../src/core/simulator';
import { DAY, type Json, api, post } from './helpers';

let sim: RunningSimulator;

before(async () => {
  sim = await startSimulator({ seed: 21, messages: 30_000, days: 8 });
});
after(() => sim.close());

interface SearchReply {
  errcode: number;
  errmsg: string;
  has_more: number;
  next_cursor: string;
  msg_list: { msgid: string }[];
}

async function search(body: Json): Promise<SearchReply> {
  return (await post(api(sim, 'search_msg'), body)).body as unknown as SearchReply;
}

async function searchAll(body: Json): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const r = await search({ ...body, cursor, limit: 100 });
    assert.equal(r.errcode, 0, r.errmsg);
    assert.ok(r.has_more === 0 || r.has_more === 1);
    ids.push(...r.msg_list.map((m) => m.msgid));
    if (r.has_more === 0) return ids;
    cursor = r.next_cursor;
  }
  throw new Error('search did not end');
}

const SEARCHABLE = new Set([1, 4, 5, 8, 18, 20, 23]);

/** Ground truth: searchable messages in [from, to] whose content contains q (case-insensitive), newest first. */
function expected(q: string, from: number, to: number, filter: (m: SimMessage) => boolean = () => true): string[] {
  const lower = q.toLowerCase();
  return sim
    .listMessages(from, to)
    .filter((m) => SEARCHABLE.has(m.msgtype) && (m.content?.toLowerCase().includes(lower) ?? false) && filter(m))
    .reverse()
    .map((m) => m.msgid);
}

async function refused(body: Json, param: string): Promise<void> {
  const r = await search(body);
  assert.equal(r.errcode, 40058, `expected 40058 for ${JSON.stringify(body)}, got ${r.errcode} ${r.errmsg}`);
  assert.ok(r.errmsg.includes(param), `errmsg "${r.errmsg}" names ${param}`);
}

describe('search_msg parameters', () => {
  it('query_word: at least 2 UTF-8 characters, counted as characters', async () => {
    await refused({}, 'query_word');
    await refused({ query_word: 'a' }, 'query_word');
    await refused({ query_word: '合' }, 'query_word'); // 1 character, 3 bytes
    await refused({ query_word: '😀' }, 'query_word'); // 1 character, 4 bytes, 2 UTF-16 units
    await refused({ query_word: 12 }, 'query_word');
    for (const q of ['合同', 'ab', '😀😀']) assert.equal((await search({ query_word: q })).errcode, 0, q);
  });

  it('chat_info rules', async () => {
    const q = '合同';
    await refused({ query_word: q, chat_info: { chat_type: 3 } }, 'chat_type');
    await refused({ query_word: q, chat_info: { chat_type: 0 } }, 'chat_type');
    await refused({ query_word: q, chat_info: { chat_type: '1' } }, 'chat_type');
    await refused({ query_word: q, chat_info: { chat_type: 1, id_list: [] } }, 'id_list');
    await refused({ query_word: q, chat_info: { chat_type: 1, id_list: [{ open_userid: 'woA' }] } }, 'id_list');
    await refused(
      { query_word: q, chat_info: { chat_type: 1, id_list: [{ open_userid: 'woA' }, { open_userid: 'woB' }, { open_userid: 'woC' }] } },
      'id_list',
    );
    await refused({ query_word: q, chat_info: { chat_type: 1, id_list: [{ open_userid: 'woA' }, { name: 'x' }] } }, 'id_list');
    await refused(
      { query_word: q, chat_info: { chat_type: 1, id_list: [{ open_userid: 'woA' }, { external_userid: 'wmB' }], chat_id: 'wrC' } },
      'chat_id',
    );
    await refused({ query_word: q, chat_info: { chat_id: 'wrC' } }, 'chat_id');
    await refused({ query_word: q, chat_info: { chat_type: 2, id_list: [{ open_userid: 'woA' }, { open_userid: 'woB' }] } }, 'id_list');
    const ok1 = await search({ query_word: q, chat_info: { chat_type: 1, id_list: [{ open_userid: 'woA' }, { external_userid: 'wmB' }] } });
    assert.equal(ok1.errcode, 0);
    assert.equal((await search({ query_word: q, chat_info: { chat_type: 2, chat_id: 'wrC' } })).errcode, 0);
    assert.equal((await search({ query_word: q, chat_info: { chat_type: 2 } })).errcode, 0);
  });

  it('time rules: end_time needs start_time, start < end, span at most exactly 30 days', async () => {
    const q = '合同';
    const now = sim.now();
    await refused({ query_word: q, end_time: now }, 'start_time');
    await refused({ query_word: q, start_time: now, end_time: now }, 'start_time');
    await refused({ query_word: q, start_time: now, end_time: now - 10 }, 'start_time');
    await refused({ query_word: q, start_time: now - 30 * DAY - 1, end_time: now }, 'end_time');
    assert.equal((await search({ query_word: q, start_time: now - 30 * DAY, end_time: now })).errcode, 0);
    await refused({ query_word: q, start_time: 'yesterday', end_time: now }, 'start_time');
  });

  it('limit: default 50, 100 accepted, 101 and 0 refused', async () => {
    await refused({ query_word: 'ab', limit: 101 }, 'limit');
    await refused({ query_word: 'ab', limit: 0 }, 'limit');
    await refused({ query_word: 'ab', limit: 2.5 }, 'limit');
    const common = expected('好的', sim.now() - 30 * DAY, sim.now());
    assert.ok(common.length > 100, `need > 100 hits for 好的, got ${common.length}`);
    const d = await search({ query_word: '好的' });
    assert.equal(d.msg_list.length, 50);
    assert.equal(d.has_more, 1);
    const r = await search({ query_word: '好的', limit: 100 });
    assert.equal(r.errcode, 0);
    assert.equal(r.msg_list.length, 100);
  });

  it('refuses a cursor that is not from this query', async () => {
    await refused({ query_word: '好的', cursor: 'CURSOR' }, 'cursor');
    const first = await search({ query_word: '好的', limit: 5 });
    await refused({ query_word: '合同', cursor: first.next_cursor }, 'cursor');
  });
});

describe('search_msg results', () => {
  it('default range: last 30 days, newest first, all pages without gaps, older than sync retention too', async () => {
    for (const q of ['合同', 'invoice']) {
      const now = sim.now();
      const got = await searchAll({ query_word: q });
      const want = expected(q, now - 30 * DAY, now);
      assert.ok(want.length > 20, `enough hits for ${q}`);
      assert.deepEqual(got, want);
      const times = got.map((id) => sim.message(id)!.send_time);
      for (let i = 1; i < times.length; i++) assert.ok(times[i - 1]! >= times[i]!, 'newest first');
      assert.ok(times.some((t) => t < now - 5 * DAY), 'some hits are older than sync_msg returns');
    }
  });

  it('matches case-insensitively and only the searchable msgtypes', async () => {
    const upper = await searchAll({ query_word: 'INVOICE' });
    const lower = await searchAll({ query_word: 'invoice' });
    assert.deepEqual(upper, lower);
    for (const id of upper) assert.ok(SEARCHABLE.has(sim.message(id)!.msgtype));
    const types = new Set((await searchAll({ query_word: 'pdf' })).map((id) => sim.message(id)!.msgtype));
    assert.ok([...types].every((t) => t === 8 || t === 23 || t === 1 || t === 20 || t === 4 || t === 18 || t === 5));
  });

  it('finds newly added content, and never a non-searchable type', async () => {
    const [hit] = sim.addMessages(1, { msgtype: 1, content: '暗号ZebraQuartz' });
    sim.addMessages(1, { msgtype: 2, content: '暗号ZebraQuartz' });
    const r = await search({ query_word: 'zebraquartz' });
    assert.deepEqual(
      r.msg_list.map((m) => m.msgid),
      [hit],
    );
    assert.equal(r.has_more, 0);
  });

  it('honours start_time/end_time', async () => {
    const now = sim.now();
    const from = now - 7 * DAY;
    const to = now - 6 * DAY;
    const got = await searchAll({ query_word: '合同', start_time: from, end_time: to });
    assert.deepEqual(got, expected('合同', from, to));
    assert.ok(got.length > 0);
  });

  it('chat_type 1 searches only the single chat of the two parties', async () => {
    const now = sim.now();
    const sample = sim
      .listMessages(now - 30 * DAY, now)
      .find((m) => m.chatid === undefined && m.msgtype === 1 && m.receiver_list[0]!.type !== 3 && m.sender.type !== 3);
    assert.ok(sample);
    const a = sample.sender;
    const b = sample.receiver_list[0]!;
    const idInfo = (p: { type: number; id: string }) => (p.type === 1 ? { open_userid: p.id } : { external_userid: p.id });
    const word = [...sample.content!].slice(0, 2).join('');
    const got = await searchAll({ query_word: word, chat_info: { chat_type: 1, id_list: [idInfo(b), idInfo(a)] } });
    const pair = new Set([a.id, b.id]);
    const want = expected(word, now - 30 * DAY, now, (m) => m.chatid === undefined && pair.has(m.sender.id) && pair.has(m.receiver_list[0]!.id));
    assert.ok(got.includes(sample.msgid));
    assert.deepEqual(got, want);
  });

  it('chat_type 1 without id_list searches every single chat (id_list is optional)', async () => {
    const now = sim.now();
    const got = await searchAll({ query_word: '合同', chat_info: { chat_type: 1 } });
    assert.deepEqual(got, expected('合同', now - 30 * DAY, now, (m) => m.chatid === undefined));
    assert.ok(got.length > 0);
  });

  it('chat_type 2 searches groups, or the one group chat_id names', async () => {
    const now = sim.now();
    const all = await searchAll({ query_word: '合同', chat_info: { chat_type: 2 } });
    assert.deepEqual(all, expected('合同', now - 30 * DAY, now, (m) => m.chatid !== undefined));
    const chatid = sim.message(all[0]!)!.chatid!;
    const one = await searchAll({ query_word: '合同', chat_info: { chat_type: 2, chat_id: chatid } });
    assert.deepEqual(one, expected('合同', now - 30 * DAY, now, (m) => m.chatid === chatid));
    assert.deepEqual(await searchAll({ query_word: '合同', chat_info: { chat_type: 2, chat_id: 'wrUnknown' } }), []);
  });
});
