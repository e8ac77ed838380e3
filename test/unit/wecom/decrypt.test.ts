import assert from 'node:assert/strict';
import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { english, word } from '../../../src/shared/text';
import { chinese } from '../../harness/l10n';
import { KeyRing, unpadPkcs1v15, validatePrivateKeyPem } from '../../../src/core/wecom/decrypt';
import { DecryptError } from '../../../src/core/wecom/errors';

interface Pair {
  publicPem: string;
  pkcs1: string;
  pkcs8: string;
}

function pair(bits = 2048): Pair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    pkcs1: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    pkcs8: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function encryptV15(publicPem: string, text: string): string {
  return publicEncrypt({ key: publicPem, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(text)).toString('base64');
}

describe('encrypted_secret_key decryption', () => {
  let v1: Pair;
  let v2: Pair;
  before(() => {
    v1 = pair();
    v2 = pair();
  });

  it('the built-in PKCS#1 path is unusable on this Node; the KeyRing is not', () => {
    // Node builds on OpenSSL 3.0 throw (CVE-2023-46809); builds on OpenSSL ≥ 3.2 (Node 22.23 ships
    // 3.5) use "implicit rejection": a wrong key yields random bytes and no error. Either way
    // privateDecrypt(RSA_PKCS1_PADDING) can't tell a wrong key, so we check the padding ourselves.
    const c = Buffer.from(encryptV15(v1.publicPem, 'secret'), 'base64');
    let outcome: 'throws' | 'silentGarbage' | 'detected';
    try {
      const garbage = privateDecrypt({ key: v2.pkcs1, padding: constants.RSA_PKCS1_PADDING }, c);
      outcome = garbage.toString() === 'secret' ? 'detected' : 'silentGarbage';
    } catch {
      outcome = 'throws';
    }
    assert.notEqual(outcome, 'detected');
    const ring = new KeyRing();
    ring.add(1, v1.pkcs1);
    ring.add(2, v2.pkcs1);
    assert.equal(ring.decrypt(c.toString('base64'), 1).secretKey, 'secret');
    assert.throws(() => ring.decrypt(c.toString('base64'), 2), (e: unknown) => e instanceof DecryptError && e.problem === 'badPadding');
  });

  it('decrypts PKCS#1 v1.5 with two key versions (PKCS#1 and PKCS#8 PEM)', () => {
    const ring = new KeyRing();
    ring.add(1, v1.pkcs1);
    ring.add(2, v2.pkcs8);
    assert.deepEqual(ring.versions(), [1, 2]);
    const a = ring.decrypt(encryptV15(v1.publicPem, 'key-for-v1'), 1);
    const b = ring.decrypt(encryptV15(v2.publicPem, 'key-for-v2-长'), 2);
    assert.equal(a.secretKey, 'key-for-v1');
    assert.equal(a.padding, 'pkcs1');
    assert.equal(b.secretKey, 'key-for-v2-长');
  });

  it('falls back to OAEP', () => {
    const ring = new KeyRing();
    ring.add(3, v1.pkcs8);
    const c = publicEncrypt({ key: v1.publicPem, padding: constants.RSA_PKCS1_OAEP_PADDING }, Buffer.from('oaep-secret'));
    const r = ring.decrypt(c.toString('base64'), 3);
    assert.equal(r.secretKey, 'oaep-secret');
    assert.equal(r.padding, 'oaep-sha1');
  });

  it('missing version → "No private key for version N. Import the private key for version N." (said once)', () => {
    const ring = new KeyRing();
    ring.add(1, v1.pkcs1);
    assert.throws(
      () => ring.decrypt(encryptV15(v2.publicPem, 'x'), 7),
      (e: unknown) =>
        e instanceof DecryptError &&
        e.problem === 'missingKey' &&
        e.publicKeyVer === 7 &&
        e.message.includes('No private key for version 7') &&
        e.nextStep.action === 'importKey' &&
        // The sentence and its next step together say the hint once.
        `${word(e.userMessage, english)} ${word(e.nextStep, english)}`.split('private key for version 7').length === 3 &&
        `${word(e.userMessage, english)} ${word(e.nextStep, english)}` === 'No private key for version 7. Import the private key for version 7.' &&
        `${word(e.userMessage, chinese)} ${word(e.nextStep, chinese)}` === '没有版本 7 的私钥。 导入版本 7 的私钥。',
    );
  });

  it('wrong key for the version → badPadding', () => {
    const ring = new KeyRing();
    ring.add(1, v1.pkcs1);
    assert.throws(
      () => ring.decrypt(encryptV15(v2.publicPem, 'x'), 1),
      (e: unknown) => e instanceof DecryptError && e.problem === 'badPadding',
    );
    assert.throws(
      () => ring.decrypt(Buffer.from('short').toString('base64'), 1),
      (e: unknown) => e instanceof DecryptError && e.problem === 'badCiphertext',
    );
  });

  it('unpadPkcs1v15 checks 00 02 PS≥8 00', () => {
    const block = (bytes: number[]) => Uint8Array.from(bytes);
    const ps8 = [1, 2, 3, 4, 5, 6, 7, 8];
    assert.deepEqual(unpadPkcs1v15(block([0, 2, ...ps8, 0, 65, 66])), block([65, 66]));
    assert.equal(unpadPkcs1v15(block([0, 2, ...ps8.slice(1), 0, 65, 66])), undefined); // PS only 7
    assert.equal(unpadPkcs1v15(block([0, 1, ...ps8, 0, 65])), undefined); // type 1
    assert.equal(unpadPkcs1v15(block([1, 2, ...ps8, 0, 65])), undefined); // leading byte
    assert.equal(unpadPkcs1v15(block([0, 2, ...ps8, 9, 65])), undefined); // no separator
  });
});

describe('private key validation', () => {
  it('accepts PKCS#1 and PKCS#8 RSA ≥ 2048 and gives the SPKI public key', () => {
    const p = pair();
    const a = validatePrivateKeyPem(p.pkcs1);
    const b = validatePrivateKeyPem(p.pkcs8);
    assert.equal(a.format, 'pkcs1');
    assert.equal(b.format, 'pkcs8');
    assert.equal(a.modulusLength, 2048);
    assert.equal(a.publicKeyPem.trim(), p.publicPem.trim());
    assert.equal(a.fingerprint, b.fingerprint);
  });

  it('refuses weak, non-RSA, encrypted and garbage keys with clear errors', () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const encrypted = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' })
      .toString();
    const problem = (pem: string) => {
      try {
        validatePrivateKeyPem(pem);
        return 'ok';
      } catch (e) {
        assert.ok(e instanceof DecryptError);
        assert.ok(word(e.userMessage, chinese) && word(e.userMessage, english));
        return e.problem;
      }
    };
    assert.equal(problem(weak), 'weakKey');
    assert.equal(problem(ec), 'notRsa');
    assert.equal(problem(encrypted), 'encryptedKey');
    assert.equal(problem('hello'), 'invalidKey');
    assert.equal(problem('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----'), 'invalidKey');
  });
});
