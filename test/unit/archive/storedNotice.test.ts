/**
 * The `stored` NOTIFY payload (pg/storedNotice.ts): never past the byte limit, whatever the ids
 * (2,000-character CJK chat keys, NUL, lone surrogates), a cut list says so, and what fits reads
 * back exactly. The service tier sends them through a real server (storedAcrossReplicas.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeNotice, encodeNotice, NOTIFY_PAYLOAD_MAX } from '../../../src/core/archive/pg/storedNotice';

describe('stored notices', () => {
  it('fit the limit; a list cut short is marked; what fits reads back exactly', () => {
    const unit = fc.oneof(
      { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
      { weight: 2, arbitrary: fc.constantFrom('\u0000', '\ud800', '"', '\\', '中') },
    );
    const key = fc.oneof({ weight: 4, arbitrary: fc.string({ unit, maxLength: 40 }) }, { weight: 1, arbitrary: fc.constant('中'.repeat(2000)) });
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 30 }), fc.nat(), fc.array(key, { maxLength: 12 }), (corp, inserted, chats) => {
        const payload = encodeNotice(corp, inserted, chats);
        assert.ok(Buffer.byteLength(payload) <= NOTIFY_PAYLOAD_MAX, `${Buffer.byteLength(payload)} bytes`);
        assert.ok(!payload.includes('\u0000'));
        const n = decodeNotice(payload)!;
        assert.equal(n.corpId, corp);
        assert.equal(n.inserted, inserted);
        assert.deepEqual(n.changedChats, chats.slice(0, n.changedChats.length), 'a prefix of the chats, exactly');
        assert.equal(n.truncated, n.changedChats.length < chats.length);
      }),
      { numRuns: 500, seed: 16 },
    );
  });

  it('a corp id too long to fit leaves the corp out: every corp refreshes', () => {
    const payload = encodeNotice('中'.repeat(3000), 5, ['a']);
    assert.ok(Buffer.byteLength(payload) <= NOTIFY_PAYLOAD_MAX);
    assert.deepEqual(decodeNotice(payload), { inserted: 5, changedChats: [], truncated: true });
  });

  it('a payload this build does not understand is ignored', () => {
    for (const p of ['', 'null', '{"inserted":"1","chats":[]}', '{"inserted":1,"chats":[1]}', '{"corp":1,"inserted":1,"chats":[]}']) assert.equal(decodeNotice(p), undefined);
  });
});
