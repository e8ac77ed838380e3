/**
 * End to end against the project's simulator (src/core/simulator): paging sync_msg and search_msg,
 * the three token sources, secret-key decryption, and recovery from the simulator's fault plan.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type RunningSimulator } from '../../../src/core/simulator/index';
import { WeComClient, type WeComClientOptions } from '../../../src/core/wecom/client';
import { KeyRing } from '../../../src/core/wecom/decrypt';
import { WeComApiError } from '../../../src/core/wecom/errors';
import { demoTokenSource, SuiteTokenSource, TokenServiceSource } from '../../../src/core/wecom/tokens';
import { HttpTransport } from '../../../src/core/wecom/transport';
import { capturingLogger, pagesOf } from './helpers';

const DAY = 86400;
let sim: RunningSimulator;
const transport = new HttpTransport({ env: {} });

before(async () => {
  // A fixed, frozen clock: the first-sync window is the same messages on every run, whatever the date.
  sim = await startSimulator({ seed: 11, messages: 3000, days: 8, tokenServiceSecret: 'SIM_BEARER_SECRET', startTime: 1_767_225_600, frozenClock: true });
});
after(async () => {
  await transport.close();
  await sim.close();
});

function client(options: Partial<WeComClientOptions> = {}): WeComClient {
  return new WeComClient({
    tokenSource: demoTokenSource(sim.accessToken),
    baseUrl: sim.url,
    transport,
    // Waiting advances the simulated clock instead of real time.
    sleep: async (ms) => {
      sim.advanceClock(Math.ceil(ms / 1000));
    },
    random: () => 0.5,
    ...options,
  });
}

describe('client ⇄ simulator', () => {
  it('sync_msg pages hold every message of the first-sync window, ascending, once', async () => {
    const expected = sim.listMessages(sim.now() - 3 * DAY).map((m) => m.msgid);
    assert.ok(expected.length > 100);
    const seen: string[] = [];
    let pages = 0;
    let last = 0;
    const c = client();
    for await (const page of pagesOf((r) => c.syncMsg(r), { limit: 100 })) {
      pages++;
      for (const m of page.messages) {
        assert.ok(m.sendTime >= last, 'ascending send_time');
        last = m.sendTime;
        seen.push(m.msgid);
      }
    }
    assert.deepEqual(seen.length, expected.length);
    assert.deepEqual(seen, expected);
    // has_more is false on the page that reaches the newest message, full or not.
    assert.equal(pages, Math.max(1, Math.ceil(expected.length / 100)));
  });

  it('resumes from a stored cursor and sees new messages', async () => {
    const c = client();
    let cursor = '';
    for await (const page of pagesOf((r) => c.syncMsg(r), { limit: 1000 })) cursor = page.nextCursor;
    const added = sim.addMessages(5);
    const fresh: string[] = [];
    for await (const page of pagesOf((r) => c.syncMsg(r), { cursor, limit: 1000 })) fresh.push(...page.messages.map((m) => m.msgid));
    assert.deepEqual(fresh, added);
  });

  it('search_msg pages return msgids newest first, all matching', async () => {
    const withContent = sim.listMessages().filter((m) => (m.content ?? '').length >= 4);
    const word = [...(withContent[0]?.content ?? '')].slice(0, 4).join('');
    const ids: string[] = [];
    const c = client();
    for await (const page of pagesOf((r) => c.searchMsg(r), { query_word: word, limit: 20 })) ids.push(...page.msgids);
    assert.ok(ids.length >= 1);
    const times = ids.map((id) => sim.message(id)?.send_time ?? -1);
    for (let i = 1; i < times.length; i++) assert.ok((times[i] ?? 0) <= (times[i - 1] ?? 0), 'newest first');
    for (const id of ids) assert.ok(sim.message(id)?.content?.toLowerCase().includes(word.toLowerCase()));
  });

  it('301058 from maxReplyMessages halves the limit', async () => {
    const small = await startSimulator({ seed: 3, messages: 600, days: 2, maxReplyMessages: 250 });
    try {
      const c = new WeComClient({ tokenSource: demoTokenSource(small.accessToken), baseUrl: small.url, transport });
      const page = await c.syncMsg({ limit: 1000 });
      assert.equal(page.limitUsed, 250);
      assert.equal(page.messages.length, 250);
    } finally {
      await small.close();
    }
  });

  it('recovers from the fault plan: reset, 5xx, malformed JSON, -1, 45033, 45009, 42001', async () => {
    // Call numbers count from the simulator's start, so each rule fires once, in order.
    sim.setFaults([
      { kind: 'reset', path: 'sync_msg', times: 1 },
      { kind: 'http5xx', path: 'sync_msg', times: 1, status: 502 },
      { kind: 'malformed', path: 'sync_msg', times: 1 },
      { kind: 'errcode', path: 'sync_msg', times: 1, errcode: -1 },
      { kind: 'errcode', path: 'sync_msg', times: 1, errcode: 45033 },
      { kind: 'errcode', path: 'sync_msg', times: 1, errcode: 45009 },
      { kind: 'errcode', path: 'sync_msg', times: 1, errcode: 42001 },
    ]);
    const waits: number[] = [];
    const logger = capturingLogger();
    const tokenSource = new TokenServiceSource({ url: `${sim.url}/_sim/token-service`, bearerSecret: 'SIM_BEARER_SECRET', transport });
    try {
      const c = client({ tokenSource, logger, retry: { maxAttempts: 6 }, onWait: (until) => waits.push(until) });
      const page = await c.syncMsg({ limit: 10 });
      assert.equal(page.messages.length, 10);
      assert.equal(waits.length, 1);
      assert.equal(logger.lines.filter((l) => /; retry \d\/6 in/.test(l)).length, 5);
      assert.ok(logger.lines.some((l) => l.includes('refreshing the token once')));
      const token = await tokenSource.getToken();
      for (const line of logger.lines) assert.ok(!line.includes(token));
    } finally {
      sim.setFaults([]);
    }
  });

  it('a fatal errcode from the fault plan is not retried', async () => {
    sim.setFaults([{ kind: 'errcode', path: 'sync_msg', errcode: 48002, times: 1 }]);
    try {
      await assert.rejects(client().syncMsg({}), (e: unknown) => e instanceof WeComApiError && e.errcode === 48002);
      await client().syncMsg({ limit: 1 });
    } finally {
      sim.setFaults([]);
    }
  });

  it('SuiteTokenSource gets a corp token the simulator accepts', async () => {
    const tokenSource = new SuiteTokenSource({ ...sim.suite, baseUrl: sim.url, transport });
    const page = await client({ tokenSource }).syncMsg({ limit: 5 });
    assert.equal(page.messages.length, 5);
  });

  it('the simulator’s encrypted_secret_key decrypts with its private key', async () => {
    const pem = sim.privateKeyPem(1);
    assert.ok(pem);
    const ring = new KeyRing();
    ring.add(1, pem);
    const page = await client().syncMsg({ limit: 20 });
    for (const m of page.messages) {
      assert.ok(m.encryptedSecretKey && m.publicKeyVer === 1);
      assert.equal(ring.decrypt(m.encryptedSecretKey, m.publicKeyVer).secretKey, sim.secretOf(m.msgid)?.secret);
    }
  });
});
