// The fault plan: every kind, call numbers, rates, limits on injections, paths, and the 45009 block.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FAULT_ERRCODES, type RunningSimulator, startSimulator } from '../../../src/core/simulator';
import { api, publicKeyOf, sync } from './helpers';

let sim: RunningSimulator;
let token: string;

before(async () => {
  sim = await startSimulator({ seed: 41, messages: 3000, rateLimits: { blockSeconds: 20 } });
  token = sim.mintCallbackToken();
});
beforeEach(() => sim.setFaults([]));
after(() => sim.close());

function callSync(signal?: AbortSignal): Promise<Response> {
  return fetch(api(sim, 'sync_msg'), { method: 'POST', body: JSON.stringify({ token, limit: 5 }), signal });
}

function callsSoFar(): number {
  return sim.stats().requests['/cgi-bin/chatdata/sync_msg'] ?? 0;
}

describe('fault plan', () => {
  it('http5xx with each status on the chosen call numbers only', async () => {
    for (const status of [500, 502, 503]) {
      const n = callsSoFar();
      sim.setFaults([{ kind: 'http5xx', path: 'sync_msg', status, calls: [n + 2] }]);
      assert.equal((await callSync()).status, 200);
      assert.equal((await callSync()).status, status);
      assert.equal((await callSync()).status, 200);
    }
  });

  it('reset destroys the connection', async () => {
    sim.setFaults([{ kind: 'reset', times: 1 }]);
    await assert.rejects(callSync());
    assert.equal((await callSync()).status, 200);
  });

  it('delay holds the reply, and may outlast the client timeout', async () => {
    sim.setFaults([{ kind: 'delay', delayMs: 250, times: 1 }]);
    const t0 = Date.now();
    const r = await callSync();
    assert.ok(Date.now() - t0 >= 240);
    assert.equal(((await r.json()) as { errcode: number }).errcode, 0);
    sim.setFaults([{ kind: 'delay', delayMs: 2000, times: 1 }]);
    await assert.rejects(callSync(AbortSignal.timeout(100)));
    assert.equal((await callSync()).status, 200);
  });

  it('malformed replies with a body that is not JSON', async () => {
    sim.setFaults([{ kind: 'malformed', times: 1 }]);
    const r = await callSync();
    assert.equal(r.status, 200);
    const text = await r.text();
    assert.throws(() => JSON.parse(text));
  });

  it('errcode replies each supported errcode', async () => {
    for (const code of FAULT_ERRCODES.filter((c) => c !== 45009)) {
      sim.setFaults([{ kind: 'errcode', errcode: code, times: 1 }]);
      const r = await sync(sim, { token, limit: 5 });
      assert.equal(r.errcode, code);
      assert.ok(r.errmsg.length > 0);
      assert.equal((await sync(sim, { token, limit: 5 })).errcode, 0, `after ${code}`);
    }
  });

  it('errcode 45009 blocks the API for the block period', async () => {
    sim.setFaults([{ kind: 'errcode', errcode: 45009, times: 1 }]);
    assert.equal((await sync(sim, { token, limit: 5 })).errcode, 45009);
    assert.equal((await sync(sim, { token, limit: 5 })).errcode, 45009, 'still blocked');
    sim.advanceClock(21);
    assert.equal((await sync(sim, { token: sim.mintCallbackToken(), limit: 5 })).errcode, 0);
  });

  it('rate draws deterministically: the same plan gives the same pattern', async () => {
    const pattern = async (): Promise<number[]> => {
      sim.setFaults([{ kind: 'http5xx', rate: 0.5 }]);
      const out: number[] = [];
      for (let i = 0; i < 30; i++) out.push((await callSync()).status);
      return out;
    };
    const a = await pattern();
    const b = await pattern();
    assert.deepEqual(a, b);
    const failures = a.filter((s) => s === 503).length;
    assert.ok(failures > 3 && failures < 27, `about half fail, got ${failures}`);
  });

  it('times caps the injections; path limits a rule to one API', async () => {
    sim.setFaults([{ kind: 'http5xx', times: 2 }]);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await callSync()).status);
    assert.deepEqual(statuses, [503, 503, 200, 200]);
    sim.setFaults([{ kind: 'http5xx', path: '/cgi-bin/chatdata/search_msg' }]);
    assert.equal((await callSync()).status, 200);
    const s = await fetch(api(sim, 'search_msg'), { method: 'POST', body: JSON.stringify({ query_word: '合同' }) });
    assert.equal(s.status, 503);
  });

  it('counts injected faults and accepts plans over /_sim/faults', async () => {
    const before = sim.stats().faults.http5xx ?? 0;
    const set = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify({ rules: [{ kind: 'http5xx', status: 502, times: 1 }] }) });
    assert.equal(set.status, 200);
    assert.equal((await callSync()).status, 502);
    assert.equal(sim.stats().faults.http5xx, before + 1);
    const bad = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify([{ kind: 'errcode', errcode: 12345 }]) });
    assert.equal(bad.status, 400);
    const bad2 = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify([{ kind: 'explode' }]) });
    assert.equal(bad2.status, 400);
  });
});

describe('maxReplyMessages', () => {
  it('replies 301058 when limit exceeds the maximum reply size', async () => {
    const s = await startSimulator({ seed: 42, messages: 500, maxReplyMessages: 300, publicKey: { pem: publicKeyOf(sim.privateKeyPem()!), version: 1 } });
    try {
      const t = s.mintCallbackToken();
      assert.equal((await sync(s, { token: t, limit: 301 })).errcode, 301058);
      assert.equal((await sync(s, { token: t, limit: 300 })).errcode, 0);
    } finally {
      await s.close();
    }
  });
});
