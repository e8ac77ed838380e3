import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { english, word } from '../../../src/shared/text';
import { chinese } from '../../harness/l10n';
import {
  codePointLength,
  MAX_SEARCH_SPAN_SECONDS,
  type RuleId,
  utf8ByteLength,
  validateSearchRequest,
  validateSyncRequest,
} from '../../../src/shared/rules';
import type { SearchMsgRequest } from '../../../src/shared/wire';

function rulesOf(request: SearchMsgRequest): RuleId[] {
  return validateSearchRequest(request).map((v) => v.rule);
}

describe('search_msg rules', () => {
  it('accepts WeCom\'s documented example', () => {
    assert.deepEqual(
      rulesOf({
        query_word: '欢迎',
        chat_info: { chat_type: 1, id_list: [{ open_userid: 'OPEN_USERID' }, { external_userid: 'EXTERNALID1' }] },
        start_time: 1668355200,
        end_time: 1668528000,
        limit: 50,
        cursor: 'CURSOR',
      }),
      [],
    );
  });

  it('counts query_word in code points, not bytes or UTF-16 units', () => {
    assert.deepEqual(rulesOf({ query_word: '欢' }), ['query_word.min_chars']); // 3 bytes, 1 char
    assert.deepEqual(rulesOf({ query_word: '😀' }), ['query_word.min_chars']); // 2 UTF-16 units, 1 char
    assert.deepEqual(rulesOf({ query_word: 'a' }), ['query_word.min_chars']);
    assert.deepEqual(rulesOf({ query_word: '' }), ['query_word.required']);
    assert.deepEqual(rulesOf({ query_word: '欢迎' }), []);
    assert.deepEqual(rulesOf({ query_word: '😀😀' }), []);
    assert.deepEqual(rulesOf({ query_word: 'ab' }), []);
    assert.equal(codePointLength('😀a'), 2);
    assert.equal(utf8ByteLength('欢'), 3);
  });

  it('chat_type must be 1 or 2', () => {
    assert.deepEqual(rulesOf({ query_word: 'ab', chat_info: { chat_type: 3 } }), ['chat_type.enum']);
    assert.deepEqual(rulesOf({ query_word: 'ab', chat_info: { chat_type: 2 } }), []);
  });

  it('single chat: id_list is optional, and when given has exactly 2 entries, each with an id', () => {
    assert.deepEqual(rulesOf({ query_word: 'ab', chat_info: { chat_type: 1 } }), []);
    assert.deepEqual(rulesOf({ query_word: 'ab', chat_info: { chat_type: 1, id_list: [] } }), ['id_list.length']);
    assert.deepEqual(
      rulesOf({ query_word: 'ab', chat_info: { chat_type: 1, id_list: [{ open_userid: 'a' }] } }),
      ['id_list.length'],
    );
    assert.deepEqual(
      rulesOf({
        query_word: 'ab',
        chat_info: { chat_type: 1, id_list: [{ open_userid: 'a' }, { external_userid: 'b' }, { open_userid: 'c' }] },
      }),
      ['id_list.length'],
    );
    const v = validateSearchRequest({ query_word: 'ab', chat_info: { chat_type: 1, id_list: [{ open_userid: 'a' }, {}] } });
    assert.deepEqual(
      v.map((x) => [x.rule, x.parameter]),
      [['id_list.entry', 'chat_info.id_list[1]']],
    );
    assert.ok(v[0] && word(v[0].message, chinese) && word(v[0].message, english));
  });

  it('chat_id only with chat_type 2; id_list only with chat_type 1', () => {
    assert.deepEqual(rulesOf({ query_word: 'ab', chat_info: { chat_id: 'wr1' } }), ['chat_id.group_only']);
    assert.deepEqual(
      rulesOf({
        query_word: 'ab',
        chat_info: { chat_type: 1, chat_id: 'wr1', id_list: [{ open_userid: 'a' }, { open_userid: 'b' }] },
      }),
      ['chat_id.group_only'],
    );
    assert.deepEqual(rulesOf({ query_word: 'ab', chat_info: { chat_type: 2, chat_id: 'wr1' } }), []);
    assert.deepEqual(
      rulesOf({ query_word: 'ab', chat_info: { chat_type: 2, id_list: [{ open_userid: 'a' }, { open_userid: 'b' }] } }),
      ['id_list.single_only'],
    );
  });

  it('time rules: end needs start, start < end, span ≤ 30 days exactly', () => {
    const start = 1_700_000_000;
    assert.deepEqual(rulesOf({ query_word: 'ab', end_time: start }), ['end_time.requires_start']);
    assert.deepEqual(rulesOf({ query_word: 'ab', start_time: start }), []);
    assert.deepEqual(rulesOf({ query_word: 'ab', start_time: start, end_time: start }), ['time.order']);
    assert.deepEqual(rulesOf({ query_word: 'ab', start_time: start, end_time: start - 1 }), ['time.order']);
    assert.equal(MAX_SEARCH_SPAN_SECONDS, 30 * 86400);
    assert.deepEqual(rulesOf({ query_word: 'ab', start_time: start, end_time: start + 30 * 86400 }), []);
    assert.deepEqual(rulesOf({ query_word: 'ab', start_time: start, end_time: start + 30 * 86400 + 1 }), ['time.span']);
    assert.deepEqual(rulesOf({ query_word: 'ab', start_time: 1.5, end_time: 10 }), ['time.integer']);
  });

  it('limit 1..100', () => {
    assert.deepEqual(rulesOf({ query_word: 'ab', limit: 1 }), []);
    assert.deepEqual(rulesOf({ query_word: 'ab', limit: 100 }), []);
    assert.deepEqual(rulesOf({ query_word: 'ab', limit: 0 }), ['limit.range']);
    assert.deepEqual(rulesOf({ query_word: 'ab', limit: 101 }), ['limit.range']);
    assert.deepEqual(rulesOf({ query_word: 'ab', limit: 2.5 }), ['limit.range']);
  });

  it('reports several violations at once', () => {
    assert.deepEqual(rulesOf({ query_word: 'a', limit: 500, end_time: 5 }), [
      'query_word.min_chars',
      'end_time.requires_start',
      'limit.range',
    ]);
  });
});

describe('sync_msg rules', () => {
  it('limit 1..1000', () => {
    assert.deepEqual(validateSyncRequest({ limit: 1000 }), []);
    assert.deepEqual(validateSyncRequest({}), []);
    assert.deepEqual(
      validateSyncRequest({ limit: 1001 }).map((v) => v.rule),
      ['limit.range'],
    );
    assert.deepEqual(
      validateSyncRequest({ limit: 0 }).map((v) => v.rule),
      ['limit.range'],
    );
  });

  it('cursor and token ≤ 128 UTF-8 bytes', () => {
    assert.deepEqual(validateSyncRequest({ cursor: 'x'.repeat(128), token: 'y'.repeat(128) }), []);
    assert.deepEqual(
      validateSyncRequest({ cursor: 'x'.repeat(129) }).map((v) => v.rule),
      ['cursor.max_bytes'],
    );
    // 43 CJK characters = 129 bytes although only 43 UTF-16 units.
    assert.deepEqual(
      validateSyncRequest({ token: '欢'.repeat(43) }).map((v) => [v.rule, v.parameter]),
      [['token.max_bytes', 'token']],
    );
    assert.deepEqual(validateSyncRequest({ token: '欢'.repeat(42) }), []);
  });
});
