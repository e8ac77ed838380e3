import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CSV_HEADER, CSV_START, csvField, csvLine, type ExportItem, JsonExport, toCsv, toJson } from '../../../src/shared/exportRows';
import { english } from '../../../src/shared/text';
import type { MessageRow } from '../../../src/shared/protocol';

const row: MessageRow = { msgid: 'm1', sendTime: 1_700_000_000, msgtype: 8, sender: { type: 1, id: 'wo1' }, receivers: [{ type: 2, id: 'wm,2' }], receiverCount: 1, chatKey: 's:wm,2|wo1', publicKeyVer: 2 };

/** RFC 4180 parsing, enough to read our own CSV back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('export of rows', () => {
  it('writes CSV with a header, quoting, a BOM, and missing hits marked', () => {
    const csv = toCsv([{ msgid: 'm1', row }, { msgid: 'gone' }], english);
    assert.ok(csv.startsWith('\uFEFF'));
    const lines = csv.slice(1).trimEnd().split('\r\n');
    assert.equal(lines[0], CSV_HEADER.join(','));
    assert.equal(lines[1], 'm1,1700000000,2023-11-14T22:13:20.000Z,8,File,1,wo1,[2],"[""wm,2""]",1,,"s:wm,2|wo1",2,,yes');
    assert.equal(lines[2], 'gone,,,,,,,,,,,,,,no');
  });

  it('receivers round-trip whatever their ids hold; impossible times do not throw', () => {
    const ids = ['a b', 'c,d', 'e"f', 'g\th', ' lead', 'x\r\ny', '长 id', 'wo\u202Egpj.exe'];
    const hostile: MessageRow = { ...row, sendTime: 1e300, receivers: ids.map((id, i) => ({ type: (i % 3) + 1, id })), receiverCount: ids.length };
    const csv = toCsv([{ msgid: 'm1', row: hostile }, { msgid: 'm2', row: { ...row, sendTime: -0.5 } }], english);
    const [header, first] = parseCsv(csv.slice(1));
    const cell = (name: string) => first![header!.indexOf(name)]!;
    assert.deepEqual(JSON.parse(cell('receiver_ids')), ids);
    assert.deepEqual(JSON.parse(cell('receiver_types')), [1, 2, 3, 1, 2, 3, 1, 2]);
    assert.equal(cell('send_time'), '1e+300');
    assert.equal(cell('send_time_iso'), '');
    assert.equal(cell('receiver_count'), '8');
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

  it('JSON written piece by piece is the array\'s JSON.stringify, whatever the rows hold (also none)', () => {
    const party = fc.record({ type: fc.integer(), id: fc.string({ unit: 'binary' }) });
    const anyRow = fc.record(
      { msgid: fc.string({ unit: 'binary' }), sendTime: fc.double(), msgtype: fc.integer(), sender: party, receivers: fc.array(party, { maxLength: 3 }), receiverCount: fc.nat(), chatKey: fc.string({ unit: 'binary' }), chatid: fc.string() },
      { requiredKeys: ['msgid', 'sendTime', 'msgtype', 'sender', 'receivers', 'receiverCount', 'chatKey'] },
    );
    const item: fc.Arbitrary<ExportItem> = fc.oneof(fc.record({ msgid: fc.string({ unit: 'binary' }), row: anyRow }), fc.record({ msgid: fc.string({ unit: 'binary' }) }));
    fc.assert(
      fc.property(fc.array(item, { maxLength: 6 }), (items) => {
        const whole = `${JSON.stringify(items.map(({ msgid, row: r }) => (r ? { ...r, inArchive: true } : { msgid, inArchive: false })), null, 2)}\n`;
        assert.equal(toJson(items), whole);
        const out = new JsonExport();
        assert.equal(items.map((i) => out.item(i)).join('') + out.end(), whole);
      }),
    );
    assert.equal(toCsv([{ msgid: 'm1', row }], english), CSV_START + csvLine({ msgid: 'm1', row }, english));
  });
});
