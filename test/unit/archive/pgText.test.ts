/**
 * The rule that keeps any JS string byte-exact in PostgreSQL text (pg/text.ts): it round-trips,
 * its output is text PostgreSQL takes as sent (no NUL, no lone surrogate), it is injective, and
 * WeCom's ordinary ids pass through untouched. The service tier proves the same through a server.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fromPgText, toPgText } from '../../../src/core/archive/pg/text';

const unit = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.constantFrom('\u0000', '\uffff', '0', 'e', 'u', 'd800') },
);
const hostile = fc.string({ unit, maxLength: 40 });
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('PostgreSQL text rule', () => {
  it('round-trips every string, and its output holds no NUL and no lone surrogate', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const stored = toPgText(s);
        assert.equal(fromPgText(stored), s);
        assert.ok(!stored.includes('\u0000'));
        assert.ok(!LONE.test(stored));
        // What the driver sends: UTF-8, which now decodes to the same text.
        assert.equal(Buffer.from(stored, 'utf8').toString('utf8'), stored);
      }),
      { numRuns: 2000, seed: 15 },
    );
  });

  it('is injective: different strings are stored differently', () => {
    fc.assert(fc.property(hostile, hostile, (a, b) => a === b || toPgText(a) !== toPgText(b)), { numRuns: 2000, seed: 16 });
  });

  it('leaves ordinary ids, CJK and emoji untouched', () => {
    for (const s of ['wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA', 'msg_1700000000_中文_😀', '', 'a\\b"c']) assert.equal(toPgText(s), s);
    assert.equal(toPgText('a\u0000b\uffff\ud800'), 'a\uffff0b\uffffe\uffffud800');
  });
});
