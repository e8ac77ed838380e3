/**
 * Spans in JSON text: every span must slice out text that JSON.parse reads as the value it names,
 * on hand-picked traps and on generated documents; anything the scanner cannot vouch for is
 * undefined, never a wrong span.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../../src/simulator/prng';
import { depthAt, elementSpans, memberElementSpans, memberSpan, valueEnd } from '../../../src/wecom/jsonSpans';

function sliceOf(text: string, span: readonly [number, number] | undefined): string | undefined {
  return span ? text.slice(span[0], span[1]) : undefined;
}

const TRICKY = ['', 'a"b', 'back\\slash', 'end\\', '\\"', '}{][,:', '"receiver_list":[', '中文', '\u2028', 'tab\tnl\n', '\\\\"'];

function randomValue(rand: () => number, depth: number): unknown {
  const r = rand();
  if (depth > 3 || r < 0.3) {
    const pick = rand();
    if (pick < 0.3) return TRICKY[Math.floor(rand() * TRICKY.length)];
    if (pick < 0.5) return Math.floor(rand() * 1e6) - 5e5;
    if (pick < 0.6) return rand() * 100;
    if (pick < 0.7) return null;
    return rand() < 0.5;
  }
  if (r < 0.65) return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
  const obj: Record<string, unknown> = {};
  for (let i = Math.floor(rand() * 5); i > 0; i--) obj[`${TRICKY[Math.floor(rand() * TRICKY.length)]}k${i}`] = randomValue(rand, depth + 1);
  return obj;
}

/** Pretty-printed half of the time: spans must not depend on whitespace. */
function serialize(value: unknown, rand: () => number): string {
  return rand() < 0.5 ? JSON.stringify(value) : JSON.stringify(value, null, rand() < 0.5 ? 2 : '\t');
}

describe('jsonSpans', () => {
  it('memberSpan: the value of a top-level member, not a nested one of the same name', () => {
    const text = '{"a":{"target":1},"target":[1,{"target":2}],"z":"x"}';
    assert.equal(sliceOf(text, memberSpan(text, 'target')), '[1,{"target":2}]');
    assert.equal(sliceOf(text, memberSpan(text, 'z')), '"x"');
    assert.equal(memberSpan(text, 'missing'), undefined);
  });

  it('memberSpan: whitespace anywhere, strings with quotes, backslashes and brackets', () => {
    const text = ' {\n  "s" : "q\\"}]\\\\" ,\n  "n" :\t-12.5e3 , "t" : true\n}';
    assert.equal(JSON.parse(sliceOf(text, memberSpan(text, 's'))!), 'q"}]\\');
    assert.equal(sliceOf(text, memberSpan(text, 'n')), '-12.5e3');
    assert.equal(sliceOf(text, memberSpan(text, 't')), 'true');
  });

  it('memberSpan: a repeated key gives the last value, as JSON.parse keeps it', () => {
    const text = '{"k":1,"other":2,"k":[3]}';
    assert.equal(sliceOf(text, memberSpan(text, 'k')), '[3]');
    assert.deepEqual(JSON.parse(sliceOf(text, memberSpan(text, 'k'))!), JSON.parse(text).k);
  });

  it('memberSpan: gives up (undefined) on escaped keys and on text that is not an object', () => {
    assert.equal(memberSpan('{"msg\\u005flist":[1]}', 'msg_list'), undefined);
    assert.equal(memberSpan('[1,2]', 'a'), undefined);
    assert.equal(memberSpan('{"a":1', 'a'), undefined);
    assert.equal(memberSpan('{"a" 1}', 'a'), undefined);
    assert.equal(memberSpan('{}', 'a'), undefined);
  });

  it('elementSpans: each element as written; empty arrays; a span that is not the whole array is refused', () => {
    const text = '{"list":[ {"a":"]"} , 2,"x",[[]],null ]}';
    const list = memberSpan(text, 'list')!;
    const spans = elementSpans(text, list)!;
    assert.deepEqual(
      spans.map((s) => text.slice(s[0], s[1])),
      ['{"a":"]"}', '2', '"x"', '[[]]', 'null'],
    );
    assert.deepEqual(elementSpans('[]', [0, 2]), []);
    assert.equal(elementSpans('[1,2]', [0, 4]), undefined, 'the span must end where the array ends');
    assert.equal(elementSpans('{"a":1}', [0, 7]), undefined);
  });

  it('memberElementSpans: the last member of that name, only when it is an array; gives up like memberSpan', () => {
    const text = '{"list":[9],"x":{"list":[1]},"list" : [ 1 , "a]" ,{"b":[2]} ]}';
    assert.deepEqual(
      memberElementSpans(text, 'list')?.map((s) => text.slice(s[0], s[1])),
      ['1', '"a]"', '{"b":[2]}'],
    );
    assert.deepEqual(memberElementSpans('{"list":[]}', 'list'), []);
    assert.equal(memberElementSpans('{"list":[1],"list":2}', 'list'), undefined, 'the last one is no array');
    assert.equal(memberElementSpans('{"other":[1]}', 'list'), undefined);
    assert.equal(memberElementSpans('{"l\\u0069st":[1]}', 'list'), undefined);
    assert.equal(memberElementSpans('{"list":[1,}', 'list'), undefined);
  });

  it('depthAt and valueEnd', () => {
    const text = '{"a":[{"b":"x{["}],"c":1}';
    assert.equal(depthAt(text, text.indexOf('"a"')), 1);
    assert.equal(depthAt(text, text.indexOf('"b"')), 3);
    assert.equal(depthAt(text, text.indexOf('x{')), -1, 'inside a string');
    assert.equal(depthAt(text, text.indexOf('"c"')), 1);
    const start = text.indexOf('[');
    assert.equal(text.slice(start, valueEnd(text, start)), '[{"b":"x{["}]');
  });

  it('generated documents: every span slices out exactly the value JSON.parse reads', () => {
    const rand = mulberry32(20261122); // seeded, so a failure can be replayed
    let checked = 0;
    for (let n = 0; n < 400; n++) {
      const list = Array.from({ length: Math.floor(rand() * 6) }, () => randomValue(rand, 0));
      const doc: Record<string, unknown> = { errcode: 0, before: randomValue(rand, 1), msg_list: list, after: randomValue(rand, 1) };
      const text = serialize(doc, rand);
      const span = memberSpan(text, 'msg_list');
      assert.ok(span, text);
      const spans = elementSpans(text, span);
      assert.ok(spans, text);
      assert.equal(spans.length, list.length);
      assert.deepEqual(memberElementSpans(text, 'msg_list'), spans, 'one pass finds the same elements');
      spans.forEach((s, i) => {
        assert.deepEqual(JSON.parse(text.slice(s[0], s[1])), list[i], text);
      });
      for (const key of ['before', 'after', 'errcode']) {
        assert.deepEqual(JSON.parse(sliceOf(text, memberSpan(text, key))!), doc[key], `${key} in ${text}`);
      }
      checked += spans.length;
    }
    assert.ok(checked > 500, `checked ${checked} elements`);
  });
});
