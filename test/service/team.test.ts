/**
 * Team mode end to end in one process: the simulator pushes WeCom's callbacks to the service; the
 * service keeps PostgreSQL; an operator's TeamArchive reads it over the team API.
 * - The configured suite_ticket is stale: the corps sync only with the ticket WeCom pushed.
 * - A message added in the simulator reaches the operator's `stored` listener within 5 s, with no
 *   interval due (3600 s): the conversation_new_message push made the service sync, with its token.
 * - A key scoped to corp A gets 403 and no data for corp B; the audit log holds the reads.
 * - A forged callback is refused and changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TeamArchive } from '../../src/core/archive/teamArchive';
import type { RunningSimulator } from '../../src/core/simulator/index';
import type { ArchiveService } from '../../src/server/service';
import { until } from './helpers';
import { startTeamMode } from './teamService';

describe('team mode: callbacks drive the service, the operator reads its archive', () => {
  let sim: RunningSimulator;
  let service: ArchiveService;
  const logs: Record<string, unknown>[] = [];
  let keyA = '';
  let admin = '';
  let base = '';
  let callbackSecrets = { token: '', encodingAesKey: '' };

  before(async () => {
    // A ticket that expired long ago: only the pushed one gets a suite token.
    ({ sim, service, base, keyA, admin, callback: callbackSecrets } = await startTeamMode({
      seed: 31,
      messages: 300,
      ticketPeriodSeconds: 1,
      env: { T_SUITE_TICKET: 'expired-ticket' },
      log: (entry) => logs.push(entry),
    }));
  });

  after(async () => {
    await service?.stop();
    await sim?.close();
  });

  it('both corps fill from the pushed suite_ticket (the configured one is refused)', async () => {
    for (const corp of sim.corps) {
      const reader = new TeamArchive({ baseUrl: base, apiKey: admin, corpId: corp.corpId });
      await until(`corp ${corp.corpId} synced`, 20_000, async () => (await reader.stats()).messages === corp.messageCount(), 100);
      await reader.close();
    }
    assert.ok(logs.some((l) => l.msg === 'suite ticket received'));
  });

  it('a message added in the simulator reaches the operator within 5 s, with no command and no interval', async () => {
    const corp = sim.corps[0]!;
    const reader = new TeamArchive({ baseUrl: base, apiKey: keyA, corpId: corp.corpId });
    const seen: string[][] = [];
    const stop = reader.onStored((n) => seen.push([...n.changedChats]));
    await new Promise((r) => setTimeout(r, 300)); // the event stream is open
    const validBefore = corp.stats().syncTokens.valid;
    const t0 = Date.now();
    const [msgid] = corp.addMessages(1);
    const elapsed = await until('the stored event', 5000, () => seen.length > 0, 20);
    const { found } = await reader.resolve([msgid!]);
    stop();
    await reader.close();
    assert.equal(found[0]?.msgid, msgid);
    assert.ok(elapsed < 5000 && Date.now() - t0 < 5000, `${Date.now() - t0} ms`);
    assert.ok(corp.stats().syncTokens.valid > validBefore, 'the service synced with the pushed token');
  });

  it('a key scoped to corp A gets 403 and no data for corp B; the audit log holds the reads', async () => {
    const outside = new TeamArchive({ baseUrl: base, apiKey: keyA, corpId: sim.corps[1]!.corpId });
    await assert.rejects(outside.listChats({ kind: 'group', limit: 5 }), /403 auth\.scope/);
    await outside.close();
    const res = await fetch(`${base}/v1/audit?limit=1000`, { headers: { authorization: `Bearer ${admin}` } });
    const { entries } = (await res.json()) as { entries: Array<{ user: string; action: string; corpId?: string }> };
    assert.ok(entries.some((e) => e.user === 'alice' && e.action === 'resolve' && e.corpId === sim.corps[0]!.corpId));
    assert.ok(entries.some((e) => e.user === 'alice' && e.action === 'chats.denied' && e.corpId === sim.corps[1]!.corpId));
  });

  it('change_auth: the corp drops its tokens and syncs now; hit_keyword is recorded (log, metric), its token never shown', async () => {
    const corp = sim.corps[0]!;
    const tokenCalls = () => corp.stats().requests['/cgi-bin/service/get_corp_token'] ?? 0;
    const syncCalls = () => corp.stats().requests['/cgi-bin/chatdata/sync_msg'] ?? 0;
    const [tokensBefore, syncsBefore] = [tokenCalls(), syncCalls()];
    assert.ok(sim.pushEvent('change_auth', corp.corpId));
    await until('a fresh corp token and a sync after change_auth', 5000, () => tokenCalls() > tokensBefore && syncCalls() > syncsBefore);
    assert.ok(logs.some((l) => l.msg === 'authorization changed' && l.corp === corp.corpId && l.known === true));
    const sent = sim.callbackStats()?.delivered.hit_keyword ?? 0;
    assert.ok(sim.pushEvent('hit_keyword', corp.corpId));
    await until('hit_keyword recorded', 5000, () => logs.some((l) => l.msg === 'keyword rule hit' && l.corp === corp.corpId));
    assert.equal(sim.callbackStats()?.delivered.hit_keyword, sent + 1);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /wecom_archive_callbacks_total\{type="hit_keyword"\} 1\b/);
    assert.match(metrics, /wecom_archive_callbacks_total\{type="change_auth"\} 1\b/);
    assert.equal(sim.pushEvent('change_auth', 'nobody'), false);
  });

  it('a forged callback is refused, logged, and starts nothing', async () => {
    const res = await fetch(`${base}/wecom/callback?msg_signature=${'0'.repeat(40)}&timestamp=${Math.floor(Date.now() / 1000)}&nonce=n`, {
      method: 'POST',
      body: '<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>',
    });
    assert.equal(res.status, 403);
    assert.ok(logs.some((l) => l.msg === 'callback refused' && l.rule === 'signature.mismatch'));
    // Larger than any WeCom event: refused by its size, not read to its end.
    const big = await fetch(`${base}/wecom/callback?msg_signature=${'0'.repeat(40)}&timestamp=${Math.floor(Date.now() / 1000)}&nonce=n2`, {
      method: 'POST',
      body: `<xml><Encrypt><![CDATA[${'A'.repeat(200_000)}]]></Encrypt></xml>`,
    });
    assert.equal(big.status, 413);
    assert.ok(logs.some((l) => l.msg === 'callback refused' && l.rule === 'body.too_large'));
    const serialized = JSON.stringify(logs);
    for (const secret of [callbackSecrets.token, callbackSecrets.encodingAesKey, keyA, admin]) assert.ok(!serialized.includes(secret));
  });
});
