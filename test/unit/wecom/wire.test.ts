import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { english } from '../../../src/shared/text';
import { chinese } from '../../harness/l10n';
import { msgtypeLabel } from '../../../src/shared/msgtypes';
import { parseMessage, parseSearchReply, parseSyncReply, readHasMore } from '../../../src/core/wecom/wire';

describe('wire parsing', () => {
  it('parses the sync_msg seed reply', () => {
    const reply = {
      errcode: 0,
      errmsg: 'ok',
      has_more: true,
      next_cursor: 'JGNLGEHJGIE',
      msg_list: [
        {
          msgid: 'xxxmsgid',
          sender: { type: 1, id: 'woxxxxxmmgjiegjie' },
          receiver_list: [
            { type: 1, id: 'woAAAAAAAAAAA' },
            { type: 2, id: 'wmXXXXXXXXXXXXX' },
          ],
          chatid: 'wrXXXXXXXXXX',
          send_time: 166666666,
          msgtype: 2,
          service_encrypt_info: { encrypted_secret_key: 'KEYAAAAAAABBBBBB', public_key_ver: 1 },
        },
      ],
    };
    const parsed = parseSyncReply(reply);
    assert.ok(parsed.ok);
    assert.equal(parsed.value.hasMore, true);
    assert.equal(parsed.value.nextCursor, 'JGNLGEHJGIE');
    const m = parsed.value.messages[0];
    assert.ok(m);
    assert.equal(m.msgid, 'xxxmsgid');
    assert.deepEqual(m.sender, { type: 1, id: 'woxxxxxmmgjiegjie' });
    assert.equal(m.receivers.length, 2);
    assert.equal(m.chatid, 'wrXXXXXXXXXX');
    assert.equal(m.sendTime, 166666666);
    assert.equal(m.msgtype, 2);
    assert.equal(m.encryptedSecretKey, 'KEYAAAAAAABBBBBB');
    assert.equal(m.publicKeyVer, 1);
    assert.equal(m.raw, reply.msg_list[0]);
  });

  it('has_more as 0/1, true/false, absent', () => {
    assert.equal(readHasMore(1), true);
    assert.equal(readHasMore(0), false);
    assert.equal(readHasMore(true), true);
    assert.equal(readHasMore(false), false);
    assert.equal(readHasMore(undefined), false);
    assert.equal(readHasMore('1'), true);
  });

  it('tolerates unknown msgtypes, missing optional fields and junk entries', () => {
    const parsed = parseSyncReply({
      errcode: 0,
      has_more: 0,
      msg_list: [
        { msgid: 'a', msgtype: 999, send_time: '1700000000' },
        { msgid: 'b', sender: { type: 3, id: 'wb1' }, msgtype: 22, extra_info: { call_duration: 42 } },
        null,
        { sender: { type: 1, id: 'x' } },
        'junk',
      ],
    });
    assert.ok(parsed.ok);
    assert.equal(parsed.value.skipped, 3);
    assert.equal(parsed.value.nextCursor, '');
    const [a, b] = parsed.value.messages;
    assert.equal(a?.msgtype, 999);
    assert.equal(a?.sendTime, 1700000000);
    assert.deepEqual(a?.sender, { type: 0, id: '' });
    assert.deepEqual(a?.receivers, []);
    assert.equal(a?.chatid, undefined);
    assert.equal(a?.encryptedSecretKey, undefined);
    assert.equal(b?.callDuration, 42);
    assert.deepEqual([msgtypeLabel(999, chinese), msgtypeLabel(999, english)], ['未知类型 999', 'Unknown type 999']);
    assert.equal(msgtypeLabel(22, english), 'Audio/video call');
    // Every known type has its Chinese name (WeCom's), from the bundle the webview reads too.
    assert.equal(msgtypeLabel(20, chinese), '图文混合消息');
    for (let n = 0; n <= 28; n++) assert.ok(!msgtypeLabel(n, chinese).startsWith('未知类型'), `msgtype ${n}`);
  });

  it('missing msg_list is an empty page; a non-array one is a shape problem', () => {
    const empty = parseSyncReply({ errcode: 0, errmsg: 'ok' });
    assert.ok(empty.ok);
    assert.deepEqual(empty.value.messages, []);
    assert.equal(parseSyncReply({ errcode: 0, msg_list: 'x' }).ok, false);
    assert.equal(parseSyncReply([1, 2]).ok, false);
    assert.equal(parseMessage(42), undefined);
  });

  it('a reply without errcode is not a page (it would read as an empty success)', () => {
    for (const reply of [{ has_more: true, next_cursor: 'x', msg_list: [] }, { errcode: null, msg_list: [] }, {}]) {
      const sync = parseSyncReply(reply);
      assert.equal(sync.ok, false);
      assert.match(sync.ok ? '' : sync.problem, /errcode/);
      assert.equal(parseSearchReply(reply).ok, false);
    }
    assert.equal(parseSyncReply({ errcode: 0 }).ok, true);
  });

  it('parses the search_msg seed reply', () => {
    const parsed = parseSearchReply({
      errcode: 0,
      errmsg: 'ok',
      has_more: 1,
      next_cursor: 'CURSOR',
      msg_list: [{ msgid: 'xxxmsgid' }, { msgid: 'yyymsgid' }, {}],
    });
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.msgids, ['xxxmsgid', 'yyymsgid']);
    assert.equal(parsed.value.hasMore, true);
    assert.equal(parsed.value.skipped, 1);
  });
});
