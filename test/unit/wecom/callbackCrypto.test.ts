/**
 * WeCom's callback crypto. Known answers come from an independent implementation: the plaintext
 * layout is built here by hand and encrypted by the `openssl` command line; the signature is
 * `sha1sum` of the sorted strings. Then round trips (fast-check) and every way a callback is refused.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  aesKeyOf,
  CallbackCryptoError,
  callbackSignature,
  decryptCallback,
  encryptCallback,
} from '../../../src/core/wecom/callbackCrypto';
import { type CallbackEvent, envelopeXml, eventXml, parseEvent } from '../../../src/core/wecom/callbackEvents';
import { CallbackReceiver } from '../../../src/core/wecom/callbackReceiver';

/** A random 43-character EncodingAESKey whose last character leaves no stray bits (as WeCom's do). */
function newEncodingAesKey(): string {
  return randomBytes(32).toString('base64').slice(0, 43);
}

function opensslEncrypt(keyHex: string, ivHex: string, plain: Buffer): string {
  return execFileSync('openssl', ['enc', '-aes-256-cbc', '-K', keyHex, '-iv', ivHex, '-nopad', '-base64', '-A'], { input: plain }).toString('utf8').trim();
}

function sha1sum(text: string): string {
  return execFileSync('sha1sum', { input: Buffer.from(text, 'utf8') }).toString('utf8').split(' ')[0]!;
}

/** The plaintext layout, written independently of the product: prefix, length, message, receiver, PKCS#7 to 32. */
function layout(random: Buffer, message: string, receiver: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  const plain = Buffer.concat([random, head, body, Buffer.from(receiver, 'utf8')]);
  const pad = 32 - (plain.length % 32);
  return Buffer.concat([plain, Buffer.alloc(pad, pad)]);
}

describe('callback crypto: known answers from openssl and sha1sum', () => {
  for (const message of ['<xml><InfoType><![CDATA[suite_ticket]]></InfoType></xml>', '会话存档 conversation_new_message', 'x'.repeat(31), 'y'.repeat(32), '']) {
    it(`encrypts ${JSON.stringify(message.slice(0, 24))} (${Buffer.byteLength(message)} bytes) exactly as openssl does, and decrypts openssl's output`, () => {
      const encodingAesKey = newEncodingAesKey();
      const key = Buffer.from(`${encodingAesKey}=`, 'base64');
      const receiver = `ww${randomBytes(8).toString('hex')}`;
      const random = randomBytes(16);
      const expected = opensslEncrypt(key.toString('hex'), key.subarray(0, 16).toString('hex'), layout(random, message, receiver));
      assert.equal(encryptCallback({ encodingAesKey, receiverId: receiver }, message, random), expected);
      assert.equal(decryptCallback({ encodingAesKey, receiverId: receiver }, expected), message);
    });
  }

  it('signs as sha1sum of the four strings sorted and concatenated', () => {
    for (let i = 0; i < 5; i++) {
      const parts = [randomBytes(6).toString('hex'), String(1_700_000_000 + i), randomBytes(5).toString('base64url'), randomBytes(48).toString('base64')];
      const sorted = [...parts].sort();
      assert.equal(callbackSignature(parts[0]!, parts[1]!, parts[2]!, parts[3]!), sha1sum(sorted.join('')));
    }
  });
});

describe('callback crypto: properties', () => {
  it('decrypt(encrypt(m)) = m for any message and receiver', () => {
    const encodingAesKey = newEncodingAesKey();
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ minLength: 1, maxLength: 40 }), (message, receiverId) => {
        assert.equal(decryptCallback({ encodingAesKey, receiverId }, encryptCallback({ encodingAesKey, receiverId }, message)), message);
      }),
      { numRuns: 300 },
    );
  });

  it('a message for one receiver is refused by another', () => {
    const encodingAesKey = newEncodingAesKey();
    const sealed = encryptCallback({ encodingAesKey, receiverId: 'suite-a' }, '<xml/>');
    assert.throws(() => decryptCallback({ encodingAesKey, receiverId: 'suite-b' }, sealed), (e: unknown) => e instanceof CallbackCryptoError && e.rule === 'receiver.mismatch');
  });

  it('any truncation or any other key is refused, never decrypted to something else', () => {
    const encodingAesKey = newEncodingAesKey();
    const message = '<xml><InfoType>suite_ticket</InfoType></xml>';
    const sealed = Buffer.from(encryptCallback({ encodingAesKey, receiverId: 'suite' }, message), 'base64');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sealed.length - 1 }), (cut) => {
        assert.throws(() => decryptCallback({ encodingAesKey, receiverId: 'suite' }, sealed.subarray(0, cut).toString('base64')), CallbackCryptoError);
      }),
    );
    for (let i = 0; i < 20; i++) {
      const other = newEncodingAesKey();
      assert.throws(() => decryptCallback({ encodingAesKey: other, receiverId: 'suite' }, sealed.toString('base64')), CallbackCryptoError);
    }
  });

  it('refuses an EncodingAESKey that is not 43 base64 characters, naming the rule', () => {
    for (const bad of ['', 'short', `${'a'.repeat(42)}!`, 'a'.repeat(44)]) {
      assert.throws(() => aesKeyOf(bad), (e: unknown) => e instanceof CallbackCryptoError && e.rule === 'key.format' && !e.message.includes(bad || '\u0000'));
    }
  });
});

describe('callback events: XML', () => {
  const events: CallbackEvent[] = [
    { type: 'suite_ticket', suiteId: 'ww-suite', ticket: 'tkt', timestamp: '1700000000' },
    { type: 'create_auth', suiteId: 'ww-suite', authCode: 'auth-code', timestamp: '1700000001' },
    { type: 'change_auth', suiteId: 'ww-suite', corpId: 'wwcorp', timestamp: '1700000002' },
    { type: 'cancel_auth', suiteId: 'ww-suite', corpId: 'wwcorp', timestamp: '1700000003' },
    { type: 'conversation_new_message', suiteId: 'ww-suite', corpId: 'wwcorp', token: 'ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR', timestamp: '1700000004' },
    { type: 'hit_keyword', suiteId: 'ww-suite', corpId: 'wwcorp', token: 'hit', timestamp: '1700000005' },
    { type: 'other', infoType: 'reset_permanent_code', suiteId: 'ww-suite', timestamp: '1700000006' },
  ];
  for (const event of events) {
    it(`${event.type === 'other' ? event.infoType : event.type} round-trips`, () => assert.deepEqual(parseEvent(eventXml(event)), event));
  }

  it('tokens and ids survive byte for byte, whatever they hold', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 128 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 64 }), (token, corpId) => {
        const event: CallbackEvent = { type: 'conversation_new_message', suiteId: 's', corpId, token, timestamp: '1' };
        assert.deepEqual(parseEvent(eventXml(event)), event);
      }),
      { numRuns: 300 },
    );
  });
});

describe('callback receiver', () => {
  const secrets = { token: 'cb-token', encodingAesKey: newEncodingAesKey(), receiverId: 'ww-suite' };
  const now = 1_700_000_000;
  const receiver = (): CallbackReceiver => new CallbackReceiver(secrets, { now: () => now * 1000 });

  function post(xml: string, over: { timestamp?: number; nonce?: string; signature?: string; body?: string } = {}) {
    const encrypt = encryptCallback(secrets, xml);
    const timestamp = String(over.timestamp ?? now);
    const nonce = over.nonce ?? randomBytes(6).toString('hex');
    const signature = over.signature ?? callbackSignature(secrets.token, timestamp, nonce, encrypt);
    return { method: 'POST', query: new URLSearchParams({ msg_signature: signature, timestamp, nonce }), body: over.body ?? envelopeXml(encrypt, secrets.receiverId) };
  }
  const ticket = eventXml({ type: 'suite_ticket', suiteId: 'ww-suite', ticket: 'T1', timestamp: String(now) });

  it('answers success and returns the event', () => {
    const out = receiver().handle(post(ticket));
    assert.deepEqual(out, { ok: true, status: 200, body: 'success', event: { type: 'suite_ticket', suiteId: 'ww-suite', ticket: 'T1', timestamp: String(now) } });
  });

  it('verifies the URL: answers the decrypted echostr', () => {
    const echostr = encryptCallback(secrets, '8812345678901234');
    const timestamp = String(now);
    const query = new URLSearchParams({ msg_signature: callbackSignature(secrets.token, timestamp, 'n1', echostr), timestamp, nonce: 'n1', echostr });
    assert.deepEqual(receiver().handle({ method: 'GET', query, body: '' }), { ok: true, status: 200, body: '8812345678901234' });
  });

  it('refuses a forged signature, a replay, a stale or future timestamp, a truncated body, a missing field', () => {
    const r = receiver();
    const cases: Array<[string, ReturnType<typeof post>, string]> = [
      ['forged', post(ticket, { signature: 'f'.repeat(40) }), 'signature.mismatch'],
      ['stale', post(ticket, { timestamp: now - 301 }), 'timestamp.stale'],
      ['future', post(ticket, { timestamp: now + 301 }), 'timestamp.stale'],
      ['not xml', post(ticket, { body: '<xml><Encrypt>' }), 'xml.malformed'],
    ];
    const truncated = post(ticket);
    cases.push(['truncated', { ...truncated, body: truncated.body.slice(0, truncated.body.length - 40) }, 'xml.malformed']);
    const signedTruncation = (() => {
      const full = encryptCallback(secrets, ticket);
      // Whole AES blocks, signed by someone who knows the token: the plaintext's own checks refuse it.
      const cut = full.slice(0, 64);
      const nonce = 'cut';
      return { method: 'POST', query: new URLSearchParams({ msg_signature: callbackSignature(secrets.token, String(now), nonce, cut), timestamp: String(now), nonce }), body: envelopeXml(cut, 'x') };
    })();
    cases.push(['signed truncation', signedTruncation, 'padding.invalid|length.invalid']);
    for (const [name, req, rule] of cases) {
      const out = r.handle(req);
      assert.equal(out.ok, false, name);
      if (!out.ok) assert.ok(rule.split('|').includes(out.rule), `${name}: ${out.rule}`);
    }
    const once = post(ticket, { nonce: 'same' });
    assert.equal(r.handle(once).ok, true);
    const again = r.handle(once);
    assert.equal(again.ok, false);
    if (!again.ok) assert.equal(again.rule, 'nonce.replayed');
    const noToken = eventXml({ type: 'suite_ticket', suiteId: 'ww-suite', ticket: 'T', timestamp: '1' }).replace(/<SuiteTicket>.*<\/SuiteTicket>/, '');
    const missing = r.handle(post(noToken));
    assert.equal(missing.ok, false);
    if (!missing.ok) assert.equal(missing.rule, 'xml.missing_field');
  });

  it('never echoes its secrets in a refusal', () => {
    const out = receiver().handle(post(ticket, { signature: 'bad' }));
    assert.ok(!out.body.includes(secrets.token) && !out.body.includes(secrets.encodingAesKey));
  });

});
