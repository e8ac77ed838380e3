/**
 * Spans in JSON text: every span must slice out text that JSON.parse reads as the value it names,
 * on hand-picked traps and on generated documents; anything the scanner cannot vouch for is
 * undefined, never a wrong span.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../../src/core/simulator/prng';
import { depthAt, memberElementSpans, valueEnd } from '../../../src/core/wecom/jsonSpans';
import { randomJson, serializeJson } from './randomJson';

const TRICKY = ['', 'a"b', 'back\\slash', 'end\\', '\\"', '}{][,:', '"receiver_list":[', '中文', '\u2028', 'tab\tnl\n', '\\\\"'];

describe('jsonSpans', () => {
  const elements = (text: string, key: string): string[] | undefined => memberElementSpans(text, key)?.map((s) => text.slice(s[0], s[1]));

  it('memberElementSpans: the elements of a top-level member, not of a nested one of the same name', () => {
    const text = '{"a":{"target":[9]},"target":[1,{"target":[2]}],"z":"x"}';
    assert.deepEqual(elements(text, 'target'), ['1', '{"target":[2]}']);
    assert.equal(memberElementSpans(text, 'missing'), undefined);
  });

  it('memberElementSpans: whitespace anywhere; members skipped over hold quotes, backslashes and brackets', () => {
    const text = ' {\n  "s" : "q\\"}]\\\\" ,\n  "n" :\t-12.5e3 , "t" : true,\n "list" :\n [ {"a":"]"} ,\t2,"x",[[]],null ]\n}';
    assert.deepEqual(elements(text, 'list'), ['{"a":"]"}', '2', '"x"', '[[]]', 'null']);
    assert.deepEqual(elements(text, 'list')?.map((e) => JSON.parse(e) as unknown), JSON.parse(text).list);
    const valueAt = (from: string): string => {
      const start = text.indexOf(from);
      return text.slice(start, valueEnd(text, start));
    };
    assert.equal(JSON.parse(valueAt('"q')), 'q"}]\\');
    assert.equal(valueAt('-12'), '-12.5e3');
    assert.equal(valueAt('true'), 'true');
  });

  it('memberElementSpans: a repeated key gives the last one, as JSON.parse keeps it, and only when it is an array', () => {
    assert.deepEqual(elements('{"k":[1],"other":2,"k":[3]}', 'k'), ['3']);
    assert.equal(memberElementSpans('{"list":[1],"list":2}', 'list'), undefined, 'the last one is no array');
    assert.deepEqual(memberElementSpans('{"list":[]}', 'list'), []);
  });

  it('memberElementSpans: gives up (undefined) on escaped keys and on text that is not an object', () => {
    assert.equal(memberElementSpans('{"msg\\u005flist":[1]}', 'msg_list'), undefined);
    assert.equal(memberElementSpans('[1,2]', 'a'), undefined);
    assert.equal(memberElementSpans('{"a":[1]', 'a'), undefined);
    assert.equal(memberElementSpans('{"a" [1]}', 'a'), undefined);
    assert.equal(memberElementSpans('{"a":[1,}', 'a'), undefined);
    assert.equal(memberElementSpans('{}', 'a'), undefined);
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
      const list = Array.from({ length: Math.floor(rand() * 6) }, () => randomJson(rand, 0, TRICKY));
      const doc: Record<string, unknown> = { errcode: 0, before: randomJson(rand, 1, TRICKY), msg_list: list, after: randomJson(rand, 1, TRICKY) };
      const text = serializeJson(doc, rand);
      // Members before and after msg_list are skipped over, whatever they hold.
      const spans = memberElementSpans(text, 'msg_list');
      assert.ok(spans, text);
      assert.equal(spans.length, list.length);
      spans.forEach((s, i) => {
        assert.deepEqual(JSON.parse(text.slice(s[0], s[1])), list[i], text);
      });
      checked += spans.length;
    }
    assert.ok(checked > 500, `checked ${checked} elements`);
  });
});
