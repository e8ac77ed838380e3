import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCallbackToken, profileOfSecretKey, secretKey } from '../../src/host/profiles/profile';
import * as check from '../../src/host/profiles/validation';
import { english } from '../../src/shared/text';
import { chinese } from '../harness/l10n';

describe('profile wizard checks (as the user types)', () => {
  it('corp ids: letters, digits, - and _, 4 to 64', () => {
    assert.equal(check.checkCorpId('ww1234abcd', english), undefined);
    assert.match(check.checkCorpId('a b', english) ?? '', /4–64 letters/);
    assert.match(check.checkCorpId('abc', chinese) ?? '', /企业 ID/);
  });

  it('base URLs: https anywhere, http only on loopback', () => {
    assert.equal(check.checkBaseUrl('https://relay.example.com', english), undefined);
    assert.equal(check.checkBaseUrl('http://127.0.0.1:8080', english), undefined);
    assert.match(check.checkBaseUrl('http://relay.example.com', english) ?? '', /Insecure URL/);
    assert.match(check.checkBaseUrl('not a url', english) ?? '', /Not a valid URL/);
  });

  it('callback token: required, at most 128 UTF-8 bytes (docs/wecom-api.md §2)', () => {
    assert.equal(check.checkCallbackToken('a'.repeat(128), english), undefined);
    assert.match(check.checkCallbackToken('a'.repeat(129), english) ?? '', /128 bytes/);
    assert.match(check.checkCallbackToken('令'.repeat(43), english) ?? '', /129/); // 43 × 3 bytes
    assert.match(check.checkCallbackToken('  ', english) ?? '', /required/);
  });

  it('key versions, token expiry minutes and viewer templates', () => {
    assert.equal(check.checkKeyVersion('3', english), undefined);
    assert.ok(check.checkKeyVersion('0', english));
    assert.ok(check.checkKeyVersion('1.5', english));
    assert.equal(check.checkExpiryMinutes('', english), undefined);
    assert.ok(check.checkExpiryMinutes('0', english));
    assert.equal(check.checkViewerTemplate('https://v.example.com/m?id={msgid}&k={secretKey}', english), undefined);
    assert.match(check.checkViewerTemplate('https://v.example.com/m', english) ?? '', /\{msgid\}/);
    assert.match(check.checkViewerTemplate('http://v.example.com/{msgid}', english) ?? '', /Insecure/);
  });

  it('secret keys belong to their profile, and expired callback tokens count as none', () => {
    assert.equal(profileOfSecretKey(secretKey('p1', 'privateKey.2')), 'p1');
    assert.equal(profileOfSecretKey('other.extension.key'), undefined);
    const now = 1_000_000;
    assert.deepEqual(parseCallbackToken(JSON.stringify({ token: 't', expiresAt: now + 1 }), now), { token: 't', expiresAt: now + 1 });
    assert.equal(parseCallbackToken(JSON.stringify({ token: 't', expiresAt: now }), now), undefined);
    assert.equal(parseCallbackToken('{broken', now), undefined);
  });
});
