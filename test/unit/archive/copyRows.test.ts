/**
 * CopyRows writes a binary COPY stream straight into one buffer: whatever the rows (any text,
 * keys, absurd numbers, NULLs, far past the first estimate), PostgreSQL's binary format read back
 * gives every field exactly, and a payload that keeps some rows holds exactly those, in order;
 * a stream of several sets holds each set's rows in turn.
 * The service tier proves the same through a server (the contract's hostile round trip).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CopyRows } from '../../../src/core/archive/pg/copyRows';

type Field = { t: 'text'; v: string } | { t: 'bytes'; v: Uint8Array } | { t: 'int4'; v: number } | { t: 'int8'; v: number } | { t: 'float8'; v: number } | { t: 'nul' };

const field: fc.Arbitrary<Field> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 300 }).map((v) => ({ t: 'text' as const, v })),
  fc.uint8Array({ maxLength: 40 }).map((v) => ({ t: 'bytes' as const, v })),
  fc.integer().map((v) => ({ t: 'int4' as const, v })),
  fc.maxSafeNat().map((v) => ({ t: 'int8' as const, v })),
  fc.double().map((v) => ({ t: 'float8' as const, v })),
  fc.constant({ t: 'nul' as const }),
);

function write(c: CopyRows, f: Field): void {
  if (f.t === 'nul') c.nul();
  else if (f.t === 'text') c.text(f.v);
  else if (f.t === 'bytes') c.bytes(f.v);
  else c[f.t](f.v);
}

/** The rows of a binary COPY stream, each field as its bytes (null for NULL), as PostgreSQL reads them. */
function readStream(stream: Buffer): (Buffer | null)[][] {
  assert.deepEqual(stream.subarray(0, 11), Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), 'signature');
  assert.equal(stream.readInt32BE(11), 0, 'flags');
  let at = 15 + 4 + stream.readInt32BE(15);
  const rows: (Buffer | null)[][] = [];
  for (;;) {
    const count = stream.readInt16BE(at);
    at += 2;
    if (count === -1) break;
    const row: (Buffer | null)[] = [];
    for (let k = 0; k < count; k++) {
      const n = stream.readInt32BE(at);
      at += 4;
      row.push(n === -1 ? null : stream.subarray(at, at + n));
      if (n > 0) at += n;
    }
    rows.push(row);
  }
  assert.equal(at, stream.length, 'nothing after the trailer');
  return rows;
}

/** What PostgreSQL's receive function of the field's type makes of its bytes. */
function decode(f: Field, b: Buffer | null): unknown {
  if (f.t === 'nul') return b;
  assert.ok(b);
  if (f.t === 'text') return b.toString('utf8');
  if (f.t === 'bytes') return new Uint8Array(b);
  if (f.t === 'int4') return b.length === 4 ? b.readInt32BE(0) : NaN;
  if (f.t === 'int8') return b.length === 8 ? Number(b.readBigInt64BE(0)) : NaN;
  return b.length === 8 ? b.readDoubleBE(0) : NaN;
}

const expected = (f: Field): unknown => (f.t === 'nul' ? null : f.v);

describe('CopyRows', () => {
  it('a binary COPY stream of exactly its fields, also past its estimate; keep() picks exactly the rows it keeps', () => {
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 6 }), { maxLength: 30 }), fc.nat({ max: 4096 }), fc.func(fc.boolean()), (rows, estimate, keep) => {
        const c = new CopyRows(estimate);
        for (const fields of rows) {
          c.row(fields.length);
          for (const f of fields) write(c, f);
          c.endRow();
        }
        assert.equal(c.rows, rows.length);
        const check = (stream: Buffer, want: Field[][]): void => {
          const got = readStream(stream);
          assert.equal(got.length, want.length);
          want.forEach((fields, r) => {
            assert.equal(got[r]!.length, fields.length);
            fields.forEach((f, k) => {
              assert.deepEqual(decode(f, got[r]![k]!), expected(f));
            });
          });
        };
        check(Buffer.concat(c.payload()), rows);
        check(Buffer.concat(c.payload((r) => keep(r))), rows.filter((_, r) => keep(r)));
        // Several pages in one stream (coalesced pages): one header, each set's rows in order, one trailer.
        const kept = rows.filter((_, r) => keep(r));
        check(Buffer.concat(CopyRows.stream([{ rows: c }, { rows: c, keep: (r) => keep(r) }, { rows: new CopyRows(0) }])), [...rows, ...kept]);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a bigint it cannot write exactly, before writing anything', () => {
    const c = new CopyRows(0);
    for (const n of [-1, 2 ** 53, 1.5, Number.NaN]) assert.throws(() => c.int8(n), /safe integer of 0 or more/);
    assert.deepEqual(readStream(Buffer.concat(c.payload())), []);
  });
});
