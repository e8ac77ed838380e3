import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { english, word } from '../../../src/shared/text';
import { chinese } from '../../harness/l10n';
import {
  BadResponseError,
  CancelledError,
  errcodeKind,
  NetworkError,
  RequestRuleError,
  TimeoutError,
  WeComApiError,
} from '../../../src/core/wecom/errors';
import { redactSecrets, redactUrl } from '../../../src/core/wecom/redact';
import { validateSearchRequest } from '../../../src/shared/rules';

describe('errcode table', () => {
  const expected: Array<[number, string, string]> = [
    [-1, 'retry', 'retry'],
    [40001, 'refreshToken', 'refreshToken'],
    [40014, 'refreshToken', 'refreshToken'],
    [42001, 'refreshToken', 'refreshToken'],
    [41001, 'refreshToken', 'refreshToken'],
    [42009, 'refreshToken', 'refreshToken'],
    [40082, 'refreshToken', 'refreshToken'],
    [40084, 'fatal', 'checkAuthorization'],
    [40085, 'fatal', 'updateSuiteTicket'],
    [40058, 'fatal', 'fixRequest'],
    [45009, 'wait', 'wait'],
    [45033, 'retry', 'retry'],
    [47001, 'fatal', 'reportBug'],
    [48001, 'fatal', 'checkAuthorization'],
    [48002, 'fatal', 'checkAuthorization'],
    [48004, 'fatal', 'checkAuthorization'],
    [50100, 'fatal', 'resetSyncPosition'],
    [60020, 'fatal', 'setProxy'],
    [301052, 'fatal', 'checkAuthorization'],
    [301053, 'fatal', 'checkAuthorization'],
    [301058, 'halveLimit', 'lowerLimit'],
  ];
  for (const [errcode, kind, action] of expected) {
    it(`${errcode} → ${kind} / ${action}`, () => {
      const e = new WeComApiError(errcode, 'x', 'sync_msg');
      assert.equal(e.kind, kind);
      assert.equal(errcodeKind(errcode), kind);
      assert.equal(e.nextStep.action, action);
      assert.ok(word(e.userMessage, chinese).includes(String(errcode)));
      assert.ok(word(e.nextStep, chinese).length > 0 && word(e.nextStep, english).length > 0);
      assert.equal(e.api, 'sync_msg');
      assert.ok(e instanceof Error);
    });
  }

  it('unknown errcodes are fatal and keep errmsg', () => {
    const e = new WeComApiError(99999, 'strange thing', 'search_msg');
    assert.equal(e.kind, 'fatal');
    assert.ok(e.message.includes('strange thing'));
  });

  it('errmsg is redacted of the token', () => {
    const token = 'SECRET_TOKEN_VALUE_123';
    const e = new WeComApiError(40014, `invalid access_token ${token}, url /x?access_token=${token}&a=1`, 'sync_msg', [token]);
    assert.ok(!e.errmsg.includes(token));
    assert.ok(!JSON.stringify(e).includes(token));
    assert.ok(!e.message.includes(token));
  });
});

describe('redaction', () => {
  it('redacts token parameters and URL credentials', () => {
    assert.equal(redactUrl('https://h/p?access_token=abc&x=1'), 'https://h/p?access_token=***&x=1');
    assert.equal(redactUrl('https://h/p?x=1&suite_access_token=abc'), 'https://h/p?x=1&suite_access_token=***');
    assert.equal(redactUrl('http://user:pw@proxy:8080/'), 'http://***@proxy:8080/');
    assert.equal(redactSecrets('token is LONGSECRET here', ['LONGSECRET']), 'token is *** here');
  });
});

describe('other typed errors', () => {
  it('transport errors say whether they are retryable', () => {
    assert.equal(new NetworkError('ECONNRESET', 'reset', true).kind, 'retry');
    assert.equal(new NetworkError('ENOTFOUND', 'dns', false).nextStep.action, 'setProxy');
    assert.equal(new TimeoutError(100, 'sync_msg').kind, 'retry');
    assert.equal(new BadResponseError('json', 'x').kind, 'retry');
    assert.equal(new BadResponseError('http', 'x', 502).kind, 'retry');
    assert.equal(new BadResponseError('http', 'x', 404).kind, 'fatal');
    assert.equal(new CancelledError().kind, 'cancelled');
  });

  it('rule errors carry the violations', () => {
    const e = new RequestRuleError('search_msg', validateSearchRequest({ query_word: 'a' }));
    assert.equal(e.violations[0]?.rule, 'query_word.min_chars');
    assert.equal(e.nextStep.action, 'fixRequest');
  });

  it('rule errors word every violation in the reader\'s language (the core only carries phrases)', () => {
    const e = new RequestRuleError('search_msg', validateSearchRequest({ query_word: 'a', limit: 101 }));
    assert.equal(e.message, 'The search word needs at least 2 characters. limit must be a whole number from 1 to 100 (got 101).');
    assert.equal(word(e.userMessage, chinese), '搜索词至少需要 2 个字符。 limit 必须是 1 到 100 之间的整数（当前为 101）。');
  });
});
