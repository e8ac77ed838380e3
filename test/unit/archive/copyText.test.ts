/**
 * COPY text fields (pg/copyText.ts): a field never holds a raw tab, newline or carriage return
 * (they would split the row), and reading it back by COPY's rules gives the text again. The
 * service tier proves the same through a server (the contract's hostile property test).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { copyBytea, copyNumber, copyText } from '../../../src/core/archive/pg/copyText';

/** COPY FROM's reading of a text field (the escapes copyText writes, and any other `\x` as x). */
function readField(field: string): string {
  return field.replace(/\\(.)/gs, (_, c: string) => ({ t: '\t', n: '\n', r: '\r' })[c] ?? c);
}

describe('COPY text fields', () => {
  it('escape backslash, tab, newline and CR, and read back exactly', () => {
    const unit = fc.oneof({ weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }, { weight: 4, arbitrary: fc.constantFrom('\\', '\t', '\n', '\r', '\\N', '\\.', 'x') });
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 60 }), (s) => {
        const field = copyText(s);
        assert.ok(!/[\t\n\r]/.test(field));
        assert.equal(readField(field), s);
        assert.notEqual(field, '\\N', 'never read as NULL');
      }),
      { numRuns: 3000, seed: 17 },
    );
    assert.equal(copyText('{"a":"b"}'), '{"a":"b"}', 'ordinary text untouched');
  });

  it('bytea in its hex form with the backslash escaped; numbers exactly', () => {
    assert.equal(copyBytea(Buffer.from([0, 0xab, 0xff])), '\\\\x00abff');
    assert.equal(readField(copyBytea(Buffer.from([1, 2]))), '\\x0102');
    assert.deepEqual([1.5, -0, 1e300, Number.NaN, -Infinity, 2 ** 53 + 2].map(copyNumber), ['1.5', '-0', '1e+300', 'NaN', '-Infinity', '9007199254740994']);
  });
});
