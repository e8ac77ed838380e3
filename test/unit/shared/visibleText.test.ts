// The one helper that makes bidi, control and invisible characters visible wherever an id is shown.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hasHiddenCharacters, isoTime, markdownCode, timeMs, visibleText } from '../../../src/shared/visibleText';

/** Strings rich in what an id may hold: bidi controls, C0/C1, zero-width, lone surrogates, backticks. */
const tricky = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\u202E', '\u202D', '\u200F', '\u200E', '\u2066', '\u2069', '\u061C', '\u0000', '\t', '\n', '\r', '\u007F', '\u0085', '\u200B', '\uFEFF', '\u2028', '\uD800', '`', '⟨', 'a', 'é', '长', ' '),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 40,
});

describe('visibleText: bidi and control characters made visible', () => {
  it('names each one by its code point', () => {
    assert.equal(visibleText('wo\u202Egpj.exe'), 'wo⟨U+202E⟩gpj.exe');
    assert.equal(visibleText('a\tb\u0000\u200F'), 'a⟨U+0009⟩b⟨U+0000⟩⟨U+200F⟩');
    assert.equal(visibleText('x\uD800y'), 'x⟨U+D800⟩y', 'a lone surrogate');
    assert.equal(visibleText('客户 wm_ABC-123 😀'), '客户 wm_ABC-123 😀', 'ordinary text is untouched');
  });

  it('leaves nothing hidden, is idempotent, and changes only what it must', () => {
    fc.assert(
      fc.property(tricky, (s) => {
        const v = visibleText(s);
        assert.equal(hasHiddenCharacters(v), false, JSON.stringify(v));
        assert.equal(visibleText(v), v);
        assert.equal(v === s, !hasHiddenCharacters(s));
        // Every character that stays is one of the input's, in order (markers aside).
        assert.equal(v.replace(/⟨U\+[0-9A-F]{4,6}⟩/g, ''), [...s].filter((c) => !hasHiddenCharacters(c)).join(''));
      }),
      { numRuns: 2000 },
    );
  });

  it('markdownCode: an id is inline code whatever it holds, never a link', () => {
    assert.equal(markdownCode('https://3232235777/login'), '` https://3232235777/login `');
    assert.equal(markdownCode('a`b'), '`` a`b ``');
    assert.equal(markdownCode(''), '');
    fc.assert(
      fc.property(tricky, (s) => {
        const md = markdownCode(s);
        if (s === '') return;
        const fence = /^`+/.exec(md)![0];
        assert.ok(md.endsWith(` ${fence}`) && md.startsWith(`${fence} `));
        const inner = md.slice(fence.length + 1, md.length - fence.length - 1);
        assert.equal(inner, visibleText(s));
        assert.ok(!inner.includes(fence), 'the fence is longer than any backtick run inside');
        assert.ok(!/[\r\n]/.test(md), 'no line break can end the span');
      }),
      { numRuns: 1000 },
    );
  });

  it('times: any number in, a Date only where one exists', () => {
    assert.equal(isoTime(0), '1970-01-01T00:00:00.000Z');
    assert.equal(isoTime(-1), '1969-12-31T23:59:59.000Z');
    assert.equal(isoTime(0.5), '1970-01-01T00:00:00.500Z');
    assert.equal(isoTime(1e300), undefined);
    assert.equal(isoTime(2 ** 53), undefined);
    assert.equal(timeMs(Number.NaN), undefined);
    fc.assert(
      fc.property(fc.double(), (n) => {
        const iso = isoTime(n);
        if (iso !== undefined) assert.equal(new Date(iso).getTime(), new Date(n * 1000).getTime());
        else assert.ok(!Number.isFinite(n) || Math.abs(n * 1000) > 8.64e15);
      }),
    );
  });
});
