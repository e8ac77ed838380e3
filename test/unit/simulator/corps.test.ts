// Several corps from one simulator process and one base URL, the callback token service, and the
// latency option.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator';
import { type Json, api, post } from './helpers';

let sim: RunningSimulator;

before(async () => {
  sim = await startSimulator({ seed: 41, messages: 1500, corps: [{ messages: 700 }, { messages: 300, clockOffsetSeconds: 86_400 }] });
});
after(() => sim.close());

async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as Json };
}

type Corp = RunningSimulator['corps'][number];

async function syncIds(corp: Corp, token?: string): Promise<{ errcode: number; ids: string[] }> {
  const r = await post(`${sim.url}/cgi-bin/chatdata/sync_msg?access_token=${encodeURIComponent(corp.accessToken)}`, { limit: 1000, ...(token ? { token } : {}) });
  const list = (r.body.msg_list as { msgid: string }[] | undefined) ?? [];
  return { errcode: r.body.errcode as number, ids: list.map((m) => m.msgid) };
}

describe('several corps in one process', () => {
  it('each corp has its own corpid, messages and clock; the access token picks the corp', async () => {
    const [a, b, c] = sim.corps;
    assert.ok(a && b && c);
    assert.equal(sim.corps.length, 3);
    assert.equal(new Set(sim.corps.map((x) => x.corpId)).size, 3);
    assert.equal(sim.corpId, a.corpId, 'the top level is the first corp');
    assert.deepEqual(
      sim.corps.map((x) => x.messageCount()),
      [1500, 700, 300],
    );
    assert.ok(c.now() - a.now() >= 86_399, 'the third corp runs a day ahead');
    const before = a.now();
    b.advanceClock(3600);
    assert.ok(a.now() - before < 5, "moving one corp's clock leaves the others");

    const ra = await syncIds(a, a.mintCallbackToken());
    const rb = await syncIds(b, b.mintCallbackToken());
    assert.equal(ra.errcode, 0);
    assert.equal(rb.errcode, 0);
    assert.ok(ra.ids.length > 0 && rb.ids.length > 0);
    assert.equal(
      ra.ids.filter((id) => rb.ids.includes(id)).length,
      0,
      'no message of one corp in the other',
    );
    assert.ok(a.message(ra.ids[0]!));
    assert.equal(b.message(ra.ids[0]!), undefined);
  });

  it('get_corp_token gives a token of the corp named by auth_corpid; its permanent code is its own', async () => {
    const b = sim.corps[1]!;
    assert.notEqual(b.suite.permanentCode, sim.suite.permanentCode);
    assert.equal(b.suite.suiteId, sim.suite.suiteId, 'one suite, several authorized corps');
    const st = await post(`${sim.url}/cgi-bin/service/get_suite_token`, { suite_id: b.suite.suiteId, suite_secret: b.suite.suiteSecret, suite_ticket: b.suite.suiteTicket });
    const suiteToken = st.body.suite_access_token as string;
    const wrong = await post(`${sim.url}/cgi-bin/service/get_corp_token?suite_access_token=${suiteToken}`, { auth_corpid: b.suite.authCorpId, permanent_code: sim.suite.permanentCode });
    assert.notEqual(wrong.body.errcode, 0, "another corp's permanent code is refused");
    const ct = await post(`${sim.url}/cgi-bin/service/get_corp_token?suite_access_token=${suiteToken}`, { auth_corpid: b.suite.authCorpId, permanent_code: b.suite.permanentCode });
    assert.equal(ct.body.errcode, 0);
    const r = await post(api(sim, 'sync_msg', ct.body.access_token as string), { limit: 5, token: b.mintCallbackToken() });
    assert.equal(r.body.errcode, 0);
    const ids = (r.body.msg_list as { msgid: string }[]).map((m) => m.msgid);
    assert.ok(ids.length > 0 && ids.every((id) => b.message(id) !== undefined));
  });

  it('control routes take ?corpid=; GET /_sim/corps lists every corp; an unknown corpid is 404', async () => {
    const c = sim.corps[2]!;
    const corps = await getJson(`${sim.url}/_sim/corps`);
    assert.deepEqual(
      (corps.body.corps as { corpid: string }[]).map((x) => x.corpid),
      sim.corps.map((x) => x.corpId),
    );
    const stats = await getJson(`${sim.url}/_sim/stats?corpid=${c.corpId}`);
    assert.equal(stats.body.messages, 300);
    assert.equal((await getJson(`${sim.url}/_sim/stats?corpid=nope`)).status, 404);
  });
});

describe('callback token service', () => {
  it('returns {token, expires_at} for the corp; a sync with it counts as a valid token for that corp only', async () => {
    const [a, b] = sim.corps;
    assert.ok(a && b);
    const r = await getJson(b.callbackTokenUrl);
    assert.equal(r.status, 200);
    const token = r.body.token as string;
    const expiresAt = r.body.expires_at as number;
    assert.equal(typeof token, 'string');
    const now = Date.now() / 1000;
    assert.ok(expiresAt > now + 590 && expiresAt <= now + 601, `expires_at ${expiresAt} is 10 minutes from now`);
    const before = { a: a.stats().syncTokens, b: b.stats().syncTokens };
    assert.equal((await syncIds(b, token)).errcode, 0);
    assert.equal((await syncIds(a, token)).errcode, 0);
    await syncIds(a);
    assert.equal(b.stats().syncTokens.valid, before.b.valid + 1);
    assert.equal(a.stats().syncTokens.invalid, before.a.invalid + 1, "one corp's token is no token for another");
    assert.equal(a.stats().syncTokens.none, before.a.none + 1);
  });

  it('requires the bearer secret when one is configured', async () => {
    const guarded = await startSimulator({ messages: 100, tokenServiceSecret: 'k' });
    try {
      assert.equal((await getJson(guarded.callbackTokenUrl)).status, 401);
      assert.equal((await getJson(guarded.callbackTokenUrl, { authorization: 'Bearer k' })).status, 200);
    } finally {
      await guarded.close();
    }
  });
});

describe('latency option', () => {
  it('delays each API reply by the fixed part plus the per-message part; control routes are not delayed', async () => {
    const slow = await startSimulator({ messages: 3000, latency: { fixedMs: 60, perMessageMs: 0.1 } });
    try {
      const token = slow.mintCallbackToken();
      const timed = async (limit: number) => {
        const t0 = performance.now();
        const r = await post(api(slow, 'sync_msg'), { limit, token });
        assert.equal(r.body.errcode, 0);
        return performance.now() - t0;
      };
      const one = await timed(1);
      const thousand = await timed(1000);
      assert.ok(one >= 60, `1 message: ${one} ms`);
      assert.ok(thousand >= 160, `1000 messages: ${thousand} ms (60 + 1000 × 0.1)`);
      const t0 = performance.now();
      await getJson(`${slow.url}/_sim/clock`);
      assert.ok(performance.now() - t0 < 60, 'control routes answer at once');
      const e0 = performance.now();
      const refused = await post(api(slow, 'sync_msg', 'unknown-token'), {});
      assert.equal(refused.body.errcode, 40014);
      assert.ok(performance.now() - e0 >= 60, 'errors travel the same network');
    } finally {
      await slow.close();
    }
  });
});
