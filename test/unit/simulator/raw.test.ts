// Messages given whole to the simulator (the hostile corpus): sync_msg serves each exactly as
// given, and search_msg finds them by their content within the chat the request names, ids
// matched exactly (a 2,000-char group id with a trailing tab; a trimmed copy matches nothing).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator';
import { CORPUS_WORD, LONG_GROUP, hostileCorpus } from '../../harness/hostileCorpus';
import { type Json, api, post } from './helpers';

let sim: RunningSimulator;
const corpus = hostileCorpus();
let msgids: string[] = [];

before(async () => {
  sim = await startSimulator({ seed: 5, messages: 3000, days: 4 });
  const r = await post(`${sim.url}/_sim/raw-messages`, { messages: corpus });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  msgids = r.body.msgids as string[];
});
after(() => sim.close());

async function searchIds(body: Json): Promise<string[]> {
  const r = (await post(api(sim, 'search_msg'), { limit: 100, ...body })).body as { errcode: number; errmsg: string; msg_list: { msgid: string }[] };
  assert.equal(r.errcode, 0, r.errmsg);
  return r.msg_list.map((m) => m.msgid);
}

describe('simulator: messages given whole', () => {
  it('the control API returns their msgids exactly', () => {
    assert.deepEqual(msgids, corpus.map((m) => m.json.msgid));
  });

  it('sync_msg returns each message byte for byte as given, after the generated history', async () => {
    let cursor: string | undefined;
    const texts: string[] = [];
    for (;;) {
      const res = await fetch(api(sim, 'sync_msg'), { method: 'POST', body: JSON.stringify({ cursor, limit: 1000 }) });
      const text = await res.text();
      const body = JSON.parse(text) as { has_more: boolean; next_cursor: string; errcode: number };
      assert.equal(body.errcode, 0);
      texts.push(text);
      if (!body.has_more) break;
      cursor = body.next_cursor;
    }
    const all = texts.join('\n');
    for (const m of corpus) assert.ok(all.includes(JSON.stringify(m.json)), `missing ${JSON.stringify(m.json.msgid).slice(0, 40)}`);
  });

  it('search_msg finds them in the 2,000-char group (exact id), newest first; a trimmed id finds nothing', async () => {
    const searchable = corpus.filter((m) => m.content !== undefined).map((m) => m.json.msgid as string).reverse();
    assert.ok(searchable.length >= 5);
    assert.deepEqual(await searchIds({ query_word: CORPUS_WORD, chat_info: { chat_type: 2, chat_id: LONG_GROUP } }), searchable);
    assert.deepEqual(await searchIds({ query_word: CORPUS_WORD, chat_info: { chat_type: 2, chat_id: LONG_GROUP.trim() } }), []);
    assert.deepEqual(await searchIds({ query_word: CORPUS_WORD }), searchable);
    assert.deepEqual(await searchIds({ query_word: CORPUS_WORD, chat_info: { chat_type: 1 } }), [], 'group messages are not single-chat hits');
  });

  it('refuses a message without a msgid, and names why', async () => {
    const r = await post(`${sim.url}/_sim/raw-messages`, { messages: [{ json: { sender: { type: 1, id: 'x' } } }] });
    assert.equal(r.status, 400);
    assert.match(String(r.body.error), /msgid/);
  });
});
