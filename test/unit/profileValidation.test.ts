import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCallbackToken, profileOfSecretKey, secretKey } from '../../src/host/profiles/profile';
import * as check from '../../src/host/profiles/validation';

describe('profile wizard checks (as the user types)', () => {
  it('corp ids: letters, digits, - and _, 4 to 64', () => {
    assert.equal(check.checkCorpId('ww1234abcd', 'en'), undefined);
    assert.match(check.checkCorpId('a b', 'en') ?? '', /4–64 letters/);
    assert.match(check.checkCorpId('abc', 'zh') ?? '', /企业 ID/);
  });

  it('base URLs: https anywhere, http only on loopback', () => {
    assert.equal(check.checkBaseUrl('https://relay.example.com', 'en'), undefined);
    assert.equal(check.checkBaseUrl('http://127.0.0.1:8080', 'en'), undefined);
    assert.match(check.checkBaseUrl('http://relay.example.com', 'en') ?? '', /Insecure URL/);
    assert.match(check.checkBaseUrl('not a url', 'en') ?? '', /Not a valid URL/);
  });

  it('callback token: required, at most 128 UTF-8 bytes (seed 000)', () => {
    assert.equal(check.checkCallbackToken('a'.repeat(128), 'en'), undefined);
    assert.match(check.checkCallbackToken('a'.repeat(129), 'en') ?? '', /128 bytes/);
    assert.match(check.checkCallbackToken('令'.repeat(43), 'en') ?? '', /129/); // 43 × 3 bytes
    assert.match(check.checkCallbackToken('  ', 'en') ?? '', /required/);
  });

  it('key versions, token expiry minutes and viewer templates', () => {
    assert.equal(check.checkKeyVersion('3', 'en'), undefined);
    assert.ok(check.checkKeyVersion('0', 'en'));
    assert.ok(check.checkKeyVersion('1.5', 'en'));
    assert.equal(check.checkExpiryMinutes('', 'en'), undefined);
    assert.ok(check.checkExpiryMinutes('0', 'en'));
    assert.equal(check.checkViewerTemplate('https://v.example.com/m?id={msgid}&k={secretKey}', 'en'), undefined);
    assert.match(check.checkViewerTemplate('https://v.example.com/m', 'en') ?? '', /\{msgid\}/);
    assert.match(check.checkViewerTemplate('http://v.example.com/{msgid}', 'en') ?? '', /Insecure/);
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
