/**
 * A sync_msg body decoded in pieces (syncBody.ts, jsonByteSpans.ts), its entries read, must be what
 * decoding it whole and JSON.parse give: the same values, each entry's text exactly as received,
 * and the same refusal (BadResponseError 'json') for a body JSON.parse refuses, at once or when
 * its entries are read, on hand-picked traps and on generated replies.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../../src/core/simulator/prng';
import { BadResponseError } from '../../../src/core/wecom/errors';
import { memberArrayOf } from '../../../src/core/wecom/jsonByteSpans';
import { memberElementSpans } from '../../../src/core/wecom/jsonSpans';
import { decodeSyncBody, type SyncBody } from '../../../src/core/wecom/syncBody';
import { randomJson, serializeJson } from './randomJson';

const TRICKY = ['', 'a"b', 'back\\slash', 'end\\', '\\"', '}{][,:', '"msg_list":[', '中文', '😀', '\u2028', 'tab\tnl\n', '\\\\"'];

function reply(rand: () => number): string {
  const msgList = Array.from({ length: Math.floor(rand() * 6) }, () => randomJson(rand, 1, TRICKY));
  const value = { errcode: 0, errmsg: 'ok', pad: randomJson(rand, 2, TRICKY), msg_list: msgList, has_more: rand() < 0.5, next_cursor: TRICKY[Math.floor(rand() * TRICKY.length)] };
  return serializeJson(value, rand);
}

/** What the client did before: the whole body decoded, parsed, and split into entry texts. */
function whole(text: string): { json: unknown; entries: string[] | undefined } {
  return { json: JSON.parse(text) as unknown, entries: memberElementSpans(text, 'msg_list')?.map(([s, e]) => text.slice(s, e)) };
}

/** The body with its entries read: the reply's JSON and each entry's text (undefined when it was decoded whole). */
function read(body: SyncBody): { json: unknown; entries: string[] | undefined } {
  if (typeof body.text === 'string') return { json: body.json, entries: undefined };
  assert.deepEqual((body.json as { msg_list: unknown }).msg_list, [], 'the head holds no entries');
  const { values, texts } = body.text.read();
  assert.equal(values.length, body.text.count);
  return { json: { ...(body.json as object), msg_list: values }, entries: texts };
}

function refused(bytes: Buffer): void {
  assert.throws(() => read(decodeSyncBody(bytes, 'sync_msg')), (e: unknown) => e instanceof BadResponseError && e.reason === 'json');
}

describe('syncBody: a sync_msg body decoded in pieces', () => {
  it('gives what decoding it whole gives, on generated replies (non-ASCII, escapes, whitespace)', () => {
    const rand = mulberry32(18);
    for (let i = 0; i < 400; i++) {
      const text = reply(rand);
      const body = read(decodeSyncBody(Buffer.from(text), 'sync_msg'));
      const expected = whole(text);
      assert.deepEqual(body.json, expected.json, text);
      assert.deepEqual(body.entries, expected.entries, text);
    }
  });

  it('refuses what JSON.parse refuses, between, inside and after the entries', () => {
    for (const text of [
      '{"errcode":0,"msg_list":[{"a":1},]}',
      '{"errcode":0,"msg_list":[1 2]}',
      '{"errcode":0,"msg_list":[{"a":}]}',
      '{"errcode":0,"msg_list":[{"a":1}]} x',
      '{"errcode":0,"msg_list":[{"a":1}],}',
      '{"errcode":0 "msg_list":[]}',
      '{"errcode":0,"msg_list":[tru]}',
      '{"errcode":0,"msg_list":["\u0001"]}',
      '{"errcode":0,"msg_list":[{"a":1}',
    ]) {
      assert.throws(() => JSON.parse(text), text);
      refused(Buffer.from(text));
    }
  });

  it('reads the head alone at once: an entry that is not JSON is refused when the entries are read', () => {
    const body = decodeSyncBody(Buffer.from('{"errcode":0,"next_cursor":"n","msg_list":[{"msgid":"a"},{"a":},tru],"has_more":true}'), 'sync_msg');
    assert.deepEqual(body.json, { errcode: 0, next_cursor: 'n', msg_list: [], has_more: true });
    assert.ok(typeof body.text !== 'string');
    assert.equal(body.text.count, 3);
    assert.throws(() => read(body), (e: unknown) => e instanceof BadResponseError && e.reason === 'json');
  });

  it('decodes whole what it cannot split: a member found twice, an escaped key, a list that is no array', () => {
    for (const text of ['{"msg_list":[1],"msg_list":[{"b":2}]}', '{"msg\\u005flist":[{"a":1}]}', '{"errcode":0,"msg_list":{"a":[1]}}', '{"errcode":0}', '[1,2]']) {
      assert.equal(memberArrayOf(Buffer.from(text), 'msg_list'), undefined, text);
      const body = decodeSyncBody(Buffer.from(text), 'sync_msg');
      assert.deepEqual(body.json, JSON.parse(text));
      assert.equal(body.text, text);
    }
  });

  it('drops a byte order mark, and decodes broken UTF-8 inside an entry as the whole body would', () => {
    const text = '{"errcode":0,"msg_list":[{"msgid":"a","c":"中"}]}';
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    assert.deepEqual(read(decodeSyncBody(bom, 'sync_msg')).json, JSON.parse(text));
    const broken = Buffer.from(text);
    const at = broken.indexOf(Buffer.from('中'));
    const cut = Buffer.concat([broken.subarray(0, at + 1), broken.subarray(at + 3)]); // a lone lead byte
    const decoded = cut.toString('utf8');
    const body = read(decodeSyncBody(cut, 'sync_msg'));
    assert.deepEqual(body.json, JSON.parse(decoded));
    assert.deepEqual(body.entries, whole(decoded).entries);
  });
});
