/**
 * create_auth end to end, on PostgreSQL: the simulator pushes its callbacks to the service.
 * - POST /_sim/authorize makes a new corp; its messages reach PostgreSQL with no config edit.
 * - The same create_auth delivered again (WeCom retries) adds nothing and fails nothing.
 * - The permanent code is stored sealed, and is in no log line and no metric.
 * - A restarted service keeps the corp (authorized_corps) and syncs what arrived meanwhile; with
 *   another key the stored code does not open and the corp is left alone, logged.
 * - cancel_auth stops the corp (stored: a restart leaves it stopped); its archive is kept.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type RunningSimulator, startSimulator } from '../../src/core/simulator/index';
import { callbackSignature, encryptCallback } from '../../src/core/wecom/callbackCrypto';
import { envelopeXml, eventXml } from '../../src/core/wecom/callbackEvents';
import { checkConfig, type ServerConfig } from '../../src/server/config';
import { ArchiveService, JsonLog } from '../../src/server/service';
import { freshDatabase } from '../harness/postgres';
import { connect, serviceConfig, sleep, storedMsgids, until } from './helpers';
import { freePort } from './teamService';
import type { Client } from 'pg';

describe('create_auth: a corp that authorizes the suite is synced without a config edit', () => {
  let sim: RunningSimulator;
  let service: ArchiveService | undefined;
  let db: Client;
  let config: ServerConfig;
  let env: Record<string, string>;
  let base = '';
  let newCorp = '';
  let authCode = '';
  const logs: Record<string, unknown>[] = [];
  const output: string[] = [];
  const cb = { token: 'auth-cb-token', encodingAesKey: randomBytes(32).toString('base64').slice(0, 43) };
  const codeKey = randomBytes(32).toString('base64');

  const startService = async (): Promise<ArchiveService> => {
    const s = new ArchiveService(config, {
      env,
      log: new JsonLog((line) => {
        output.push(line);
        logs.push(JSON.parse(line) as Record<string, unknown>);
      }),
    });
    await s.start();
    return s;
  };
  const syncCalls = (corpId: string): number => sim.corp(corpId)!.stats().requests['/cgi-bin/chatdata/sync_msg'] ?? 0;
  const stored = async (corpId: string): Promise<number> => (await storedMsgids(db, corpId)).length;

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    sim = await startSimulator({
      messages: 150,
      days: 1,
      seed: 41,
      rateLimits: { noTokenPerMinute: 1_000_000 },
      callbacks: { url: `${base}/wecom/callback`, ...cb, minIntervalSeconds: 1, ticketPeriodSeconds: 1 },
    });
    const database = await freshDatabase('auth');
    db = await connect(database);
    const made = serviceConfig({ sim, database, intervalSeconds: 3600 });
    env = { ...made.env, T_CB_TOKEN: cb.token, T_CB_KEY: cb.encodingAesKey, T_PC_KEY: codeKey };
    const suite = made.config.suite as Record<string, unknown>;
    const checked = checkConfig({
      ...made.config,
      listen: { host: '127.0.0.1', port },
      suite: { ...suite, permanentCodeKeyEnv: 'T_PC_KEY' },
      callback: { tokenEnv: 'T_CB_TOKEN', encodingAesKeyEnv: 'T_CB_KEY' },
    });
    assert.deepEqual(checked.problems, []);
    config = checked.config!;
    service = await startService();
  });

  after(async () => {
    await service?.stop();
    await sim?.close();
    await db?.end();
  });

  it('POST /_sim/authorize: the new corp is exchanged, stored sealed and synced, once, though create_auth came twice', async () => {
    const res = await fetch(`${sim.url}/_sim/authorize`, { method: 'POST' });
    const body = (await res.json()) as { corpid: string; auth_code: string };
    newCorp = body.corpid;
    authCode = body.auth_code;
    // WeCom's retry of the same push, signed and encrypted as WeCom does.
    const encrypt = encryptCallback({ encodingAesKey: cb.encodingAesKey, receiverId: sim.suite.suiteId }, eventXml({ type: 'create_auth', suiteId: sim.suite.suiteId, authCode, timestamp: String(Math.floor(Date.now() / 1000)) }));
    const ts = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(8).toString('hex');
    const again = await fetch(`${base}/wecom/callback?msg_signature=${callbackSignature(cb.token, ts, nonce, encrypt)}&timestamp=${ts}&nonce=${nonce}`, { method: 'POST', body: envelopeXml(encrypt, sim.suite.suiteId) });
    assert.equal((await again.text()).trim(), 'success');

    const total = sim.corp(newCorp)!.messageCount();
    await until('the new corp stored in PostgreSQL', 20_000, async () => (await stored(newCorp)) === total, 100);
    await until('both deliveries handled', 5000, () => logs.some((l) => l.msg === 'create_auth delivered again: already handled'));
    assert.equal(logs.filter((l) => l.msg === 'corp authorized: added and syncing').length, 1);
    assert.ok(!logs.some((l) => l.level === 'error'), JSON.stringify(logs.filter((l) => l.level === 'error')));

    const code = sim.corp(newCorp)!.suite.permanentCode;
    const row = (await db.query<{ sealed_code: string; revoked_at: number | null }>('SELECT sealed_code, revoked_at FROM authorized_corps WHERE corp_id = $1', [newCorp])).rows;
    assert.equal(row.length, 1);
    assert.equal(row[0]!.revoked_at, null);
    assert.ok(row[0]!.sealed_code.startsWith('v1:') && !row[0]!.sealed_code.includes(code), 'the code is sealed');
    const metrics = await service!.metrics();
    assert.ok(metrics.includes(newCorp));
    assert.match(metrics, /wecom_archive_authorizations_total\{result="added"\} 1\n/);
    assert.match(metrics, /wecom_archive_authorizations_total\{result="duplicate"\} 1\n/);
    for (const secret of [code, authCode, codeKey]) {
      assert.ok(!output.join('\n').includes(secret), 'no secret in the logs');
      assert.ok(!metrics.includes(secret), 'no secret in the metrics');
    }
  });

  it('a restarted service keeps the corp and syncs what arrived while it was down (a wrong key opens nothing)', async () => {
    await service!.stop();
    service = undefined;
    sim.corp(newCorp)!.addMessages(7);
    const calls = syncCalls(newCorp);
    env.T_PC_KEY = randomBytes(32).toString('base64');
    service = await startService();
    assert.ok(logs.some((l) => l.msg === 'the stored permanent code of a corp does not open: it is not synced' && l.corp === newCorp));
    await sleep(500);
    assert.equal(syncCalls(newCorp), calls, 'not synced without its code');
    await service.stop();
    env.T_PC_KEY = codeKey;
    service = await startService();
    const total = sim.corp(newCorp)!.messageCount();
    await until('the messages sent while down', 20_000, async () => (await stored(newCorp)) === total, 100);
    assert.ok(logs.some((l) => l.msg === 'corp added from authorized_corps' && l.corp === newCorp));
    assert.equal(new Set(await storedMsgids(db, newCorp)).size, total, 'each message once');
  });

  it('cancel_auth stops the corp, is stored, and a restart leaves it stopped; its archive is kept', async () => {
    const before = await stored(newCorp);
    const res = await fetch(`${sim.url}/_sim/cancel-auth?corpid=${encodeURIComponent(newCorp)}`, { method: 'POST' });
    assert.equal(res.status, 200);
    await until('the revocation stored', 5000, async () => (await db.query('SELECT 1 FROM authorized_corps WHERE corp_id = $1 AND revoked_at IS NOT NULL', [newCorp])).rowCount === 1);
    const calls = syncCalls(newCorp);
    sim.corp(newCorp)!.addMessages(3); // pushes conversation_new_message: a revoked corp ignores it
    await sleep(2500);
    assert.equal(syncCalls(newCorp), calls, 'no sync_msg call for a revoked corp');

    await service!.stop();
    service = await startService();
    await sleep(1500);
    assert.equal(syncCalls(newCorp), calls, 'still none after a restart');
    assert.equal(await stored(newCorp), before, 'the archive is kept');
    // The configured corp is unaffected.
    const first = sim.corps[0]!;
    first.addMessages(2);
    await until('the configured corp still syncs', 10_000, async () => (await stored(first.corpId)) === first.messageCount(), 100);
  });
});
