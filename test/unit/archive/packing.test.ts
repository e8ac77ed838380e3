/**
 * Messages as received: the client keeps each msg_list entry's exact text, packing cuts the
 * receiver list out of it, and joinRaw puts it back byte for byte. Where the text is in a form the
 * cut cannot vouch for (spaced, the key twice, nested), the list stays inline rather than being
 * mangled.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cutMessage, joinRaw, packPage, unpackMessage } from '../../../src/core/archive/packing';
import type { ArchiveMessage } from '../../../src/shared/wire';
import { parseMessage, parseSyncReply } from '../../../src/core/wecom/wire';

/** A reply as a server might write it: `seq` is beyond 2^53, which JSON.parse cannot keep. */
const REPLY = `{"errcode":0,"errmsg":"ok","has_more":false,"next_cursor":"c1","msg_list":[
{"msgid":"m1","sender":{"type":1,"id":"wo1"},"receiver_list":[{"type":1,"id":"wo2"},{"type":2,"id":"wm\\"q"}],"chatid":"wr1","send_time":1700000000,"msgtype":1,"seq":123456789012345678901},
{"sender":{"type":1,"id":"wo1"},"send_time":1700000001,"msgtype":1},
{"msgid":"m3","sender":{"type":2,"id":"wm9"},"receiver_list":[{"type":1,"id":"wo1"}],"chatid":"wr2","send_time":1700000002,"msgtype":4,"extra_info":{"receiver_list":"nested, not the message's"}},
{"msgid":"m4","sender":{"type":2,"id":"wm9"},"receiver_list":[{"type":1,"id":"wo1"}],"send_time":1700000003,"msgtype":1}
]}`;

function page(text: string): { messages: ArchiveMessage[]; texts?: readonly string[] } {
  const parsed = parseSyncReply(JSON.parse(text), text);
  assert.ok(parsed.ok);
  return parsed.value;
}

function only(text: string): { message: ArchiveMessage; text: string } {
  const message = parseMessage(JSON.parse(text));
  assert.ok(message);
  return { message, text };
}

describe('packing messages as received', () => {
  it('the client keeps each entry exactly as written, aligned with the messages (entries without a msgid dropped from both)', () => {
    const p = page(REPLY);
    assert.deepEqual(
      p.messages.map((m) => m.msgid),
      ['m1', 'm3', 'm4'],
    );
    assert.ok(p.texts);
    assert.equal(p.texts.length, 3);
    assert.ok(REPLY.includes(p.texts[0]!) && p.texts[0]!.startsWith('{"msgid":"m1"'));
    assert.ok(p.texts[0]!.includes('"seq":123456789012345678901'), 'digits JSON.parse would round are kept');
    assert.ok(p.texts[1]!.startsWith('{"msgid":"m3"'));
  });

  it('no texts when the text is not the reply that was parsed', () => {
    const parsed = parseSyncReply(JSON.parse(REPLY), '{"msg_list":[]}');
    assert.ok(parsed.ok);
    assert.equal(parsed.value.texts, undefined);
    assert.equal(parsed.value.messages.length, 3);
  });

  it('cut and joined back: byte for byte the text as received', () => {
    const p = page(REPLY);
    const first = cutMessage(p.messages[0]!, p.texts![0]!);
    assert.equal(first.receivers, '[{"type":1,"id":"wo2"},{"type":2,"id":"wm\\"q"}]');
    assert.ok(!first.raw.includes('wo2'), 'stored once per distinct list, not in every message');
    p.messages.forEach((m, i) => {
      const text = p.texts![i]!;
      const packed = cutMessage(m, text);
      assert.equal(joinRaw(packed.raw, packed.receivers), text);
      assert.deepEqual(unpackMessage(joinRaw(packed.raw, packed.receivers)), m);
    });
    // The key appears twice in m3 (once nested): rather than judge which is which, no cut.
    assert.equal(cutMessage(p.messages[1]!, p.texts![1]!).receivers, undefined);
    // m4 is a single chat: its one-party list stays where it is.
    assert.deepEqual(cutMessage(p.messages[2]!, p.texts![2]!), { raw: p.texts![2]! });
  });

  it('keeps the list inline when the text is spaced, repeats the key, or nests it only', () => {
    const cases = [
      '{"msgid":"a","chatid":"wr1","receiver_list" : [{"type":1,"id":"x"}],"send_time":1}',
      '{"msgid":"b","chatid":"wr1","receiver_list":[{"type":1,"id":"x"}],"receiver_list":[{"type":1,"id":"y"}]}',
      '{"msgid":"c","chatid":"wr1","extra":{"receiver_list":[{"type":1,"id":"x"}]}}',
      // A single chat's one-party list is not worth cutting out.
      '{"msgid":"d","receiver_list":[{"type":1,"id":"x"}],"send_time":1}',
    ];
    for (const raw of cases) {
      const { message, text } = only(raw);
      const packed = cutMessage(message, text);
      assert.equal(packed.receivers, undefined, raw);
      assert.equal(packed.raw, text, raw);
      assert.deepEqual(unpackMessage(joinRaw(packed.raw, packed.receivers)), message);
    }
  });

  it('a page crosses with each distinct list once, and names the other party of single chats', () => {
    const group = (id: string) => ({ msgid: id, sender: { type: 1, id: 'wo1' }, receiver_list: [{ type: 1, id: 'wo2' }, { type: 2, id: 'wm3' }], chatid: 'wr1', send_time: 1, msgtype: 1 });
    const texts = [JSON.stringify(group('g1')), JSON.stringify(group('g2')), '{"msgid":"s1","sender":{"type":2,"id":"wm3"},"receiver_list" : [{"type":1,"id":"wo1"}],"send_time":2,"msgtype":1}'];
    const messages = texts.map((t) => parseMessage(JSON.parse(t))!);
    const packed = packPage(messages, texts);
    assert.deepEqual(packed.receiverLists, ['[{"type":1,"id":"wo2"},{"type":2,"id":"wm3"}]']);
    assert.deepEqual(
      messages.map((_, i) => [packed.receivers[i], packed.cut[i], packed.chatid[i], packed.peer[i], packed.peerType[i]]),
      [
        [0, 1, 'wr1', '', Number.NaN],
        [0, 1, 'wr1', '', Number.NaN],
        // A single chat: its list stays in raw, and its members are the sender and the peer.
        [-1, 0, '', 'wo1', 1],
      ],
    );
    assert.equal(packed.raw[2], texts[2]);
    assert.deepEqual([...packed.msgid], ['g1', 'g2', 's1']);
    assert.deepEqual([...packed.sendTime], [1, 1, 2]);
  });

  it('a group whose list changes mid-page gets each distinct list once, in order of first use', () => {
    const inGroup = (id: string, members: string[]) => ({ msgid: id, sender: { type: 1, id: 'wo1' }, receiver_list: members.map((m) => ({ type: 1, id: m })), chatid: 'wr1', send_time: 1, msgtype: 1 });
    const texts = [inGroup('a', ['x']), inGroup('b', ['x', 'y']), inGroup('c', ['x']), inGroup('d', ['x', 'y'])].map((m) => JSON.stringify(m));
    const packed = packPage(
      texts.map((t) => parseMessage(JSON.parse(t))!),
      texts,
    );
    assert.deepEqual(packed.receiverLists, ['[{"type":1,"id":"x"}]', '[{"type":1,"id":"x"},{"type":1,"id":"y"}]']);
    assert.deepEqual([...packed.receivers], [0, 1, 0, 1]);
    for (const [i, t] of texts.entries()) assert.equal(joinRaw(packed.raw[i]!, packed.receiverLists[packed.receivers[i]!]), t);
  });

  it('without a text (e.g. a test feeding parsed messages) the object is serialized, with the same cut', () => {
    const p = page(REPLY);
    const fromText = cutMessage(p.messages[0]!, p.texts![0]!);
    const fromObject = cutMessage(p.messages[0]!);
    assert.equal(fromObject.receivers, fromText.receivers);
    assert.deepEqual(JSON.parse(joinRaw(fromObject.raw, fromObject.receivers)), JSON.parse(joinRaw(fromText.raw, fromText.receivers)));
  });
});
