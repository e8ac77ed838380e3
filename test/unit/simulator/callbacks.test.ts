/**
 * The simulator pushes WeCom's suite callbacks to a receiver on 127.0.0.1, and what they carry
 * works: the pushed suite_ticket gets a suite token, the conversation_new_message token lifts the
 * strict limit of sync_msg, create_auth's auth code becomes a corp that syncs, cancel_auth stops it.
 * The receiver is the product's (core/wecom/callbackReceiver.ts), so signature and envelope are
 * checked on every push.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallbackEvent } from '../../../src/core/wecom/callbackEvents';
import { CallbackReceiver } from '../../../src/core/wecom/callbackReceiver';
import { type RunningSimulator, startSimulator } from '../../../src/core/simulator';
import { checkCallbackUrl } from '../../../src/core/simulator/callbacks';
import { post } from './helpers';

const secrets = { token: 'sim-cb-token', encodingAesKey: randomBytes(32).toString('base64').slice(0, 43), receiverId: 'wwsimsuite0000000001' };

async function until<T>(what: string, probe: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('simulator: suite callbacks', () => {
  const events: CallbackEvent[] = [];
  const refusals: string[] = [];
  let server: Server;
  let sim: RunningSimulator;
  let suiteToken = '';

  before(async () => {
    const receiver = new CallbackReceiver(secrets);
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const out = receiver.handle({ method: req.method ?? 'GET', query: new URL(req.url ?? '/', 'http://127.0.0.1').searchParams, body });
        if (out.ok && out.event) events.push(out.event);
        if (!out.ok) refusals.push(out.rule);
        res.writeHead(out.status).end(out.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wecom/callback`;
    sim = await startSimulator({ messages: 50, seed: 3, callbacks: { url, token: secrets.token, encodingAesKey: secrets.encodingAesKey, minIntervalSeconds: 1, ticketPeriodSeconds: 3600 } });
  });

  after(async () => {
    await sim.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('pushes a suite_ticket at start, and that ticket gets a suite access token', async () => {
    const ticket = await until('suite_ticket', () => events.find((e) => e.type === 'suite_ticket'));
    assert.equal(ticket.type === 'suite_ticket' && ticket.suiteId, secrets.receiverId);
    assert.ok(ticket.type === 'suite_ticket' && ticket.ticket !== sim.suite.suiteTicket, 'a fresh ticket, not the configured one');
    const reply = await post(`${sim.url}/cgi-bin/service/get_suite_token`, { suite_id: sim.suite.suiteId, suite_secret: sim.suite.suiteSecret, suite_ticket: ticket.type === 'suite_ticket' ? ticket.ticket : '' });
    assert.equal(reply.body.errcode, 0);
    suiteToken = String(reply.body.suite_access_token);
    const forged = await post(`${sim.url}/cgi-bin/service/get_suite_token`, { suite_id: sim.suite.suiteId, suite_secret: sim.suite.suiteSecret, suite_ticket: 'not-pushed' });
    assert.equal(forged.body.errcode, 40085);
  });

  it('pushes conversation_new_message after new messages, with a token sync_msg accepts; a burst coalesces', async () => {
    const before = events.filter((e) => e.type === 'conversation_new_message').length;
    for (let i = 0; i < 5; i++) sim.addMessages(3);
    const first = await until('conversation_new_message', () => events.filter((e) => e.type === 'conversation_new_message')[before]);
    assert.ok(first.type === 'conversation_new_message');
    assert.equal(first.corpId, sim.corpId);
    const reply = await post(`${sim.url}/cgi-bin/chatdata/sync_msg?access_token=${encodeURIComponent(sim.accessToken)}`, { token: first.token, limit: 10 });
    assert.equal(reply.body.errcode, 0);
    assert.equal(sim.stats().syncTokens.valid, 1, 'the pushed token counted as valid');
    // Five arrivals within the 1 s interval: one push now; the rest wait for the interval's end.
    sim.addMessages(1);
    await sleep(1500);
    const pushes = events.filter((e) => e.type === 'conversation_new_message').length - before;
    assert.equal(pushes, 2, `one push per interval, not one per arrival (got ${pushes})`);
  });

  it('create_auth: a new corp, its auth code exchanged for the permanent code, then its token and sync', async () => {
    const { authCode, corpId } = await sim.authorize();
    const pushed = await until('create_auth', () => events.find((e) => e.type === 'create_auth'));
    assert.ok(pushed.type === 'create_auth');
    assert.equal(pushed.authCode, authCode);
    const exchanged = await post(`${sim.url}/cgi-bin/service/get_permanent_code?suite_access_token=${suiteToken}`, { auth_code: authCode });
    assert.equal(exchanged.body.errcode, 0);
    assert.deepEqual((exchanged.body.auth_corp_info as { corpid: string }).corpid, corpId);
    const again = await post(`${sim.url}/cgi-bin/service/get_permanent_code?suite_access_token=${suiteToken}`, { auth_code: authCode });
    assert.equal(again.body.errcode, 40078, 'an auth code is good once');
    const corpToken = await post(`${sim.url}/cgi-bin/service/get_corp_token?suite_access_token=${suiteToken}`, { auth_corpid: corpId, permanent_code: exchanged.body.permanent_code });
    assert.equal(corpToken.body.errcode, 0);
    const synced = await post(`${sim.url}/cgi-bin/chatdata/sync_msg?access_token=${corpToken.body.access_token}`, { limit: 5 });
    assert.equal(synced.body.errcode, 0);
    assert.equal((synced.body.msg_list as unknown[]).length, 5);
  });

  it('cancel_auth: pushed, and the corp answers 48004 from then on', async () => {
    const corp = sim.corps[1]!;
    assert.equal(sim.cancelAuthorization(corp.corpId), true);
    const pushed = await until('cancel_auth', () => events.find((e) => e.type === 'cancel_auth'));
    assert.ok(pushed.type === 'cancel_auth');
    assert.equal(pushed.corpId, corp.corpId);
    const synced = await post(`${sim.url}/cgi-bin/chatdata/sync_msg?access_token=${corp.accessToken}`, { limit: 5 });
    assert.equal(synced.body.errcode, 48004);
  });

  it('every push passed the receiver (signature, timestamp, nonce, receiver id)', () => {
    assert.deepEqual(refusals, []);
    assert.equal(sim.callbackStats()?.failed, 0);
  });

  it('refuses a callback URL off loopback', () => {
    for (const bad of ['http://10.0.0.1/cb', 'https://example.com/cb', 'ftp://127.0.0.1/cb', 'not a url']) assert.throws(() => checkCallbackUrl(bad));
    assert.equal(checkCallbackUrl('http://127.0.0.1:9/cb').hostname, '127.0.0.1');
  });
});
