/**
 * The service's proofs, with real processes on a real PostgreSQL:
 * - two replicas × ten corps; one is SIGKILLed while it has a page group's transaction open; the
 *   other takes every corp it held over within one lease TTL, and each corp's archive ends equal
 *   to the simulator's messages (none lost, none twice); /healthz, /readyz, /metrics answer;
 * - SIGTERM during a sync: the process exits within 5 s having committed what it stored and
 *   released its leases, and the next start resumes with nothing lost, nothing doubled;
 * - no secret ever reaches the logs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fromPgText } from '../../src/core/archive/pg/text';
import { type RunningSimulator, startSimulator } from '../../src/core/simulator/index';
import { freshDatabase } from '../harness/postgres';
import { tempDir } from '../unit/archive/helpers';
import { connect, httpGet, leaseOwners, type Replica, type ServiceSetup, startReplica, storedMsgids, inTransaction, until } from './helpers';

const TTL_MS = 3000;

function secretsOf(sim: RunningSimulator): string[] {
  return [sim.suite.suiteSecret, sim.suite.suiteTicket, ...sim.corps.flatMap((c) => [c.suite.permanentCode, c.accessToken])];
}

/** Each corp's stored msgids equal the simulator's: every one, once. */
async function assertArchivesEqual(db: Awaited<ReturnType<typeof connect>>, sim: RunningSimulator): Promise<void> {
  for (const corp of sim.corps) {
    const want = corp.listMessages().map((m) => m.msgid).sort();
    const got = (await storedMsgids(db, corp.corpId)).map(fromPgText).sort();
    assert.equal(got.length, want.length, `${corp.corpId}: ${got.length} stored, ${want.length} sent`);
    assert.deepEqual(got, want, `${corp.corpId}: the same msgids`);
    const summed = await db.query<{ n: string | null }>('SELECT sum(count) AS n FROM chats WHERE corp_id = $1', [corp.corpId]);
    assert.equal(Number(summed.rows[0]!.n), want.length, `${corp.corpId}: chat summaries add up`);
  }
}

async function complete(db: Awaited<ReturnType<typeof connect>>, sim: RunningSimulator): Promise<boolean> {
  const r = await db.query<{ corp_id: string; n: string }>('SELECT corp_id, count(*) AS n FROM msgids GROUP BY corp_id');
  const counts = new Map(r.rows.map((x) => [x.corp_id, Number(x.n)]));
  return sim.corps.every((c) => counts.get(c.corpId) === c.messageCount());
}

describe('two replicas, ten corps, one killed mid-transaction', () => {
  let sim: RunningSimulator;
  let setup: ServiceSetup;
  const replicas: Replica[] = [];

  before(async () => {
    sim = await startSimulator({ seed: 150, corps: 10, messages: 6000, days: 2, latency: { fixedMs: 15 }, rateLimits: { noTokenPerMinute: 1_000_000 } });
    setup = { sim, database: await freshDatabase('replicas'), leaseTtlSeconds: TTL_MS / 1000, pageSize: 100 };
  });

  after(async () => {
    for (const r of replicas) r.child.kill('SIGKILL');
    await sim?.close();
  });

  it('the survivor takes the dead replica\'s corps over within one TTL; every archive equals the simulator\'s', async () => {
    const dir = tempDir('replicas-');
    const db = await connect(setup.database);
    try {
      // A starts first and takes five corps (concurrency 5); B then takes the rest, with room to
      // take A's over at once. (Started together on a loaded machine, B could take nearly all.)
      const ownedBy = (r: Replica, owner: string | undefined): boolean => owner?.includes(`:${r.pid}:`) === true;
      const a = await startReplica({ ...setup, concurrency: 5 }, dir, 'a');
      replicas.push(a);
      await until('replica A holds five corps', 60_000, async () => {
        const r = await db.query<{ owner: string | null }>('SELECT owner FROM leases');
        return r.rows.filter((x) => ownedBy(a, x.owner ?? undefined)).length >= 5;
      }, 5);
      const b = await startReplica({ ...setup, concurrency: 10 }, dir, 'b');
      replicas.push(b);

      // Killed while it holds corps not synced to the end and a page group's transaction is open.
      let held: string[] = [];
      await until('replica A mid-transaction with unfinished corps held', 60_000, async () => {
        const r = await db.query<{ corp_id: string; owner: string; n: string }>(
          'SELECT l.corp_id, l.owner, (SELECT count(*) FROM msgids i WHERE i.corp_id = l.corp_id) AS n FROM leases l',
        );
        held = r.rows.filter((x) => ownedBy(a, x.owner) && Number(x.n) > 0 && Number(x.n) < sim.corp(x.corp_id)!.messageCount()).map((x) => x.corp_id);
        return held.length >= 3 && (await inTransaction(db, a.pid));
      }, 5);
      a.child.kill('SIGKILL');
      const killedAt = Date.now();
      await a.exited;
      // When A's leases run out: one TTL after its last committed renewal, at most kill + TTL.
      const expiries = await db.query<{ corp_id: string; expires_at: number }>('SELECT corp_id, expires_at FROM leases WHERE corp_id = ANY($1)', [held]);
      const lastExpiry = Math.max(...expiries.rows.map((r) => r.expires_at)) - killedAt;

      // Every corp A held is B's (or already finished by B) within one TTL of the kill.
      const takenAt = new Map<string, number>();
      await until('B holds every corp A held', TTL_MS + 5000, async () => {
        const r = await db.query<{ corp_id: string; owner: string | null; n: string }>(
          `SELECT h.corp_id, l.owner, (SELECT count(*) FROM msgids i WHERE i.corp_id = h.corp_id) AS n
           FROM unnest($1::text[]) AS h(corp_id) LEFT JOIN leases l ON l.corp_id = h.corp_id`,
          [held],
        );
        const now = Date.now() - killedAt;
        // B's lease row, or B already finished the corp (and released it) between two looks.
        const finishedByB = new Set(b.logs.filter((l) => l.msg === 'corp synced' && Date.parse(String(l.time)) > killedAt).map((l) => String(l.corp)));
        for (const row of r.rows) {
          if (takenAt.has(row.corp_id)) continue;
          if (ownedBy(b, row.owner ?? undefined) || finishedByB.has(row.corp_id)) takenAt.set(row.corp_id, now);
        }
        return takenAt.size === held.length;
      }, 10);
      const slowest = Math.max(...takenAt.values());
      console.log(
        `# replica A held ${held.length} of 10 corps when killed mid-transaction; its leases ran out ${lastExpiry} ms after the kill; B took them over in at most ${slowest} ms (TTL ${TTL_MS} ms)`,
      );
      if (slowest > TTL_MS + 500) {
        const busy = b.logs.filter((l) => held.includes(String(l.corp)) && l.msg !== 'corp synced').map((l) => `${l.time} ${l.msg} ${l.corp}`);
        console.log(`# kill at ${new Date(killedAt).toISOString()}; B's lines about A's corps:\n# ${busy.join('\n# ')}`);
      }
      // One TTL after A's last renewal (at most the kill), plus B's scheduler tick (50 ms) and this poll.
      assert.ok(slowest <= TTL_MS + 500, `takeover took ${slowest} ms`);

      await until('every corp synced', 120_000, () => complete(db, sim), 200);
      await assertArchivesEqual(db, sim);

      assert.equal((await httpGet(b.port, '/healthz')).status, 200);
      assert.equal((await httpGet(b.port, '/readyz')).status, 200);
      const metrics = (await httpGet(b.port, '/metrics')).text;
      for (const corp of sim.corps) {
        assert.match(metrics, new RegExp(`wecom_archive_messages_stored\\{corp="${corp.corpId}"\\} ${corp.messageCount()}\\n`));
        const left = Number(new RegExp(`wecom_archive_deadline_seconds_left\\{corp="${corp.corpId}"\\} (-?\\d+)`).exec(metrics)?.[1]);
        assert.ok(left > 5 * 86_400 - 300 && left <= 5 * 86_400, `${corp.corpId}: ${left} s left`);
      }
      assert.match(metrics, /wecom_archive_page_latency_seconds_count [1-9]/);
      assert.match(metrics, /# TYPE wecom_archive_page_latency_seconds histogram/);

      const stopAt = Date.now();
      b.child.kill('SIGTERM');
      const exit = await b.exited;
      assert.equal(exit.code, 0);
      assert.ok(exit.at - stopAt < 5000, `SIGTERM to exit: ${exit.at - stopAt} ms`);
      assert.ok(![...(await leaseOwners(db)).values()].some((owner) => ownedBy(b, owner)), 'the survivor released every lease it held');
      for (const r of [a, b]) for (const secret of secretsOf(sim)) assert.ok(!r.output.some((l) => l.includes(secret)), 'no secret in the logs');
    } finally {
      await db.end();
    }
  });
});

describe('SIGTERM during a sync', () => {
  let sim: RunningSimulator;
  let setup: ServiceSetup;
  const replicas: Replica[] = [];

  before(async () => {
    sim = await startSimulator({ seed: 151, corps: 3, messages: 15_000, days: 2, latency: { fixedMs: 15 }, rateLimits: { noTokenPerMinute: 1_000_000 } });
    setup = { sim, database: await freshDatabase('sigterm'), pageSize: 100 };
  });

  after(async () => {
    for (const r of replicas) r.child.kill('SIGKILL');
    await sim?.close();
  });

  it('exits within 5 s with its leases released; the next start resumes with nothing lost or doubled', async () => {
    const dir = tempDir('sigterm-');
    const db = await connect(setup.database);
    try {
      const first = await startReplica(setup, dir, 'first');
      replicas.push(first);
      await until('a sync mid-transaction', 60_000, async () => {
        const stored = await db.query<{ n: string }>('SELECT count(*) AS n FROM msgids');
        return Number(stored.rows[0]!.n) > 1000 && (await inTransaction(db, first.pid));
      }, 5);
      const stopAt = Date.now();
      first.child.kill('SIGTERM');
      const exit = await first.exited;
      const took = exit.at - stopAt;
      console.log(`# SIGTERM mid-sync: exited ${exit.code} after ${took} ms`);
      assert.equal(exit.code, 0);
      assert.ok(took < 5000, `SIGTERM to exit: ${took} ms`);
      assert.equal((await leaseOwners(db)).size, 0, 'every lease released');
      assert.ok(first.logs.some((l) => l.msg === 'stopping'));
      const partial = await db.query<{ n: string; d: string }>('SELECT count(*) AS n, count(DISTINCT (corp_id, mkey)) AS d FROM messages');
      assert.equal(partial.rows[0]!.n, partial.rows[0]!.d, 'nothing twice');
      assert.ok(!(await complete(db, sim)), 'stopped before the end (the proof needs a sync in the middle)');

      const second = await startReplica(setup, dir, 'second');
      replicas.push(second);
      await until('every corp synced after the restart', 120_000, () => complete(db, sim), 200);
      await assertArchivesEqual(db, sim);
      const resumed = second.logs.filter((l) => l.msg === 'corp synced').reduce((n, l) => n + Number(l.inserted), 0);
      assert.equal(resumed + Number(partial.rows[0]!.n), sim.corps.reduce((n, c) => n + c.messageCount(), 0), 'the two runs stored every message, each once');
      second.child.kill('SIGTERM');
      assert.equal((await second.exited).code, 0);
      for (const r of [first, second]) for (const secret of secretsOf(sim)) assert.ok(!r.output.some((l) => l.includes(secret)), 'no secret in the logs');
    } finally {
      await db.end();
    }
  });
});
