// Tokens, the suite-token chain, the provider token service, rate limits and request errors.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator';
import { api, post, sync } from './helpers';

let sim: RunningSimulator;

before(async () => {
  sim = await startSimulator({
    seed: 31,
    messages: 2000,
    accessTokenTtl: 100,
    rateLimits: { noTokenPerMinute: 3, blockSeconds: 30 },
    tokenServiceSecret: 's3cret',
  });
});
after(() => sim.close());

describe('corp access token', () => {
  it('missing → 41001, unknown → 40014, expired → 42001; a fresh one works', async () => {
    const url = `${sim.url}/cgi-bin/chatdata/sync_msg`;
    assert.equal((await post(url, {})).body.errcode, 41001);
    assert.equal((await post(`${url}?access_token=nope`, {})).body.errcode, 40014);
    const token = sim.accessToken;
    const cb = sim.mintCallbackToken();
    assert.equal((await post(api(sim, 'sync_msg', token), { token: cb })).body.errcode, 0);
    sim.advanceClock(101);
    const expired = await post(api(sim, 'sync_msg', token), { token: sim.mintCallbackToken() });
    assert.equal(expired.status, 200);
    assert.equal(expired.body.errcode, 42001);
    const fresh = sim.accessToken;
    assert.notEqual(fresh, token);
    assert.equal((await post(api(sim, 'sync_msg', fresh), { token: sim.mintCallbackToken() })).body.errcode, 0);
  });
});

describe('suite token chain', () => {
  const base = () => `${sim.url}/cgi-bin/service`;

  it('get_suite_token → get_corp_token → a working access token', async () => {
    const { suiteId, suiteSecret, suiteTicket, authCorpId, permanentCode } = sim.suite;
    const st = await post(`${base()}/get_suite_token`, { suite_id: suiteId, suite_secret: suiteSecret, suite_ticket: suiteTicket });
    assert.equal(st.body.errcode, 0);
    assert.equal(st.body.expires_in, 7200);
    const suiteToken = st.body.suite_access_token as string;
    const ct = await post(`${base()}/get_corp_token?suite_access_token=${suiteToken}`, { auth_corpid: authCorpId, permanent_code: permanentCode });
    assert.equal(ct.body.errcode, 0);
    assert.ok((ct.body.expires_in as number) > 0 && (ct.body.expires_in as number) <= 100);
    const r = await post(api(sim, 'sync_msg', ct.body.access_token as string), { token: sim.mintCallbackToken() });
    assert.equal(r.body.errcode, 0);
  });

  it('refuses bad credentials with the documented errcodes', async () => {
    const { suiteId, suiteSecret, suiteTicket, authCorpId, permanentCode } = sim.suite;
    const good = { suite_id: suiteId, suite_secret: suiteSecret, suite_ticket: suiteTicket };
    assert.equal((await post(`${base()}/get_suite_token`, { ...good, suite_secret: 'x' })).body.errcode, 40001);
    assert.equal((await post(`${base()}/get_suite_token`, { ...good, suite_ticket: 'x' })).body.errcode, 40085);
    assert.equal((await post(`${base()}/get_suite_token`, { ...good, suite_id: 'x' })).body.errcode, 40083);
    const suiteToken = (await post(`${base()}/get_suite_token`, good)).body.suite_access_token as string;
    const corp = { auth_corpid: authCorpId, permanent_code: permanentCode };
    assert.equal((await post(`${base()}/get_corp_token?suite_access_token=${suiteToken}`, { ...corp, permanent_code: 'x' })).body.errcode, 40084);
    assert.equal((await post(`${base()}/get_corp_token?suite_access_token=bogus`, corp)).body.errcode, 40082);
    sim.advanceClock(7201);
    assert.equal((await post(`${base()}/get_corp_token?suite_access_token=${suiteToken}`, corp)).body.errcode, 42009);
  });
});

describe('provider token service', () => {
  it('requires the bearer secret and returns the current corp token', async () => {
    const url = `${sim.url}/_sim/token-service`;
    assert.equal((await fetch(url)).status, 401);
    assert.equal((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    const res = await fetch(url, { headers: { authorization: 'Bearer s3cret' } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { access_token: string; expires_in: number };
    assert.ok(body.expires_in > 0);
    assert.equal((await post(api(sim, 'sync_msg', body.access_token), { token: sim.mintCallbackToken() })).body.errcode, 0);
  });
});

describe('rate limits', () => {
  it('without a callback token the strict limit applies and then blocks every caller for blockSeconds', async () => {
    sim.advanceClock(120); // a clean window
    for (let i = 0; i < 3; i++) assert.equal((await sync(sim, {})).errcode, 0, `call ${i + 1}`);
    assert.equal((await sync(sim, {})).errcode, 45009);
    // The block covers callers with a valid token too.
    assert.equal((await sync(sim, { token: sim.mintCallbackToken() })).errcode, 45009);
    sim.advanceClock(29);
    assert.equal((await sync(sim, { token: sim.mintCallbackToken() })).errcode, 45009);
    sim.advanceClock(2);
    assert.equal((await sync(sim, { token: sim.mintCallbackToken() })).errcode, 0);
  });

  it('with a valid callback token the strict limit does not apply', async () => {
    sim.advanceClock(120);
    const token = sim.mintCallbackToken();
    for (let i = 0; i < 10; i++) assert.equal((await sync(sim, { token })).errcode, 0);
  });

  it('an expired callback token counts as no token (10-minute validity)', async () => {
    sim.advanceClock(120);
    const token = sim.mintCallbackToken();
    sim.advanceClock(601);
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await sync(sim, { token })).errcode);
    assert.deepEqual(codes, [0, 0, 0, 45009]);
    sim.advanceClock(31);
  });

  it('an unknown callback token counts as no token', async () => {
    sim.advanceClock(120);
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await sync(sim, { token: 'not-a-token' })).errcode);
    assert.deepEqual(codes, [0, 0, 0, 45009]);
    sim.advanceClock(31);
  });
});

describe('request errors', () => {
  it('malformed JSON → 47001; a non-object body → 47001', async () => {
    assert.equal((await post(api(sim, 'sync_msg'), '{"limit":')).body.errcode, 47001);
    assert.equal((await post(api(sim, 'sync_msg'), '[1,2]')).body.errcode, 47001);
  });

  it('GET on a POST API → 43002; unknown path → 404', async () => {
    const g = await fetch(api(sim, 'sync_msg'));
    assert.equal(g.status, 200);
    assert.equal(((await g.json()) as { errcode: number }).errcode, 43002);
    const u = await fetch(`${sim.url}/cgi-bin/chatdata/nope?access_token=${sim.accessToken}`, { method: 'POST', body: '{}' });
    assert.equal(u.status, 404);
  });

  it('counts requests per path in /_sim/stats', async () => {
    const stats = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as { requests: Record<string, number>; errcodes: Record<string, number> };
    assert.ok((stats.requests['/cgi-bin/chatdata/sync_msg'] ?? 0) > 10);
    assert.ok((stats.errcodes['45009'] ?? 0) >= 3);
    assert.equal(stats.requests['/_sim/token-service'], 3);
  });

  it('advances the clock over /_sim/clock', async () => {
    const before = sim.now();
    const r = (await (await fetch(`${sim.url}/_sim/clock`, { method: 'POST', body: JSON.stringify({ seconds: 50 }) })).json()) as { now: number };
    assert.ok(r.now >= before + 50 && r.now <= before + 52);
    const bad = await fetch(`${sim.url}/_sim/clock`, { method: 'POST', body: JSON.stringify({ seconds: -5 }) });
    assert.equal(bad.status, 400);
  });

  it('mints callback tokens over /_sim/token', async () => {
    const r = (await (await fetch(`${sim.url}/_sim/token`, { method: 'POST' })).json()) as { token: string; expires_in: number };
    assert.equal(r.expires_in, 600);
    assert.ok(Buffer.byteLength(r.token) <= 128);
    sim.advanceClock(120);
    for (let i = 0; i < 5; i++) assert.equal((await sync(sim, { token: r.token })).errcode, 0);
  });
});
