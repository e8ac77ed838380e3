/**
 * CopyRows writes a COPY's rows straight into one buffer: whatever the rows (any UTF-16, lone
 * surrogates, far past the first estimate), the bytes equal the rows joined and encoded, and a
 * payload that keeps some rows holds exactly those, in order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CopyRows } from '../../../src/core/archive/pg/copyRows';

const row = fc.array(fc.string({ unit: 'binary', maxLength: 300 }), { minLength: 1, maxLength: 4 });

describe('CopyRows', () => {
  it('holds the rows as UTF-8, also past its estimate; keep() picks exactly the rows it keeps', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 40 }), fc.nat({ max: 4096 }), fc.func(fc.boolean()), (rows, estimate, keep) => {
        const c = new CopyRows(estimate);
        for (const parts of rows) {
          for (const part of parts) c.add(part);
          c.endRow();
        }
        assert.equal(c.rows, rows.length);
        assert.deepEqual(c.payload(), Buffer.from(rows.map((p) => p.join('')).join(''), 'utf8'));
        const kept = rows.filter((_, r) => keep(r));
        assert.deepEqual(c.payload((r) => keep(r)), Buffer.from(kept.map((p) => p.join('')).join(''), 'utf8'));
      }),
      { numRuns: 300 },
    );
  });
});
