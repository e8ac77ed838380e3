import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CSV_HEADER, csvField, toCsv, toJson } from '../../../src/export/rows';
import type { MessageRow } from '../../../src/protocol';

const row: MessageRow = { msgid: 'm1', sendTime: 1_700_000_000, msgtype: 8, sender: { type: 1, id: 'wo1' }, receivers: [{ type: 2, id: 'wm,2' }], receiverCount: 1, chatKey: 's:wm,2|wo1', publicKeyVer: 2 };

describe('export of rows', () => {
  it('writes CSV with a header, quoting, a BOM, and missing hits marked', () => {
    const csv = toCsv([{ msgid: 'm1', row }, { msgid: 'gone' }], 'en');
    assert.ok(csv.startsWith('\uFEFF'));
    const lines = csv.slice(1).trimEnd().split('\r\n');
    assert.equal(lines[0], CSV_HEADER.join(','));
    assert.equal(lines[1], 'm1,1700000000,2023-11-14T22:13:20.000Z,8,File,1,wo1,"2:wm,2",,"s:wm,2|wo1",2,,yes');
    assert.equal(lines[2], 'gone,,,,,,,,,,,,no');
  });

  it('neutralizes spreadsheet formulas in text fields', () => {
    assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvField('@cmd'), "'@cmd");
    assert.equal(csvField(-5), '-5');
  });

  it('writes JSON with every hit, in order', () => {
    const parsed = JSON.parse(toJson([{ msgid: 'm1', row }, { msgid: 'gone' }])) as { msgid: string; inArchive: boolean }[];
    assert.deepEqual(parsed.map((p) => [p.msgid, p.inArchive]), [['m1', true], ['gone', false]]);
  });
});
