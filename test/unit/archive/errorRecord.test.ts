// An error the archive records is worded when it is read, in the reader's language: the record
// keeps the Phrase (template and arguments), not the English of the run that failed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArchiveError, errorPhrase, recordableError, recordedError, ServerProtocolError } from '../../../src/core/archive/errors';
import { WeComApiError } from '../../../src/core/wecom/errors';
import { english, word } from '../../../src/shared/text';
import { chinese } from '../../harness/l10n';

describe('recorded errors', () => {
  it('a typed error round-trips as its phrase, nested phrases included, and reads in either language', () => {
    const stored = recordableError(new WeComApiError(60020, 'not allow to access from your ip', 'sync_msg'));
    const p = recordedError(stored);
    assert.equal(word(p, english), "sync_msg failed (errcode 60020): The caller's IP is not on the provider's IP whitelist.");
    assert.equal(word(p, chinese), 'sync_msg 调用失败（errcode 60020）：调用方 IP 不在服务商的 IP 白名单中。');
  });

  it('an unknown errcode keeps WeCom\'s errmsg, redacted, as an argument', () => {
    const p = recordedError(recordableError(new WeComApiError(99999, 'odd TOKEN_X', 'sync_msg', ['TOKEN_X'])));
    assert.equal(word(p, english), 'sync_msg failed (errcode 99999): odd ***');
    assert.ok(!JSON.stringify(p).includes('TOKEN_X'));
  });

  it('the archive\'s own errors a user can act on have sentences; others keep their English detail', () => {
    assert.match(word(errorPhrase(new ServerProtocolError('cursorStuck')), chinese), /cursorStuck/);
    assert.match(word(errorPhrase(new ArchiveError('NEWER_SCHEMA', 'schema 9 > 3')), chinese), /更新版本/);
    assert.equal(word(errorPhrase(new ArchiveError('BAD_REQUEST', 'resolve takes at most 100 msgids')), chinese), 'resolve takes at most 100 msgids');
    assert.equal(word(errorPhrase(new Error('plain')), english), 'plain');
  });

  it('text recorded before errors were phrases, or anything that is not one, reads as it is', () => {
    for (const old of ['sync_msg failed (errcode 48002): No permission to call this API.', '{"phrase":{"text":1}}', '{not json', '']) {
      assert.equal(word(recordedError(old), chinese), old);
    }
  });
});
