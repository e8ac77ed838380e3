/**
 * The writer's cache of recurring ids' row keys (pg/keyCache.ts): whatever ids come, in whatever
 * order, it answers exactly what hashing them afresh answers; it hashes a short id once while it
 * is kept, and does not keep long ones.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { idHash } from '../../../src/core/archive/pg/archive';
import { KeyCache } from '../../../src/core/archive/pg/keyCache';

function counted(): { hash: (id: string) => Buffer; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  return {
    calls,
    hash: (id) => {
      calls.set(id, (calls.get(id) ?? 0) + 1);
      return idHash(id);
    },
  };
}

describe('KeyCache', () => {
  it('answers what hashing afresh answers, for any ids in any order', () => {
    const id = fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: 'binary', minLength: 250, maxLength: 300 }));
    fc.assert(
      fc.property(fc.array(id, { maxLength: 60 }), (ids) => {
        const cache = new KeyCache(idHash);
        for (const s of ids) assert.deepEqual(cache.key(s), idHash(s));
      }),
      { numRuns: 200 },
    );
  });

  it('hashes a short id once, a long one each time, and starts over when full', () => {
    const { hash, calls } = counted();
    const cache = new KeyCache(hash);
    const short = 'wmChat';
    const long = '长'.repeat(2000);
    for (let i = 0; i < 5; i++) {
      cache.key(short);
      cache.key(long);
    }
    assert.equal(calls.get(short), 1);
    assert.equal(calls.get(long), 5);
    // Past its bound the cache is dropped: the first id is hashed again, once.
    for (let i = 0; i < 20_000; i++) cache.key(`u${i}`);
    cache.key(short);
    cache.key(short);
    assert.equal(calls.get(short), 2);
  });
});
