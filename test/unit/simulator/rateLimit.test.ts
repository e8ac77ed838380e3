// The rate guard's memory follows the calls made, not the limit: benchmarks lift the strict limit
// to 10^8 per minute for 20 corps at once, which once cost 800 MB per corp (a slot per allowed call).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startSimulator } from '../../../src/core/simulator';
import { post } from './helpers';

describe('simulator: rate limits', () => {
  it('a limit of 10^9 calls per minute allocates nothing for the calls not made', async () => {
    const before = process.memoryUsage().arrayBuffers;
    const sim = await startSimulator({ messages: 100, seed: 2, rateLimits: { perMinute: 1e9, noTokenPerMinute: 1e9 } });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await post(`${sim.url}/cgi-bin/chatdata/sync_msg?access_token=${sim.accessToken}`, { limit: 10 })).body.errcode, 0);
      const grown = process.memoryUsage().arrayBuffers - before;
      assert.ok(grown < 64 * 1024 * 1024, `array buffers grew by ${(grown / 1e6).toFixed(0)} MB`);
    } finally {
      await sim.close();
    }
  });

  it('the strict limit still refuses the call past it within a minute (45009)', async () => {
    const sim = await startSimulator({ messages: 100, seed: 2, frozenClock: true, rateLimits: { noTokenPerMinute: 3 } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) codes.push(Number((await post(`${sim.url}/cgi-bin/chatdata/sync_msg?access_token=${sim.accessToken}`, { limit: 10 })).body.errcode));
      assert.deepEqual(codes, [0, 0, 0, 45009]);
    } finally {
      await sim.close();
    }
  });
});
